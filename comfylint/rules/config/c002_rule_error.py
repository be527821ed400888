from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule


class RuleError(Rule):
    """Reported by the engine when another rule raises: it has nothing to check itself."""

    code = "C002"
    name = "rule-error"
    summary = "A rule crashed on this file (a comfylint bug); the other rules still ran."
    formats = ()  # reported by the engine, never run on a document

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        return ()
