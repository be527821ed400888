"""The records everyone shares: a finding (Diagnostic), its fix, its severity, one file's result.

Their dict forms are the public JSON contract (DESIGN.md, schemas/output.schema.json): add fields,
never rename or remove them.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """Ordered so that `severity >= threshold` means "at least as bad as"."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


@dataclass(slots=True)
class Edit:
    """Set (or, with `remove`, delete) the value at a JSON pointer of the workflow document."""

    pointer: str
    value: Any = None
    remove: bool = False

    def to_dict(self) -> dict:
        return {"pointer": self.pointer, "value": self.value, "remove": self.remove}


@dataclass(slots=True)
class Fix:
    """A proposed change. `safe` fixes run with --fix; unsafe ones need --unsafe-fixes."""

    description: str
    edits: list[Edit] = field(default_factory=list)
    safe: bool = True

    def to_dict(self) -> dict:
        return {"description": self.description, "safe": self.safe,
                "edits": [edit.to_dict() for edit in self.edits]}


@dataclass(slots=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    file: str | None = None
    node_id: str | None = None
    class_type: str | None = None
    input: str | None = None
    pointer: str | None = None
    line: int | None = None
    column: int | None = None
    server_error_type: str | None = None
    help: str | None = None
    fix: Fix | None = None
    title: str | None = None

    def to_dict(self) -> dict:
        """The JSON output contract: key order is stable and every key is always present."""
        return {
            "file": self.file,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "node_id": self.node_id,
            "class_type": self.class_type,
            "input": self.input,
            "pointer": self.pointer,
            "line": self.line,
            "column": self.column,
            "server_error_type": self.server_error_type,
            "help": self.help,
            "fix": self.fix.to_dict() if self.fix else None,
        }

    def sort_key(self) -> tuple:
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.node_id or "",
                self.input or "")


@dataclass
class FileResult:
    """One document's verdict: what the engine returns and every renderer reads."""

    path: str
    format: str | None
    envelope: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: bool = False  # non-workflow JSON found while walking a directory
    suppressed: int = 0  # findings dropped by per-file ignores and node-level suppressions
    text: str | None = field(default=None, repr=False)  # for snippets in human output
    masked: bool = False  # the document holds secrets: findings and text show them masked

    @property
    def status(self) -> str:
        if self.skipped:
            return "skipped"
        if any(d.code == "F001" for d in self.diagnostics):
            return "error"
        return "findings" if self.diagnostics else "ok"

    def to_dict(self) -> dict:
        return {"path": self.path, "format": self.format, "envelope": self.envelope,
                "status": self.status}


def fingerprint(diag: Diagnostic, relative_file: str) -> str:
    """Stable identity of a finding (the baseline's key): no line numbers, no message text."""
    import hashlib

    parts = [diag.code, relative_file, diag.node_id or "", diag.class_type or "", diag.input or ""]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def node_label(node_id: str | None, class_type: str | None, title: str | None = None) -> str:
    """`#6 CLIPTextEncode "Positive"`: how messages name a node."""
    text = f"#{node_id}" if node_id is not None else "#?"
    if class_type:
        text += f" {class_type}"
    if title and title != class_type:
        text += f' "{title}"'
    return text


def json_kind(value: object) -> str:
    """What a parsed JSON value is, in JSON's words ("object", "array", "null", ...)."""
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}.get(type(value), type(value).__name__)


def closest_spelling(value: object, candidates, cutoff: float = 0.6) -> str | None:
    """The candidate a misspelt string most likely meant: a case-insensitive match first, then
    the closest spelling (difflib), or None."""
    if not isinstance(value, str):
        return None
    strings = [c for c in candidates if isinstance(c, str)]
    lowered = value.lower()
    for candidate in strings:
        if candidate.lower() == lowered:
            return candidate
    import difflib

    close = difflib.get_close_matches(value, strings, n=1, cutoff=cutoff)
    return close[0] if close else None

