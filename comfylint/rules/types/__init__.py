"""T rules: input values and link types against the node catalog."""
from __future__ import annotations

from typing import Any, Iterator

from ...catalog import InputSpec
from ...catalog.types import CONVERTED_TYPES, ConversionError, convert_value, unwrap_value
from ..base import Context, node_inputs_with_specs


def converted_values(ctx: Context) -> Iterator[tuple[str, str, InputSpec, Any, Any]]:
    """(node_id, input, spec, raw value, converted value) for literals the server would convert
    successfully (failures are invalid-value-type's), after `{"__value__": v}` unwrapping."""
    for node_id, _node_def, name, spec, raw in node_inputs_with_specs(ctx):
        value = unwrap_value(raw)
        if isinstance(spec.type, str) and spec.type in CONVERTED_TYPES:
            try:
                value = convert_value(spec.type, value)
            except ConversionError:
                continue
        yield node_id, name, spec, raw, value


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float))
