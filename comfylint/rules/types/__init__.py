"""T rules: input values and link types against the node catalog."""
from __future__ import annotations

from typing import Any, Iterator

from ...catalog import InputSpec
from ...catalog.types import CONVERTED_TYPES, ConversionError, convert_value
from ...diagnostics import Edit, Fix
from ..base import Context, node_inputs_with_specs


def converted_values(ctx: Context) -> list[tuple[str, str, InputSpec, Any, Any]]:
    """(node_id, input, spec, raw value, converted value) for literals the server would convert
    successfully (failures are invalid-value-type's), after `{"__value__": v}` unwrapping."""
    return ctx.shared("converted-values", lambda: list(_converted(ctx)))


def _converted(ctx: Context) -> Iterator[tuple[str, str, InputSpec, Any, Any]]:
    for node_id, _node_def, name, spec, raw in node_inputs_with_specs(ctx):
        value = raw["__value__"] if isinstance(raw, dict) and "__value__" in raw else raw  # unwrap_value
        declared = spec.type
        if isinstance(declared, str) and declared in CONVERTED_TYPES:
            try:
                value = convert_value(declared, value)
            except ConversionError:
                continue
        yield node_id, name, spec, raw, value


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float))


def range_violations(ctx: Context, bound: str) -> Iterator[tuple[str, str, InputSpec, Any, Any]]:
    """(node_id, input, spec, converted value, limit) where the value breaks the `bound` ("min" or
    "max") the server checks after conversion, unless the node's own validation takes the input."""
    graph = ctx.graph
    below = bound == "min"
    for node_id, name, spec, value in ctx.shared("bounded-values", lambda: _bounded(ctx)):
        limit = spec.options.get(bound)
        if not isinstance(limit, (int, float)):
            continue
        if not (value < limit if below else value > limit):
            continue
        if ctx.catalog.skips_value_checks(graph.class_type(node_id), name):
            continue
        yield node_id, name, spec, value, limit


def _bounded(ctx: Context) -> list[tuple[str, str, InputSpec, Any]]:
    """(node_id, input, spec, converted value) for numbers whose input declares a min or a max:
    the few the two range rules compare, out of every literal."""
    return [(node_id, name, spec, value) for node_id, name, spec, _raw, value in converted_values(ctx)
            if isinstance(value, (int, float)) and ("min" in spec.options or "max" in spec.options)]


def clamp_fix(ctx: Context, node_id: str, name: str, limit: Any, verb: str) -> Fix:
    """An unsafe fix that moves the value to the violated limit (the intent may be elsewhere)."""
    return Fix(f"{verb} it to {limit!r}", [Edit(ctx.pointer(node_id, "inputs", name), limit)],
               safe=False)
