"""GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`), then a plain
listing and summary: GitHub shows only 10 annotations of each kind per step, so the log must
still carry every finding."""
from __future__ import annotations

from typing import TextIO

from ..diagnostics import Severity
from . import RenderOptions
from .concise import location, summary_line
from .style import Style

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diag) -> str:
    props = [f"file={escape_property(diag.file or '-')}"]
    if diag.line:
        props.append(f"line={diag.line}")
        props.append(f"col={diag.column or 1}")
    props.append(f"title={escape_property(f'{diag.code} {diag.name}')}")
    message = diag.message + (f"\n{diag.help}" if diag.help else "")
    return f"::{COMMANDS[diag.severity]} {','.join(props)}::{escape_data(message)}"


def render(results, stream: TextIO, options: RenderOptions) -> None:
    diagnostics = [d for r in results for d in r.diagnostics]
    for diag in diagnostics:
        stream.write(annotation(diag) + "\n")
    plain = Style(False)
    for diag in diagnostics:
        stream.write(f"{location(diag)}: {diag.code} [{diag.severity.label}] {diag.message}\n")
    stream.write(summary_line(results, plain) + "\n")
