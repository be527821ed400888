"""The baseline: a committed file of known findings, so that only new ones are reported.

It matches findings by a fingerprint of (code, file, node id, class type, input), never by line
numbers or messages, so edits elsewhere in a file do not invalidate it. Entries that match nothing
are reported as C001 (unused-suppression).
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..diagnostics import Diagnostic, fingerprint
from ..errors import ComfylintError
from ..reading import MAX_SETTINGS_BYTES, read_limited

if TYPE_CHECKING:
    from ..diagnostics import FileResult

BASELINE_VERSION = 1
RuleRan = Callable[[str, str], bool]  # (code, path): did that rule judge that file in this run?
NOT_BASELINED = {"C001", "C002"}  # findings about comfylint itself never go into a baseline


# -- the baseline -------------------------------------------------------------
def relative_to(path: str, directory: Path) -> str:
    try:
        return Path(os.path.relpath(os.path.abspath(path), directory)).as_posix()
    except ValueError:
        return Path(os.path.abspath(path)).as_posix()


class BaselineError(ComfylintError):
    pass


@dataclass
class Baseline:
    """A committed file of known findings: they are not reported, new ones are."""

    path: Path
    entries: dict[str, dict] = field(default_factory=dict)  # fingerprint -> entry (with count)

    @property
    def directory(self) -> Path:
        return self.path.resolve().parent

    @classmethod
    def load(cls, path: "str | Path") -> "Baseline":
        path = Path(path)
        try:
            document = json.loads(read_limited(path, MAX_SETTINGS_BYTES).decode("utf-8"))
        except FileNotFoundError:
            raise BaselineError(f"baseline file not found: {path} (create it with "
                                "`comfylint baseline write`)") from None
        except (OSError, ValueError, RecursionError) as exc:
            raise BaselineError(f"{path}: not a readable baseline: "
                                f"{getattr(exc, 'strerror', None) or exc}") from None
        entries = document.get("entries") if isinstance(document, dict) else None
        if not isinstance(entries, list) or not all(
                isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries):
            raise BaselineError(f'{path}: not a comfylint baseline (expected {{"entries": [...]}})')
        return cls(path, {e["fingerprint"]: dict(e) for e in entries})

    @classmethod
    def from_results(cls, path: "str | Path", results: "list[FileResult]") -> "Baseline":
        baseline = cls(Path(path))
        for result in results:
            for diag in result.diagnostics:
                baseline.add(diag)
        return baseline

    def add(self, diag: Diagnostic, count: int = 1) -> None:
        if diag.code in NOT_BASELINED:
            return
        rel = relative_to(diag.file or "", self.directory)
        key = fingerprint(diag, rel)
        entry = self.entries.setdefault(key, {
            "fingerprint": key, "code": diag.code, "file": rel, "node_id": diag.node_id,
            "class_type": diag.class_type, "input": diag.input, "count": 0,
            "message": diag.message})
        entry["count"] += count

    def apply(self, results: "list[FileResult]") -> tuple[int, Counter]:
        """Drop baselined findings from `results`. Returns (suppressed, matches per fingerprint)."""
        matched: Counter = Counter()
        suppressed = 0
        for result in results:
            kept = []
            for diag in result.diagnostics:
                key = fingerprint(diag, relative_to(diag.file or result.path, self.directory))
                entry = self.entries.get(key)
                if entry is not None and matched[key] < entry.get("count", 1):
                    matched[key] += 1
                    suppressed += 1
                    continue
                kept.append(diag)
            result.diagnostics = kept
        return suppressed, matched

    def unused(self, results: "list[FileResult]", matched: Counter,
               rule_ran: "RuleRan") -> list[Diagnostic]:
        """C001 for entries about files linted in this run that matched no finding, among those
        whose rule ran on the file (not deselected, not switched off by per-file-ignores)."""
        linted = {relative_to(r.path, self.directory): r.path for r in results if not r.skipped}
        out = []
        for key, entry in sorted(self.entries.items(), key=lambda kv: _entry_order(kv[1])):
            shown = linted.get(str(entry.get("file")))
            if shown is None or matched[key] or not rule_ran(str(entry.get("code")), shown):
                continue
            where = f" at node #{entry['node_id']}" if entry.get("node_id") else ""
            where += f" input {entry['input']!r}" if entry.get("input") else ""
            out.append(_c001().finding(
                shown, f"baseline entry {entry.get('code')}{where} in {self.path} matches no finding; "
                "run `comfylint baseline prune`", node_id=entry.get("node_id"),
                class_type=entry.get("class_type")))
        return out

    def pruned(self, results: "list[FileResult]", matched: Counter,
               rule_ran: "RuleRan") -> "Baseline":
        """Entries kept at the count still matched; files gone from disk lose their entries;
        entries whose rule did not run on their file (deselected, per-file-ignores) are kept."""
        linted = {relative_to(r.path, self.directory): r.path for r in results if not r.skipped}
        kept = Baseline(self.path)
        for key, entry in self.entries.items():
            rel = entry.get("file", "")
            if rel in linted and rule_ran(str(entry.get("code")), linted[rel]):
                if matched[key]:
                    kept.entries[key] = dict(entry, count=matched[key])
            elif rel in linted or os.path.exists(self.directory / rel):
                kept.entries[key] = dict(entry)
        return kept

    def dumps(self) -> str:
        entries = sorted(self.entries.values(), key=_entry_order)
        document = {"version": BASELINE_VERSION, "tool": "comfylint", "entries": entries}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def write(self) -> None:
        from ..writing import write_file

        write_file(self.path, self.dumps())


def _entry_order(entry: dict) -> tuple:
    node = entry.get("node_id") or ""
    return (entry.get("file") or "", entry.get("code") or "",
            (len(node), node) if node.isdigit() else (0, node), entry.get("input") or "")


def _c001():
    from ..rules import load_rule

    return load_rule("C001")
