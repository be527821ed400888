from __future__ import annotations

from typing import Iterable

from ...catalog.types import CONVERTED_TYPES, ConversionError, convert_value, unwrap_value
from ...diagnostics import Diagnostic
from ..base import Context, Rule, node_inputs_with_specs


class InvalidValueType(Rule):
    code = "T303"
    name = "invalid-value-type"
    summary = "A literal that the server cannot convert to the input's INT/FLOAT type."
    server_error_type = "invalid_input_type"
    server_node_check = True

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        for node_id, _node_def, name, spec, raw in node_inputs_with_specs(ctx):
            if not (isinstance(spec.type, str) and spec.type in CONVERTED_TYPES):
                continue
            try:
                convert_value(spec.type, unwrap_value(raw))
            except ConversionError as exc:
                yield ctx.report(f"{ctx.label(node_id)} input {name!r} is {raw!r}, which is not a "
                                 f"valid {spec.type} ({exc})", node_id=node_id, input=name,
                                 help=f"Write a JSON number{_range(spec.options)}.")


def _range(options: dict) -> str:
    low, high = options.get("min"), options.get("max")
    if low is not None and high is not None:
        return f" between {low} and {high}"
    return ""
