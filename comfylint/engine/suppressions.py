"""Node-level suppressions: JSON has no comments, so a node carries its own.

    API  "3": {"class_type": "KSampler", "inputs": {...},
               "_meta": {"comfylint": {"ignore": ["T304"], "reason": "steps=0 is a preview"}}}
    UI   {"id": 3, "type": "KSampler", "properties": {"comfylint": {"ignore": [...], "reason": "..."}}}

A suppression covers the node's findings (for a subgraph instance: everything inside it). The
`reason` is required; a suppression without one is not applied. Malformed suppressions and ones
that match nothing are reported as C001 (unused-suppression).
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable

from ..diagnostics import Diagnostic
from ..record import Record

if TYPE_CHECKING:
    from ..load import LoadedFile
    from ..rules.config.c001_unused_suppression import UnusedSuppression

SUPPRESSION_KEY = "comfylint"


# -- node-level suppressions ------------------------------------------------------------------
class NodeSuppression(Record):
    """One node's suppression: the selectors it ignores, and those that matched a finding."""

    __slots__ = ("scope", "node_id", "selectors", "codes_by_selector", "reason", "pointer", "used")

    def __init__(self, scope: tuple, node_id: str, selectors: list[str],
                 codes_by_selector: dict[str, set[str]], reason: str | None, pointer: str,
                 used: set[str] | None = None) -> None:
        self.scope = scope  # ("node", id) for top-level nodes, ("subgraph", subgraph id, inner id)
        self.node_id = node_id
        self.selectors = selectors
        self.codes_by_selector = codes_by_selector
        self.reason = reason
        self.pointer = pointer
        self.used = used if used is not None else set()

    def covers(self, code: str) -> str | None:
        for selector, codes in self.codes_by_selector.items():
            if code in codes:
                return selector
        return None


def _read_entry(entry: Any, where: str, node_id: str, scope: tuple, path: str,
                problems: list[Diagnostic]) -> NodeSuppression | None:
    c001 = _c001()
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
    from ..rules.selection import UnknownRule, resolve_selector

    codes: dict[str, set[str]] = {}
    for selector in selectors:
        try:
            codes[selector] = {rule.code for rule in resolve_selector(selector)}
        except UnknownRule as unknown:
            problems.append(c001.finding(path, f"node #{node_id}: the suppression names {unknown}",
                                         node_id=node_id, pointer=where))
    return NodeSuppression(scope, node_id, selectors, codes, reason, where)


def node_suppressions(loaded: "LoadedFile", problems: list[Diagnostic]) -> "FileSuppressions":
    """Every node-level suppression in the file (malformed ones become C001 in `problems`)."""
    workflow, base, path = loaded.workflow, loaded.base_pointer, loaded.path
    found: list[NodeSuppression] = []
    if not isinstance(workflow, dict):
        return FileSuppressions(loaded, found)
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
    return FileSuppressions(loaded, found)


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


class FileSuppressions(Record):
    """A document's node-level suppressions, by scope, remembering which selectors matched."""

    __slots__ = ("loaded", "entries", "by_scope")

    def __init__(self, loaded: "LoadedFile", entries: list[NodeSuppression]) -> None:
        self.loaded = loaded
        self.entries = entries
        grouped = defaultdict(list)
        for suppression in entries:
            grouped[suppression.scope].append(suppression)
        self.by_scope: dict[tuple, list[NodeSuppression]] = dict(grouped)

    def covers(self, diag: Diagnostic) -> bool:
        if not self.by_scope or diag.node_id is None:
            return False
        for scope in _scopes(diag.node_id, self.loaded):
            for suppression in self.by_scope.get(scope, ()):
                selector = suppression.covers(diag.code)
                if selector is not None:
                    suppression.used.add(selector)
                    return True
        return False


def unused_suppressions(suppressions: FileSuppressions, path: str, selected_codes: set[str],
                        ignored_codes: "set[str] | frozenset[str]") -> list[Diagnostic]:
    """C001 for each selector that suppressed nothing (when its rules ran at all)."""
    out = []
    for suppression in suppressions.entries:
        for selector, codes in suppression.codes_by_selector.items():
            if selector not in suppression.used and codes & selected_codes and not codes & ignored_codes:
                out.append(_c001().finding(
                    path, f"node #{suppression.node_id}: the suppression of {selector} "
                    "matches no finding; remove it", node_id=suppression.node_id,
                    pointer=suppression.pointer))
    return out


def _c001() -> "UnusedSuppression":
    from ..rules import load_rule

    return load_rule("C001")  # type: ignore[return-value]  # the index maps C001 to it
