"""F rules: problems found while reading the file, before any graph exists."""
from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule


class LoadStageRule(Rule):
    """The loader detects these; the rule gives them its identity, severity and help."""

    formats = ("*",)
    loader_findings = True
    help: str | None = None

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        for diag in ctx.loaded.diagnostics:
            if diag.code == self.code:
                diag.name = self.name
                # The loader may know a finding is milder than the rule's default.
                diag.severity = min(diag.severity, self.severity)
                diag.help = diag.help or self.help
                if diag.server_error_type is None and diag.severity == Severity.ERROR:
                    # Only a finding the server would reject carries the server's error type.
                    diag.server_error_type = self.server_error_type
                diag.server_error_type = ctx.catalog.release.server.error_type(
                    diag.server_error_type)
                yield diag
