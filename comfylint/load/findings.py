"""Load-stage findings. The loader only detects; the F-rules own names, severities and help.

Each helper returns a Diagnostic carrying just the code and the facts; the engine's F-rule for
that code fills in the rest (so select/ignore/severity overrides apply as for any rule).
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Severity
from .positions import PositionIndex


def _raw(code: str, path: str, message: str, **where) -> Diagnostic:
    return Diagnostic(code=code, name="", severity=Severity.ERROR, message=message, file=path,
                      **where)


def unreadable(path: str, reason: str) -> Diagnostic:
    return _raw("F001", path, f"cannot read the file: {reason}", line=1, column=1)


def invalid_json(path: str, reason: str, line: int, column: int) -> Diagnostic:
    return _raw("F001", path, f"invalid JSON: {reason}", line=line, column=column, pointer="")


def duplicate_keys(path: str, positions: PositionIndex | None) -> list[Diagnostic]:
    found = positions.duplicates if positions else []
    out = []
    for pointer in list(dict.fromkeys(found)) or [""]:
        key = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        first = positions.locate_key(pointer) if positions and pointer else None
        repeat = positions.duplicate_key_at.get(pointer) if positions and pointer else None
        where = positions.line_col(repeat) if positions and repeat is not None else first
        seen = f" (first at line {first[0]})" if first and where and first != where else ""
        out.append(_raw(
            "F002", path,
            f"duplicate key {key!r}{seen}: JSON parsers keep only the last one, so the earlier "
            "value is silently lost" if pointer else "the file has duplicate keys",
            pointer=pointer, line=where[0] if where else None, column=where[1] if where else None))
    return out


def not_a_workflow(path: str, reason: str) -> Diagnostic:
    return _raw("F003", path, f"not a ComfyUI workflow: {reason}", pointer="")


def ui_not_api(path: str, where: str, pointer: str = "") -> Diagnostic:
    return _raw("F004", path, f"{where} is a UI-format workflow (what the editor saves), but the API "
                "format is required here", pointer=pointer, server_error_type="invalid_prompt")


def malformed_envelope(path: str, message: str, pointer: str = "",
                       server_error_type: str | None = None) -> Diagnostic:
    return _raw("F005", path, message, pointer=pointer, server_error_type=server_error_type)
