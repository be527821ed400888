"""One line per finding: `path:line:col: CODE [severity] message`."""
from __future__ import annotations

from typing import TextIO

from . import RenderOptions, counts
from .style import Style


def location(diag) -> str:
    text = diag.file or "-"
    if diag.line:
        text += f":{diag.line}:{diag.column or 1}"
    return text


def render(results, stream: TextIO, options: RenderOptions) -> None:
    style = Style(options.color)
    for result in results:
        for diag in result.diagnostics:
            stream.write(f"{style.bold(location(diag))}: {style.severity(diag.severity, diag.code)} "
                         f"[{diag.severity.label}] {diag.message}\n")
    stream.write(summary_line(results, style) + "\n")


def summary_line(results, style) -> str:
    tally = counts(results)
    total = tally["errors"] + tally["warnings"] + tally["infos"]
    if not total:
        return style.good(f"All checks passed ({tally['files']} file(s)).")
    return (f"Found {total} finding(s) in {tally['files']} file(s): {tally['errors']} error(s), "
            f"{tally['warnings']} warning(s), {tally['infos']} info.")
