from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Edit, Fix
from ..base import Context, Rule
from . import converted_values, is_number

SEED_MAX = 2**64 - 1


class ValueAboveMax(Rule):
    code = "T305"
    name = "value-above-max"
    summary = "A number above the input's declared maximum (seeds: 2^64-1)."
    server_error_type = "value_bigger_than_max"
    server_node_check = True
    fixable = True

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        for node_id, name, spec, _raw, value in converted_values(ctx):
            high = spec.options.get("max")
            if not (is_number(high) and is_number(value)) or not value > high:
                continue
            if ctx.catalog.skips_value_checks(graph.class_type(node_id), name):
                continue
            note = " (seeds are unsigned 64-bit integers)" if high == SEED_MAX else ""
            yield ctx.report(
                f"{ctx.label(node_id)} input {name!r} is {value!r}, above the maximum {high!r}{note}",
                node_id=node_id, input=name,
                fix=Fix(f"lower it to the maximum {high!r}",
                        [Edit(ctx.pointer(node_id, "inputs", name), high)], safe=False),
                help=f"{name} accepts {spec.options.get('min', 'any')} to {high}.")
