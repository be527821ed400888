"""Output formats, one module each, imported only when chosen."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, TextIO

from ..record import Record

if TYPE_CHECKING:
    from ..diagnostics import FileResult

FORMATS = {
    "full": "full",
    "concise": "concise",
    "json": "json_output",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
    "gitlab": "gitlab",
}


class RenderOptions(Record):
    """How a report is drawn."""

    __slots__ = ("color", "show_fixes")

    def __init__(self, color: bool = False, show_fixes: bool = True) -> None:
        self.color = color
        self.show_fixes = show_fixes


def render(fmt: str, results: "list[FileResult]", stream: TextIO, options: RenderOptions) -> None:
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    module.render(results, stream, options)


def counts(results: "list[FileResult]") -> dict[str, int]:
    from ..diagnostics import Severity

    tally = {"files": sum(1 for r in results if not r.skipped), "errors": 0, "warnings": 0,
             "infos": 0}
    names = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "infos"}
    for result in results:
        for diag in result.diagnostics:
            tally[names[diag.severity]] += 1
    return tally
