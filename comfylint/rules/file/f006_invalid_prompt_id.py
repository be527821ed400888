"""F006: a /prompt body's `prompt_id` that the server in use refuses (reference §12).

Newer servers accept a client-chosen id only as a canonical lowercase hyphenated UUID and answer
anything else (but an absent or null id, which they mint themselves) with 400 invalid_prompt_id
before validating the prompt. ComfyUI 0.3.64 took any string (case 66): no finding there.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from ...diagnostics import Diagnostic, Edit, Fix
from ..base import Context, Rule


def canonical_uuid(value: object) -> str | None:
    """The canonical lowercase hyphenated form of a UUID string, or None if it is none."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class InvalidPromptId(Rule):
    code = "F006"
    name = "invalid-prompt-id"
    summary = "A /prompt body's prompt_id that is not a canonical lowercase UUID (newer servers)."
    server_error_type = "invalid_prompt_id"
    formats = ("api", "ui")
    fixable = True
    needs = ("prompt_id",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        body = ctx.loaded.document
        if ctx.loaded.envelope != "comfyui-prompt" or not isinstance(body, dict) \
                or body.get("prompt_id") is None:
            return
        if not ctx.catalog.release.server.canonical_prompt_ids:
            return
        value = body["prompt_id"]
        canonical = canonical_uuid(value)
        if canonical == value:
            return
        pointer = "/prompt_id"
        if canonical is not None:  # the same id, spelt as the server wants it
            fix = Fix(f"write it as {canonical!r}", [Edit(pointer, canonical)])
        else:
            fix = Fix("leave it out and let the server choose one", [Edit(pointer, remove=True)],
                      safe=False)
        yield ctx.report(
            f"prompt_id {value!r} is not a UUID string in canonical lowercase form: "
            f"{ctx.catalog.version_label} refuses the request (invalid_prompt_id) and runs nothing",
            pointer=pointer, fix=fix,
            help="Send a uuid4 as str(uuid.uuid4()) gives it, or no prompt_id at all.")
