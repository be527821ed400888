from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Edit, Fix
from ..base import Context, Rule
from . import converted_values, is_number


class ValueBelowMin(Rule):
    code = "T304"
    name = "value-below-min"
    summary = "A number below the input's declared minimum."
    server_error_type = "value_smaller_than_min"
    server_node_check = True
    fixable = True

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        for node_id, name, spec, _raw, value in converted_values(ctx):
            low = spec.options.get("min")
            if not (is_number(low) and is_number(value)) or not value < low:
                continue
            if ctx.catalog.skips_value_checks(graph.class_type(node_id), name):
                continue
            yield ctx.report(
                f"{ctx.label(node_id)} input {name!r} is {value!r}, below the minimum {low!r}",
                node_id=node_id, input=name,
                fix=Fix(f"raise it to the minimum {low!r}",
                        [Edit(ctx.pointer(node_id, "inputs", name), low)], safe=False),
                help=f"{name} accepts {low} to {spec.options.get('max', 'any')}.")
