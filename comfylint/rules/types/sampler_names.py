"""A1111-style sampler names ("DPM++ 2M Karras", "dpmpp_2m_karras", "Euler a").

Other UIs name a sampler and its noise schedule together; ComfyUI splits them into `sampler_name`
and `scheduler`. Recognising the combined form turns a bare "not in list" into the exact fix.
"""
from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-]+")


def normalise(name: str) -> str:
    """"DPM++ 2M Karras" -> "dpmpp_2m_karras"; "Euler a" -> "euler_ancestral"."""
    text = _SEPARATORS.sub("_", name.strip().lower().replace("++", "pp"))
    if text.endswith("_a"):
        text = text[:-2] + "_ancestral"
    return text


def split_sampler(value: object, samplers: list, schedulers: list) -> tuple[str, str | None] | None:
    """(sampler, scheduler or None) that a combined or A1111-style name means, if any."""
    if not isinstance(value, str):
        return None
    text = normalise(value)
    if text in samplers and text != value.lower():  # a case-only slip is the plain did-you-mean's
        return text, None
    for scheduler in sorted((s for s in schedulers if isinstance(s, str)), key=len, reverse=True):
        suffix = "_" + scheduler
        if text.endswith(suffix):
            sampler = normalise(text[: -len(suffix)])
            if sampler in samplers:
                return sampler, scheduler
    return None
