from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule
from . import clamp_fix


class ValueBelowMin(Rule):
    code = "T304"
    name = "value-below-min"
    summary = "A number below the input's declared minimum."
    server_error_type = "value_smaller_than_min"
    server_node_check = True
    grows_with_comfyui = True  # ranges change between releases (ImageFromBatch batch_index)
    vouched_fact = "min"  # ... but most never did (KSampler steps >= 1)
    fixable = True
    needs = ("literals", "below_min")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        # (numbers, once converted as the server converts them, below a numeric min it checks)
        for node_id, name, spec, value, low in ctx.graph.literal_checks.below_min:
            yield ctx.report(
                f"{ctx.label(node_id)} input {name!r} is {value!r}, below the minimum {low!r}",
                node_id=node_id, input=name, fix=clamp_fix(ctx, node_id, name, low, "raise"),
                help=f"{name} accepts {low} to {spec.options.get('max', 'any')}.")
