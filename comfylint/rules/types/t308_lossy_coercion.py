from __future__ import annotations

import math
from typing import Iterable

from ...catalog.types import unwrap_value
from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule, node_inputs_with_specs


def lossy_reason(declared: str, value: object) -> str | None:
    """Why the server's silent conversion changes the meaning of this literal, or None."""
    if declared == "BOOLEAN" and isinstance(value, str):
        return f"becomes {bool(value)} (any non-empty string is true, even \"false\")"
    if declared == "BOOLEAN" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"becomes {bool(value)}"
    if declared == "INT" and isinstance(value, float) and math.isfinite(value) \
            and not value.is_integer():
        return f"is truncated to {int(value)}"
    if declared in ("INT", "FLOAT") and isinstance(value, bool):
        return f"becomes {int(value) if declared == 'INT' else float(value)}"
    if declared == "FLOAT" and isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number (NaN and Infinity pass every range check)"
    return None


class LossyCoercion(Rule):
    code = "T308"
    name = "lossy-coercion"
    summary = 'A literal the server silently converts into something else ("false" → True, '\
              "20.7 → 20, NaN)."
    severity = Severity.WARNING
    fixable = False

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        for node_id, _node_def, name, spec, raw in node_inputs_with_specs(ctx):
            if not isinstance(spec.type, str):
                continue
            reason = lossy_reason(spec.type, unwrap_value(raw))
            if reason:
                yield ctx.report(
                    f"{ctx.label(node_id)} input {name!r} is {raw!r}, which {reason}",
                    node_id=node_id, input=name,
                    help=f"Write a JSON {spec.type.lower() if spec.type != 'BOOLEAN' else 'true/false'}"
                         " of the intended value.")
