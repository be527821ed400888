"""v3 dynamic inputs: the inputs a node really has once the prompt has chosen their shape.

Newer ComfyUI servers (not 0.3.64) finalize a v3 node's declared inputs against the node's own
prompt inputs before validating it, and validate the result like any other inputs:

- `COMFY_AUTOGROW_V3` input `X`: its template input repeated as `X.<name>`, names from the
  template's `names` list or `<prefix>0 .. <prefix>{max-1}`; the first `min` are required when the
  template input is required, the rest optional. `X` itself is no input at all.
- `COMFY_DYNAMICCOMBO_V3` input `X`: `X`'s value picks an option by its `key`; that option's inputs
  become `X.<child>` (recursively: a nested autogrow is `X.Y.<name>`), and `X` is an input whose
  value is not checked further. When `X` is absent or names no option, neither `X` nor any
  `X.<child>` is an input for the server (nothing is reported; the node fails when it runs).
- `COMFY_MATCHTYPE_V3` is an ordinary input; its links always pass the type check.

Other `COMFY_*_V3` kinds are opaque here: the input stays as declared and every `X.<...>` name
under it is left unjudged.
"""
from __future__ import annotations

from typing import Any

from ..record import Record
from . import InputSpec, NodeDef
from .types import AUTOGROW, DYNAMIC_COMBO, MATCH_TYPE, is_dynamic_type

# ComfyUI's defaults for autogrow templates that leave min/max out.
_AUTOGROW_DEFAULT_MIN = 1
_AUTOGROW_DEFAULT_MAX = 10


class ResolvedInputs(Record):
    """A dynamic node's inputs as the server sees them for one prompt node."""

    __slots__ = ("specs", "unresolved_prefixes", "opaque")

    def __init__(self, specs: dict[str, InputSpec], unresolved_prefixes: list[str] | None = None,
                 opaque: bool = False) -> None:
        self.specs = specs
        # "X." prefixes whose nested names cannot be known (X absent, not a key, an opaque kind).
        self.unresolved_prefixes = unresolved_prefixes if unresolved_prefixes is not None else []
        # A declared shape comfylint cannot read: the node's unknown inputs are not judged at all.
        self.opaque = opaque

    def is_unresolved(self, name: str) -> bool:
        return self.opaque or any(name.startswith(prefix) for prefix in self.unresolved_prefixes)


def resolve_inputs(node_def: NodeDef, live_inputs: dict) -> ResolvedInputs:
    """The inputs the server validates for this node, given the node's prompt `inputs`."""
    resolved = ResolvedInputs({})
    declared = node_def.raw.get("input")
    groups = {group: declared.get(group) for group in ("required", "optional")} \
        if isinstance(declared, dict) else {}
    _expand(groups, None, live_inputs, resolved)
    return resolved


def _expand(groups: dict, prefix: str | None, live: dict, out: ResolvedInputs) -> None:
    for group in ("required", "optional"):
        entries = groups.get(group)
        if not isinstance(entries, dict):
            continue
        for input_id, raw in entries.items():
            name = f"{prefix}.{input_id}" if prefix else str(input_id)
            spec = InputSpec.parse(name, raw, group == "required")
            if spec is None:
                continue
            kind = spec.type if isinstance(spec.type, str) else None
            if kind == AUTOGROW:
                _expand_autogrow(spec, live, out)
            elif kind == DYNAMIC_COMBO:
                _expand_dynamic_combo(spec, live, out)
            else:
                out.specs[name] = spec
                if kind is not None and kind != MATCH_TYPE and is_dynamic_type(kind):
                    out.unresolved_prefixes.append(name + ".")


def _expand_autogrow(spec: InputSpec, live: dict, out: ResolvedInputs) -> None:
    slots = autogrow_slots(spec)
    if slots is None:
        out.opaque = True
        return
    for slot_name, raw, required in slots:
        _expand({"required" if required else "optional": {slot_name: raw}}, spec.name, live, out)


def autogrow_slots(spec: InputSpec) -> list[tuple[str, Any, bool]] | None:
    """What an autogrow input stands for: (slot name, raw template input, required) in order.

    Names come without the `X.` prefix; None when the template cannot be read.
    """
    template = spec.options.get("template")
    if not isinstance(template, dict):
        return None
    shape = template.get("input")
    first = _first_template_input(shape) if isinstance(shape, dict) else None
    names = _autogrow_names(template) if first is not None else None
    if first is None or names is None:
        return None
    group, raw = first
    minimum = template.get("min", _AUTOGROW_DEFAULT_MIN)
    minimum = minimum if isinstance(minimum, int) else _AUTOGROW_DEFAULT_MIN
    return [(name, raw, group == "required" and index < minimum)
            for index, name in enumerate(names)]


def _first_template_input(shape: dict) -> tuple[str, Any] | None:
    """The server repeats only the first input of the template's first non-empty group."""
    for group in ("required", "optional"):
        entries = shape.get(group)
        if isinstance(entries, dict) and entries:
            return group, next(iter(entries.values()))
    return None


def _autogrow_names(template: dict) -> list[str] | None:
    names = template.get("names")
    if isinstance(names, list):
        return [str(n) for n in names]
    prefix, maximum = template.get("prefix"), template.get("max", _AUTOGROW_DEFAULT_MAX)
    if isinstance(prefix, str) and isinstance(maximum, int):
        return [f"{prefix}{i}" for i in range(maximum)]
    return None


def _expand_dynamic_combo(spec: InputSpec, live: dict, out: ResolvedInputs) -> None:
    # The selector is kept even when it names no option, so that value-not-in-list can say so.
    if spec.name in live:
        out.specs[spec.name] = spec
    option = spec.dynamic_option(live.get(spec.name)) if spec.name in live else None
    if option is None:
        out.unresolved_prefixes.append(spec.name + ".")
        return
    nested = option.get("inputs")
    if isinstance(nested, dict):
        _expand(nested, spec.name, live, out)
