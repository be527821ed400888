from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ...ui import conversion
from ..base import Context, Rule

# Reasons other rules already report (widget drift, unknown or legacy nodes).
COVERED = ("widget values where its definition has", "which the catalog does not know",
           "legacy group node")


class InexactExport(Rule):
    """What the frontend would send cannot be known exactly from the file alone.

    Dynamic-prompt syntax and `%…%` placeholders are rewritten by the frontend at export time;
    a PrimitiveNode behind a Reroute is sent by old frontends but not by new ones. The lint (and
    `comfylint convert`) use the stored values.
    """

    code = "U005"
    name = "inexact-export"
    summary = "The frontend rewrites some values when it exports (dynamic prompts, %…% names, ...)."
    severity = Severity.INFO
    formats = ("ui",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        # A conversion that crashed is the engine's C002 (exit 2, whatever rules are selected).
        from ...ui.convert import HEURISTIC

        result = conversion(ctx.loaded)
        if result is None or result.grade != HEURISTIC:
            return
        for reason in dict.fromkeys(result.reasons):
            if not any(text in reason for text in COVERED):
                yield ctx.report(f"export is not exact: {reason}", pointer=ctx.pointer())
