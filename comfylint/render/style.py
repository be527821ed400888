"""ANSI colour, only when the stream is a terminal (the CLI decides)."""
from __future__ import annotations

from ..diagnostics import Severity

_CODES = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def good(self, text: str) -> str:
        return self._wrap("32", text)

    def severity(self, severity: Severity, text: str) -> str:
        return self._wrap("1;" + _CODES[severity], text)
