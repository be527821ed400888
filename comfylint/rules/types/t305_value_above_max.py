from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule
from . import clamp_fix

SEED_MAX = 2**64 - 1


class ValueAboveMax(Rule):
    code = "T305"
    name = "value-above-max"
    summary = "A number above the input's declared maximum (seeds: 2^64-1)."
    server_error_type = "value_bigger_than_max"
    server_node_check = True
    grows_with_comfyui = True  # ranges change between releases (ImageFromBatch batch_index)
    vouched_fact = "max"  # ... but most never did (KSampler cfg <= 100)
    fixable = True
    needs = ("literals", "above_max")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        # (numbers, once converted as the server converts them, above a numeric max it checks)
        for node_id, name, spec, value, high in ctx.graph.literal_checks.above_max:
            note = " (seeds are unsigned 64-bit integers)" if high == SEED_MAX else ""
            yield ctx.report(
                f"{ctx.label(node_id)} input {name!r} is {value!r}, above the maximum {high!r}{note}",
                node_id=node_id, input=name, fix=clamp_fix(ctx, node_id, name, high, "lower"),
                help=f"{name} accepts {spec.options.get('min', 'any')} to {high}.")
