"""The records everyone shares: a finding (Diagnostic), its fix, its severity, one file's result.

Their dict forms are the public JSON contract (DESIGN.md, schemas/output.schema.json): add fields,
never rename or remove them.
"""
from __future__ import annotations

import enum
import heapq
import re
from collections.abc import Iterable
from typing import Any

from .record import Record


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


class Edit(Record):
    """Set (or, with `remove`, delete) the value at a JSON pointer of the workflow document."""

    __slots__ = ("pointer", "value", "remove")

    def __init__(self, pointer: str, value: Any = None, remove: bool = False) -> None:
        self.pointer = pointer
        self.value = value
        self.remove = remove

    def to_dict(self) -> dict:
        return {"pointer": self.pointer, "value": self.value, "remove": self.remove}


class Fix(Record):
    """A proposed change. `safe` fixes run with --fix; unsafe ones need --unsafe-fixes."""

    __slots__ = ("description", "edits", "safe")

    def __init__(self, description: str, edits: list[Edit] | None = None,
                 safe: bool = True) -> None:
        self.description = description
        self.edits = edits if edits is not None else []
        self.safe = safe

    def to_dict(self) -> dict:
        return {"description": self.description, "safe": self.safe,
                "edits": [edit.to_dict() for edit in self.edits]}


class Diagnostic(Record):
    """A finding."""

    __slots__ = ("code", "name", "severity", "message", "file", "node_id", "class_type", "input",
                 "pointer", "line", "column", "server_error_type", "help", "fix", "title")

    def __init__(self, code: str, name: str, severity: Severity, message: str,
                 file: str | None = None, node_id: str | None = None,
                 class_type: str | None = None, input: str | None = None,
                 pointer: str | None = None, line: int | None = None, column: int | None = None,
                 server_error_type: str | None = None, help: str | None = None,
                 fix: Fix | None = None, title: str | None = None) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.message = message
        self.file = file
        self.node_id = node_id
        self.class_type = class_type
        self.input = input
        self.pointer = pointer
        self.line = line
        self.column = column
        self.server_error_type = server_error_type
        self.help = help
        self.fix = fix
        self.title = title

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


class FileResult(Record):
    """One document's verdict: what the engine returns and every renderer reads (equal but for
    the view it may keep)."""

    __slots__ = ("path", "format", "envelope", "diagnostics", "skipped", "suppressed", "text",
                 "masked", "requirements", "view")

    def __init__(self, path: str, format: str | None, envelope: str | None,
                 diagnostics: list[Diagnostic] | None = None, skipped: bool = False,
                 suppressed: int = 0, text: str | None = None, masked: bool = False,
                 requirements: dict | None = None, view: Any = None) -> None:
        self.path = path
        self.format = format
        self.envelope = envelope
        self.diagnostics = diagnostics if diagnostics is not None else []
        self.skipped = skipped  # non-workflow JSON found while walking a directory
        self.suppressed = suppressed  # findings dropped by per-file ignores and suppressions
        self.text = text  # for snippets in human output
        self.masked = masked  # the document holds secrets: findings and text show them masked
        # What the workflow needs from the server (engine/requirements.py); None: no API view
        self.requirements = requirements
        self.view = view  # engine.lint_document(keep_view)

    def _fields(self) -> tuple:
        return (self.path, self.format, self.envelope, self.diagnostics, self.skipped,
                self.suppressed, self.text, self.masked, self.requirements)

    @property
    def status(self) -> str:
        if self.skipped:
            return "skipped"
        if any(d.code == "F001" for d in self.diagnostics):
            return "error"
        return "findings" if self.diagnostics else "ok"

    def to_dict(self) -> dict:
        return {"path": self.path, "format": self.format, "envelope": self.envelope,
                "status": self.status, "requirements": self.requirements}


def fingerprint(diag: Diagnostic, relative_file: str) -> str:
    """Stable identity of a finding (the baseline's key): no line numbers, no message text."""
    import hashlib

    parts = [diag.code, relative_file, diag.node_id or "", diag.class_type or "", diag.input or ""]
    # surrogatepass: a lone surrogate (valid in JSON text) has a fingerprint too
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


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


def close_matches(word: str, possibilities: Iterable[str], n: int = 3,
                  cutoff: float = 0.6) -> list[str]:
    """difflib.get_close_matches(word, possibilities, n, cutoff), the same list, for less: a
    candidate equal to `word` scores 1.0 without a matcher, and a SequenceMatcher is built only
    for candidates whose cheap upper bounds (difflib's real_quick_ratio and quick_ratio, the same
    arithmetic) reach the cutoff. Findings ask it for every misspelt name."""
    scored: list[tuple[float, str]] = []
    size = len(word)
    counts: dict[str, int] | None = None  # how often each element occurs in `word`
    matcher = None
    for candidate in possibilities:
        if candidate == word:
            scored.append((1.0, candidate))  # (SequenceMatcher's ratio of equal sequences)
            continue
        total = len(candidate) + size
        if 2.0 * min(len(candidate), size) / total < cutoff:  # real_quick_ratio (total > 0 here)
            continue
        if counts is None:
            counts = {}
            for element in word:
                counts[element] = counts.get(element, 0) + 1
        matches, left = 0, dict(counts)  # quick_ratio: the elements both hold, with repeats
        for element in candidate:
            if left.get(element, 0) > 0:
                left[element] -= 1
                matches += 1
        if 2.0 * matches / total < cutoff:
            continue
        if matcher is None:
            from difflib import SequenceMatcher

            matcher = SequenceMatcher()
            matcher.set_seq2(word)
        matcher.set_seq1(candidate)
        score = matcher.ratio()
        if score >= cutoff:
            scored.append((score, candidate))
    return [candidate for _score, candidate in heapq.nlargest(n, scored)]


class TypoIndex:
    """Candidate names arranged for typo_correction: the first of each lower-case spelling, and
    every name grouped by its length (with its place among the candidates and its lower case).
    A catalog keeps one for its node classes (Catalog.typo_index), and with it the corrections
    found so far: the same unknown types come back in document after document, and each costs
    an edit distance to every name of a length within reach."""

    __slots__ = ("by_lower", "by_length", "corrections")

    def __init__(self, candidates: Iterable[object]) -> None:
        self.by_lower: dict[str, str] = {}
        self.by_length: dict[int, list[tuple[int, str, str]]] = {}
        self.corrections: dict[str, str | None] = {}  # value -> typo_correction (the candidates never change)
        strings = [c for c in candidates if isinstance(c, str)]
        for place, name in enumerate(strings):
            lower = name.lower()
            self.by_lower.setdefault(lower, name)
            self.by_length.setdefault(len(name), []).append((place, name, lower))


def typo_correction(value: object, candidates: "Iterable[object] | TypoIndex") -> str | None:
    """The one candidate `value` is a typo of, or None: a match ignoring case, else the single
    nearest name within a typo's reach (one edit up to 7 characters, two from 8; an edit is a
    letter inserted, deleted, replaced or two neighbours swapped). A name that merely shares a
    long part with another (SeargePreviewImage, PreviewImage) is a different name, not a typo.
    Only names of a length within reach are compared (TypoIndex groups them so)."""
    if not isinstance(value, str) or not value:
        return None
    if not isinstance(candidates, TypoIndex):
        return _typo_correction(value, TypoIndex(candidates))
    known = candidates.corrections
    try:
        return known[value]
    except KeyError:  # (or another thread just cleared it)
        pass
    found = _typo_correction(value, candidates)
    if len(known) >= TYPO_MEMO_SIZE:
        known.clear()  # (a service sees endless made-up names: keep the memo small)
    known[value] = found
    return found


TYPO_MEMO_SIZE = 1024  # corrections a TypoIndex keeps


def _typo_correction(value: str, index: TypoIndex) -> str | None:
    lowered = value.lower()
    same_case = index.by_lower.get(lowered)
    if same_case is not None:
        return same_case
    best: list[str] = []
    best_distance = typo_reach(value)  # ties at the best distance so far are kept
    size = len(value)
    within = sorted(entry for length in range(size - best_distance, size + best_distance + 1)
                    for entry in index.by_length.get(length, ()))  # (in the candidates' order)
    for _place, candidate, lower in within:
        if abs(len(candidate) - size) > best_distance:
            continue
        distance = edit_distance(lowered, lower, best_distance)
        if distance > best_distance:
            continue
        if distance < best_distance or not best:
            best, best_distance = [candidate], distance
        else:
            best.append(candidate)
    if len(best) != 1:
        return None  # two equally near names: no guess
    return None if _versions_apart(value, best[0]) else best[0]


_VERSION_TAG = re.compile(r"(?:[A-Z]|v)?\d+")  # V2, v2, P1, 4: what new versions add to a name


def _versions_apart(a: str, b: str) -> bool:
    """Names that differ only in version tags (GeminiNodeV2, GeminiNode; Vidu4..., Vidu...) are
    two versions of a node, not a typo."""
    return _VERSION_TAG.sub("", a).lower() == _VERSION_TAG.sub("", b).lower()


def typo_reach(value: str) -> int:
    """How many edits a typo of `value` may be: one for short names, two from 8 characters."""
    return 1 if len(value) < 8 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap of neighbours) from `a` to `b`, or `limit + 1` as soon
    as the distance is known to exceed `limit` (optimal string alignment; only the diagonal band
    of width `limit` is computed, cells outside it count as too far)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    far = limit + 1
    previous2: list[int] = []
    previous = [j if j <= limit else far for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        current = [far] * (len(b) + 1)
        row_best = current[0] = i if i <= limit else far
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best = min(best, far)
            row_best = min(row_best, best)
        if row_best > limit:
            return far
        previous2, previous = previous, current
    return previous[-1]
