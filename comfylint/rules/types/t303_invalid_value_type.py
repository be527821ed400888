from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule


class InvalidValueType(Rule):
    code = "T303"
    name = "invalid-value-type"
    summary = "A literal that the server cannot convert to the input's INT/FLOAT type."
    server_error_type = "invalid_input_type"
    server_node_check = True
    needs = ("literals", "invalid")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        # (the literals the server's conversion to INT/FLOAT/STRING/BOOLEAN fails on)
        for node_id, name, spec, raw, error in ctx.graph.literal_checks.invalid:
            yield ctx.report(f"{ctx.label(node_id)} input {name!r} is {raw!r}, which is not a "
                             f"valid {spec.type} ({error})", node_id=node_id, input=name,
                             help=f"Write a JSON number{_range(spec.options)}.")


def _range(options: dict) -> str:
    low, high = options.get("min"), options.get("max")
    if low is not None and high is not None:
        return f" between {low} and {high}"
    return ""
