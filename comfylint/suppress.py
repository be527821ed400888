"""Suppressions: config per-file-ignores and allow-unknown-nodes, node-level keys, the baseline.

JSON has no comments, so a node carries its own suppression:

    API  "3": {"class_type": "KSampler", "inputs": {...},
               "_meta": {"comfylint": {"ignore": ["T304"], "reason": "steps=0 is a preview"}}}
    UI   {"id": 3, "type": "KSampler", "properties": {"comfylint": {"ignore": [...], "reason": "..."}}}

A suppression covers the node's findings (for a subgraph instance: everything inside it). The
`reason` is required; a suppression without one is not applied. Suppressions and baseline
entries that match nothing are reported as C001 (unused-suppression).

The baseline matches findings by a fingerprint of (code, file, node id, class type, input), never
by line numbers or messages, so edits elsewhere in a file do not invalidate it.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .diagnostics import Diagnostic

if TYPE_CHECKING:
    from .config import Config
    from .engine import FileResult
    from .load import LoadedFile

SUPPRESSION_KEY = "comfylint"
BASELINE_VERSION = 1
UNKNOWN_NODE_CODE = "N201"
NOT_BASELINED = {"C001", "C002"}  # findings about comfylint itself never go into a baseline


# -- node-level suppressions ------------------------------------------------------------------
@dataclass
class NodeSuppression:
    scope: tuple  # ("node", id) for top-level nodes, ("subgraph", subgraph id, inner id)
    node_id: str
    selectors: list[str]
    codes_by_selector: dict[str, set[str]]
    reason: str | None
    pointer: str
    used: set[str] = field(default_factory=set)

    def covers(self, code: str) -> str | None:
        for selector, codes in self.codes_by_selector.items():
            if code in codes:
                return selector
        return None


def _rules_for(selector: str) -> set[str] | None:
    from .rules import resolve_selector

    try:
        return {rule.code for rule in resolve_selector(selector)}
    except KeyError:
        return None


def _read_entry(entry: Any, where: str, node_id: str, scope: tuple, path: str,
                problems: list[Diagnostic]) -> NodeSuppression | None:
    from .rules import rules_by_key

    c001 = rules_by_key()["C001"]
    if not isinstance(entry, dict):
        problems.append(c001.finding(path, f"node #{node_id}: the {SUPPRESSION_KEY!r} suppression "
                                     'must be an object {"ignore": [...], "reason": "..."}',
                                     node_id=node_id, pointer=where))
        return None
    raw = entry.get("ignore")
    selectors = [s.strip() for s in raw.split(",")] if isinstance(raw, str) else raw
    if not isinstance(selectors, list) or not selectors or not all(
            isinstance(s, str) and s for s in selectors):
        problems.append(c001.finding(path, f'node #{node_id}: the suppression\'s "ignore" must list '
                                     "rule codes or names; it is not applied",
                                     node_id=node_id, pointer=where))
        return None
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.append(c001.finding(
            path, f"node #{node_id}: the suppression of {', '.join(selectors)} has no \"reason\"; "
            "it is not applied", node_id=node_id, pointer=where,
            help='Add "reason": "why this is fine" next to "ignore".'))
        return None
    codes: dict[str, set[str]] = {}
    for selector in selectors:
        resolved = _rules_for(selector)
        if resolved is None:
            from .rules import suggest_selector

            hint = suggest_selector(selector)
            problems.append(c001.finding(
                path, f"node #{node_id}: the suppression names unknown rule {selector!r}"
                + (f" (did you mean {hint!r}?)" if hint else ""), node_id=node_id, pointer=where))
            continue
        codes[selector] = resolved
    return NodeSuppression(scope, node_id, selectors, codes, reason, where)


def node_suppressions(loaded: "LoadedFile", problems: list[Diagnostic]) -> list[NodeSuppression]:
    """Every node-level suppression in the file (malformed ones become C001 in `problems`)."""
    workflow, base, path = loaded.workflow, loaded.base_pointer, loaded.path
    found: list[NodeSuppression] = []
    if not isinstance(workflow, dict):
        return found
    if loaded.format == "api":
        for node_id, node in workflow.items():
            meta = node.get("_meta") if isinstance(node, dict) else None
            if isinstance(meta, dict) and SUPPRESSION_KEY in meta:
                where = f"{base}/{_escape(node_id)}/_meta/{SUPPRESSION_KEY}"
                entry = _read_entry(meta[SUPPRESSION_KEY], where, node_id, ("node", node_id), path,
                                    problems)
                found.extend([entry] if entry else [])
    elif loaded.format == "ui":
        found.extend(_ui_suppressions(workflow.get("nodes"), f"{base}/nodes", None, path, problems))
        subgraphs = (workflow.get("definitions") or {}).get("subgraphs") \
            if isinstance(workflow.get("definitions"), dict) else None
        for index, subgraph in enumerate(subgraphs if isinstance(subgraphs, list) else []):
            if isinstance(subgraph, dict):
                found.extend(_ui_suppressions(
                    subgraph.get("nodes"), f"{base}/definitions/subgraphs/{index}/nodes",
                    str(subgraph.get("id")), path, problems))
    return found


def _ui_suppressions(nodes: Any, where: str, subgraph_id: str | None, path: str,
                     problems: list[Diagnostic]) -> Iterable[NodeSuppression]:
    for index, node in enumerate(nodes if isinstance(nodes, list) else []):
        props = node.get("properties") if isinstance(node, dict) else None
        if isinstance(props, dict) and SUPPRESSION_KEY in props:
            node_id = str(node.get("id"))
            scope = ("node", node_id) if subgraph_id is None else ("subgraph", subgraph_id, node_id)
            entry = _read_entry(props[SUPPRESSION_KEY], f"{where}/{index}/properties/{SUPPRESSION_KEY}",
                                node_id, scope, path, problems)
            if entry:
                yield entry


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _scopes(node_id: str, loaded: "LoadedFile") -> list[tuple]:
    """The suppression scopes a finding on `node_id` falls in: the node itself and, for a
    flattened subgraph id like "12:5", the instance node 12 and node 5 of 12's subgraph."""
    parts = node_id.split(":")
    scopes: list[tuple] = [("node", parts[0])]
    if len(parts) == 1 or loaded.format != "ui" or not isinstance(loaded.workflow, dict):
        return scopes
    types = {str(n.get("id")): n.get("type") for n in loaded.workflow.get("nodes") or []
             if isinstance(n, dict)}
    definitions = loaded.workflow.get("definitions")
    subgraphs = definitions.get("subgraphs") if isinstance(definitions, dict) else None
    inner_types = {}
    for subgraph in subgraphs if isinstance(subgraphs, list) else []:
        if isinstance(subgraph, dict):
            for node in subgraph.get("nodes") or []:
                if isinstance(node, dict):
                    inner_types[(str(subgraph.get("id")), str(node.get("id")))] = node.get("type")
    current_type = types.get(parts[0])
    for inner in parts[1:]:
        scopes.append(("subgraph", str(current_type), inner))
        current_type = inner_types.get((str(current_type), inner))
    return scopes


# -- per-file application ----------------------------------------------------------------------
def apply_file(result: "FileResult", loaded: "LoadedFile", config: "Config",
               selected_codes: set[str], severity_overrides: dict | None = None) -> int:
    """Drop suppressed findings from `result`; add C001 for node-level suppressions that are
    malformed or match nothing. Returns how many findings were suppressed."""
    if result.skipped:
        return 0
    ignored = config.ignored_codes(loaded.path) if config.get("per-file-ignores") else set()
    problems: list[Diagnostic] = []
    suppressions = node_suppressions(loaded, problems)
    by_scope = defaultdict(list)
    for suppression in suppressions:
        by_scope[suppression.scope].append(suppression)
    kept, dropped = [], 0
    for diag in result.diagnostics:
        if diag.code in ignored or (diag.code == UNKNOWN_NODE_CODE
                                    and config.allows_unknown_node(diag.class_type)):
            dropped += 1
            continue
        if diag.node_id is not None and by_scope and _node_suppressed(diag, loaded, by_scope):
            dropped += 1
            continue
        kept.append(diag)
    for suppression in suppressions:
        for selector, codes in suppression.codes_by_selector.items():
            if selector not in suppression.used and codes & selected_codes and not codes & ignored:
                problems.append(_c001().finding(
                    loaded.path, f"node #{suppression.node_id}: the suppression of {selector} "
                    "matches no finding; remove it", node_id=suppression.node_id,
                    pointer=suppression.pointer))
    if "C001" in selected_codes and "C001" not in ignored:
        for problem in problems:
            _place(problem, loaded, severity_overrides)
        kept.extend(problems)
    result.diagnostics = sorted(kept, key=Diagnostic.sort_key)
    return dropped


def _node_suppressed(diag: Diagnostic, loaded: "LoadedFile", by_scope: dict) -> bool:
    for scope in _scopes(diag.node_id, loaded):
        for suppression in by_scope.get(scope, ()):
            selector = suppression.covers(diag.code)
            if selector is not None:
                suppression.used.add(selector)
                return True
    return False


def _c001():
    from .rules import rules_by_key

    return rules_by_key()["C001"]


def _place(diag: Diagnostic, loaded: "LoadedFile", severity_overrides: dict | None) -> None:
    if severity_overrides and diag.code in severity_overrides:
        diag.severity = severity_overrides[diag.code]
    if diag.line is None and diag.pointer is not None and loaded.positions is not None:
        where = loaded.positions.locate(diag.pointer)
        if where:
            diag.line, diag.column = where


# -- fingerprints and the baseline -------------------------------------------------------------
def fingerprint(diag: Diagnostic, relative_file: str) -> str:
    """Stable identity of a finding: no line numbers, no message text."""
    parts = [diag.code, relative_file, diag.node_id or "", diag.class_type or "", diag.input or ""]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def relative_to(path: str, directory: Path) -> str:
    try:
        return Path(os.path.relpath(os.path.abspath(path), directory)).as_posix()
    except ValueError:
        return Path(os.path.abspath(path)).as_posix()


class BaselineError(Exception):
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
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(f"baseline file not found: {path} (create it with "
                                "`comfylint baseline write`)") from None
        except (OSError, ValueError) as exc:
            raise BaselineError(f"{path}: not a readable baseline: {exc}") from None
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

    def unused(self, results: "list[FileResult]", matched: Counter) -> list[Diagnostic]:
        """C001 for entries about files linted in this run that matched no finding."""
        linted = {relative_to(r.path, self.directory): r.path for r in results if not r.skipped}
        out = []
        for key, entry in sorted(self.entries.items(), key=lambda kv: _entry_order(kv[1])):
            shown = linted.get(entry.get("file"))
            if shown is None or matched[key]:
                continue
            where = f" at node #{entry['node_id']}" if entry.get("node_id") else ""
            where += f" input {entry['input']!r}" if entry.get("input") else ""
            out.append(_c001().finding(
                shown, f"baseline entry {entry.get('code')}{where} in {self.path} matches no finding; "
                "run `comfylint baseline prune`", node_id=entry.get("node_id"),
                class_type=entry.get("class_type")))
        return out

    def pruned(self, results: "list[FileResult]", matched: Counter) -> "Baseline":
        """Entries kept at the count still matched; files gone from disk lose their entries."""
        linted = {relative_to(r.path, self.directory) for r in results if not r.skipped}
        kept = Baseline(self.path)
        for key, entry in self.entries.items():
            rel = entry.get("file", "")
            if rel in linted:
                if matched[key]:
                    kept.entries[key] = dict(entry, count=matched[key])
            elif (self.directory / rel).exists():
                kept.entries[key] = dict(entry)
        return kept

    def dumps(self) -> str:
        entries = sorted(self.entries.values(), key=_entry_order)
        document = {"version": BASELINE_VERSION, "tool": "comfylint", "entries": entries}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def write(self) -> None:
        from .fix import atomic_write

        atomic_write(self.path, self.dumps().encode("utf-8"))


def _entry_order(entry: dict) -> tuple:
    node = entry.get("node_id") or ""
    return (entry.get("file") or "", entry.get("code") or "",
            (len(node), node) if node.isdigit() else (0, node), entry.get("input") or "")
