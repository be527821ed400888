from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule


class UnusedSuppression(Rule):
    """Produced by comfylint/suppress.py, which applies suppressions and so knows which matched."""

    code = "C001"
    name = "unused-suppression"
    summary = ("A node-level suppression or baseline entry that matches no finding, or a node-level "
               "suppression without a reason.")
    severity = Severity.WARNING
    formats = ()  # reported where suppressions are applied, never run on a document

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        return ()

    def finding(self, path: str, message: str, *, node_id: str | None = None,
                class_type: str | None = None, pointer: str | None = None,
                help: str | None = None) -> Diagnostic:
        return Diagnostic(code=self.code, name=self.name, severity=self.severity, message=message,
                          file=path, node_id=node_id, class_type=class_type, pointer=pointer,
                          help=help)
