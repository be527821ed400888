"""The --fix framework: apply findings' Fix edits to the file's text, keeping everything else.

Edits are JSON pointers into the document. Rather than re-serialising the whole document, each
edit is spliced into the original text at the value's span (found with the loader's position
index), so indentation, key order, spacing, line endings and a BOM stay as they were. Every
result is checked: the spliced text must parse to exactly the document the edits describe.

Fixes are applied in passes (lint → apply non-overlapping fixes → lint again) until nothing is
left to apply, so a second `--fix` run changes nothing. Each pass is linear in the text and the
number of fixes (an 800 KB file with 1,600 fixes: benchmarks/fix_speed.py).
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..diagnostics import Diagnostic, Edit, Fix

MAX_PASSES = 8
UNFIXABLE_LOAD_CODES = {"F001", "F002"}  # invalid JSON or duplicate keys: spans are unreliable
_INDENT = re.compile(r"\n([ \t]+)\S")
_decoder = json.JSONDecoder()


@dataclass
class FixOutcome:
    path: str
    original: bytes
    fixed: bytes
    applied: list[str] = field(default_factory=list)  # fix descriptions, in order

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def chosen_fixes(diagnostics: list[Diagnostic], unsafe: bool) -> list[Fix]:
    return [d.fix for d in diagnostics if d.fix is not None and d.fix.edits
            and (d.fix.safe or unsafe)]


def fix_file(path: str, data: bytes, lint: Callable[[bytes], tuple[Any, list[Diagnostic]]],
             unsafe: bool) -> FixOutcome:
    """Apply fixes to one file's bytes until none applies. `lint(data)` returns (loaded, findings)
    for the current bytes (after suppressions). Nothing is written here."""
    outcome = FixOutcome(path, data, data)
    for _ in range(MAX_PASSES):
        loaded, diagnostics = lint(outcome.fixed)
        if loaded.text is None or any(d.code in UNFIXABLE_LOAD_CODES for d in loaded.diagnostics):
            break
        fixes = chosen_fixes(diagnostics, unsafe)
        if not fixes:
            break
        text, applied = apply_fixes(loaded.text, loaded.positions, fixes)
        if not applied:
            break
        outcome.fixed = _encode_like(text, outcome.original)
        outcome.applied.extend(applied)
    return outcome


def _encode_like(text: str, original: bytes) -> bytes:
    """The fixed text in the original's encoding. A lone surrogate a fix wrote (raw, in a string)
    becomes its JSON escape (backslashreplace writes exactly that)."""
    if original.startswith(b"\xef\xbb\xbf"):
        return b"\xef\xbb\xbf" + text.encode("utf-8", "backslashreplace")
    if original.startswith((b"\xff\xfe", b"\xfe\xff")):
        return text.encode("utf-16", "backslashreplace")
    return text.encode("utf-8", "backslashreplace")


# -- splicing ------------------------------------------------------------------------------------
@dataclass
class _Splice:
    start: int
    end: int
    text: str


def apply_fixes(text: str, positions, fixes: list[Fix]) -> tuple[str, list[str]]:
    """Splice every fix that does not overlap an earlier one. Returns (new text, descriptions).

    One pass, linear in the text and the fixes: each fix is checked against its neighbours among
    the accepted splices (kept sorted), its edits are applied to one parsed copy of the document
    (undone if they do not apply), and the text is rebuilt once. The result must parse to that
    copy, or nothing is applied."""
    try:
        expected = json.loads(text)  # a fresh copy to apply the edits to (no deepcopy: any depth)
    except (ValueError, RecursionError):
        return text, []
    style = _Style.detect(text)
    accepted = _Accepted()
    applied = []
    for fix in fixes:
        found = [_splice_for(edit, text, positions, style) for edit in fix.edits]
        splices = [s for s in found if s is not None]
        if len(splices) < len(found) or any(accepted.overlaps(s) for s in splices):
            continue
        if _overlaps_each_other(splices) or all(text[s.start:s.end] == s.text for s in splices):
            continue  # overlapping, or a no-op (e.g. a value an envelope's override replaces)
        undo: list[Callable[[], None]] = []
        before = expected
        try:
            for edit in fix.edits:
                expected = _apply_to_document(expected, edit, undo)
        except (KeyError, IndexError, TypeError, ValueError):
            for step in reversed(undo):
                step()
            expected = before
            continue
        for splice in splices:
            accepted.add(splice)
        applied.append(fix.description)
    if not accepted.splices:
        return text, []
    pieces, position = [], 0
    for splice in accepted.splices:
        pieces += [text[position:splice.start], splice.text]
        position = splice.end
    pieces.append(text[position:])
    new_text = "".join(pieces)
    try:
        if json.loads(new_text) != expected:  # the splice went wrong somewhere: never a surprise
            return text, []
    except (ValueError, RecursionError):
        return text, []
    return new_text, applied


def _overlaps(a: _Splice, b: _Splice) -> bool:
    if a.start == a.end or b.start == b.end:
        return a.start == b.start or (b.start < a.start < b.end) or (a.start < b.start < a.end)
    return a.start < b.end and b.start < a.end


def _overlaps_each_other(splices: list[_Splice]) -> bool:
    return any(_overlaps(a, b) for i, a in enumerate(splices) for b in splices[i + 1:])


class _Accepted:
    """Accepted splices, sorted and pairwise non-overlapping. A new one can only overlap those
    starting within its reach, those starting where it starts, and the last non-empty splice
    starting before it (non-empty ones are disjoint, so that one reaches furthest): a few
    comparisons, found by bisection, not one per accepted splice."""

    def __init__(self) -> None:
        self.splices: list[_Splice] = []
        self._keys: list[tuple[int, int]] = []
        self._filled: list[_Splice] = []  # the non-empty ones
        self._filled_starts: list[int] = []

    def overlaps(self, splice: _Splice) -> bool:
        index = bisect.bisect_left(self._keys, (splice.start, splice.end))
        for other in self.splices[index:]:
            if other.start > splice.end:
                break
            if _overlaps(splice, other):
                return True
        for other in reversed(self.splices[:index]):
            if other.start != splice.start:
                break
            if _overlaps(splice, other):
                return True
        before = bisect.bisect_left(self._filled_starts, splice.start) - 1
        return before >= 0 and _overlaps(splice, self._filled[before])

    def add(self, splice: _Splice) -> None:
        index = bisect.bisect_left(self._keys, (splice.start, splice.end))
        self._keys.insert(index, (splice.start, splice.end))
        self.splices.insert(index, splice)
        if splice.start != splice.end:
            index = bisect.bisect_left(self._filled_starts, splice.start)
            self._filled_starts.insert(index, splice.start)
            self._filled.insert(index, splice)


@dataclass
class _Style:
    indent: str | None  # one indentation step, or None for single-line JSON
    ensure_ascii: bool

    @classmethod
    def detect(cls, text: str) -> "_Style":
        match = _INDENT.search(text)
        return cls(indent=match.group(1) if match else None,
                   ensure_ascii=text.isascii() and "\\u" in text)

    def dumps(self, value: Any, line_indent: str) -> str:
        if self.indent is None:
            return json.dumps(value, ensure_ascii=self.ensure_ascii)
        rendered = json.dumps(value, indent=self.indent, ensure_ascii=self.ensure_ascii)
        return rendered.replace("\n", "\n" + line_indent)


def _line_indent(text: str, offset: int) -> str:
    line_start = text.rfind("\n", 0, offset) + 1
    stripped = len(text[line_start:offset]) - len(text[line_start:offset].lstrip(" \t"))
    return text[line_start:line_start + stripped]


def _value_span(text: str, start: int) -> tuple[int, int]:
    _value, end = _decoder.raw_decode(text, start)
    return start, end


def _splice_for(edit: Edit, text: str, positions, style: _Style) -> _Splice | None:
    if positions is None:
        return None
    if edit.pointer == "":
        if edit.remove:
            return None
        start, end = _value_span(text, positions.value_at.get("", 0))
        return _Splice(start, end, style.dumps(edit.value, ""))
    start = positions.value_at.get(edit.pointer)
    if start is not None:
        start, end = _value_span(text, start)
        if edit.remove:
            return _removal(edit.pointer, text, positions, start, end)
        return _Splice(start, end, style.dumps(edit.value, _line_indent(text, start)))
    if edit.remove:
        return None
    return _insertion(edit, text, positions, style)


def _removal(pointer: str, text: str, positions, start: int, end: int) -> _Splice:
    """Delete an object member or array item together with one neighbouring comma."""
    first = positions.key_at.get(pointer, start)
    before = first - 1
    while before >= 0 and text[before] in " \t\r\n":
        before -= 1
    if text[before] == ",":
        return _Splice(before, end, "")
    after = end
    while after < len(text) and text[after] in " \t\r\n":
        after += 1
    if text[after] == ",":
        after += 1
        while after < len(text) and text[after] in " \t\r\n":
            after += 1
        return _Splice(first, after, "")
    return _Splice(first, end, "")


def _insertion(edit: Edit, text: str, positions, style: _Style) -> _Splice | None:
    """Add a new member at the end of an existing object, in the style of its other members."""
    parent, _, token = edit.pointer.rpartition("/")
    key = token.replace("~1", "/").replace("~0", "~")
    parent_start = positions.value_at.get(parent)
    if parent_start is None or text[parent_start] != "{":
        return None
    _, parent_end = _value_span(text, parent_start)
    close = parent_end - 1
    inside = parent_start + 1
    while inside < close and text[inside] in " \t\r\n":
        inside += 1
    if inside == close:  # empty object
        return _Splice(inside, inside, f"{json.dumps(key)}: {style.dumps(edit.value, '')}")
    first_key_end = _decoder.raw_decode(text, inside)[1]
    colon = text.index(":", first_key_end)
    value_start = colon + 1
    while text[value_start] in " \t\r\n":
        value_start += 1
    key_separator = text[first_key_end:value_start]
    last = close - 1
    while text[last] in " \t\r\n":
        last -= 1
    gap = text[parent_start + 1:inside]
    if "\n" in gap:
        member_indent = gap[gap.rfind("\n") + 1:]
        separator = "," + ("\r\n" if "\r\n" in gap else "\n") + member_indent
    else:
        member_indent = _line_indent(text, inside)
        separator = ", " if ", " in text[inside:close] or not style.indent else ","
    rendered = json.dumps(key, ensure_ascii=style.ensure_ascii) + key_separator + \
        style.dumps(edit.value, member_indent)
    return _Splice(last + 1, last + 1, separator + rendered)


# -- the same edits on the parsed document (to verify the splice) ------------------------------
def _apply_to_document(document: Any, edit: Edit, undo: list) -> Any:
    """Apply one edit in place (the new root for a whole-document edit), recording how to undo it."""
    if edit.pointer == "":
        return _copy_value(edit.value)  # a removal of the root never gets here (no splice)
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in edit.pointer[1:].split("/")]
    target = document
    for token in tokens[:-1]:
        target = target[int(token)] if isinstance(target, list) else target[token]
    last = tokens[-1]
    if isinstance(target, list):
        index = int(last)
        old = target[index]
        if edit.remove:
            del target[index]
            undo.append(lambda: target.insert(index, old))
        else:
            target[index] = _copy_value(edit.value)
            undo.append(lambda: target.__setitem__(index, old))
    elif isinstance(target, dict):
        if edit.remove:
            old = target.pop(last)
            undo.append(lambda: target.__setitem__(last, old))
        else:
            missing = last not in target
            old = target.get(last)
            target[last] = _copy_value(edit.value)
            undo.append(lambda: target.pop(last) if missing else target.__setitem__(last, old))
    else:
        raise TypeError("edit into a scalar")
    return document


def _copy_value(value: Any) -> Any:
    """An edit's value as the document holds it after the splice (a fresh JSON copy)."""
    return json.loads(json.dumps(value))


# -- writing -------------------------------------------------------------------------------------
def unified_diff(outcome: FixOutcome) -> str:
    import difflib

    before = outcome.original.decode("utf-8-sig", "replace").splitlines(keepends=True)
    after = outcome.fixed.decode("utf-8-sig", "replace").splitlines(keepends=True)
    lines = difflib.unified_diff(before, after, fromfile=f"a/{outcome.path}",
                                 tofile=f"b/{outcome.path}")
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)
    return text
