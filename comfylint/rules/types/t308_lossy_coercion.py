from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule


class LossyCoercion(Rule):
    code = "T308"
    name = "lossy-coercion"
    summary = 'A literal the server silently converts into something else ("false" → True, '\
              "20.7 → 20, NaN)."
    severity = Severity.WARNING
    fixable = False
    needs = ("literals", "lossy")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        # (the literals catalog.types.lossy_reason has a reason for)
        for node_id, name, spec, raw, reason in ctx.graph.literal_checks.lossy:
            yield ctx.report(
                f"{ctx.label(node_id)} input {name!r} is {raw!r}, which {reason}",
                node_id=node_id, input=name,
                help=f"Write a JSON {spec.type.lower() if spec.type != 'BOOLEAN' else 'true/false'}"
                     " of the intended value.")
