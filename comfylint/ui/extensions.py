"""What packs' browser extensions change in Export (API), as data (data/*.json, with provenance).

Editor-only nodes: browser-side virtual nodes (like the core frontend's Reroute or Note). They are
never sent to the server, so no server has them and none should be asked to: a UI file converts
without them (links pass through them the way the frontend resolves them), and an API prompt that
holds one was not made by Export (API). data/editor_only_nodes.json names, per pack, where its
registration was read and at which commit; users declare more with the `editor-only-nodes` config
key (treated as "virtual").

Links added when queued: cg-use-everywhere's "Anything Everywhere" nodes are server nodes (the
server must have them), but its extension links what feeds them to matching unconnected inputs
when the prompt is queued (data/queue_time_links.json). Since its version 7 the extension records
in each graph's `extra` the links it computed at its last analysis (`ue_links`) and the ids of the
links it had added to the graph while saving (`links_added_by_ue`, deleted again when the file is
loaded): `recorded_queue_time_links` reads both, so the conversion can replay what the extension
will most likely add, and the link-table check knows which dangling ids are the extension's own.
Without that record, inputs such nodes may feed are not called unconnected.
"""
from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeGuard
from importlib import resources

from .document import node_key

VIRTUAL = "virtual"  # output k passes on the link into input k (a Reroute), or nothing
GET_BY_NAME = "get-by-name"  # KJNodes' GetNode: reads the SetNode of the same name
KINDS = (VIRTUAL, GET_BY_NAME)
SET_NODE = "SetNode"  # the node a GetNode reads, by widgets_values[0]


@dataclass(frozen=True)
class EditorOnlyNode:
    type: str
    kind: str
    pack: str  # "" for a type the user declared
    repository: str = ""


@lru_cache(maxsize=1)
def known_editor_only_nodes() -> dict[str, EditorOnlyNode]:
    """The shipped table: node type -> what it is and which pack registers it."""
    text = resources.files(__package__).joinpath("data/editor_only_nodes.json").read_text("utf-8")
    table: dict[str, EditorOnlyNode] = {}
    for pack in json.loads(text)["packs"]:
        for node_type, kind in pack["nodes"].items():
            assert kind in KINDS, f"{node_type}: unknown kind {kind!r}"
            table[node_type] = EditorOnlyNode(node_type, kind, pack["pack"], pack["repository"])
    return table


def editor_only_node(node_type: object, declared: Iterable[str] = ()) -> EditorOnlyNode | None:
    """The table's entry for `node_type`, one the user declared (names or fnmatch patterns), or
    None for any other type."""
    if not isinstance(node_type, str):
        return None
    entry = known_editor_only_nodes().get(node_type)
    if entry is None and any(fnmatch.fnmatchcase(node_type, pattern) for pattern in declared):
        entry = EditorOnlyNode(node_type, VIRTUAL, "")
    return entry


@lru_cache(maxsize=1)
def queue_time_linkers() -> dict[str, str]:
    """Node type -> the pack whose extension adds links from it when the prompt is queued."""
    text = resources.files(__package__).joinpath("data/queue_time_links.json").read_text("utf-8")
    return {node_type: pack["pack"] for pack in json.loads(text)["packs"]
            for node_type in pack["nodes"]}


@dataclass(frozen=True)
class RecordedLink:
    """One link Use Everywhere recorded (`extra.ue_links[k]`): into input slot `target_slot` of
    node `target_id`, from output `origin_slot` of node `origin_id`."""

    target_id: str
    target_slot: int
    origin_id: str
    origin_slot: int
    pointer: str  # where the record is, relative to its graph


@dataclass(frozen=True)
class QueueTimeRecord:
    links: tuple[RecordedLink, ...] = ()
    added_link_ids: frozenset = frozenset()  # deleted from the graph when the file is loaded


NO_RECORD = QueueTimeRecord()


def recorded_queue_time_links(graph_raw: dict) -> QueueTimeRecord:
    """What cg-use-everywhere (7.x, read at a3952a4: js/use_everywhere_graph_analysis.js writes
    `ue_links` and `links_added_by_ue`, js/use_everywhere_utilities.js deletes the latter's links
    from the graph after it is configured) recorded in this graph's `extra`. Damaged entries are
    left out; nothing here raises."""
    extra = graph_raw.get("extra")
    if not isinstance(extra, dict) or not ("ue_links" in extra or "links_added_by_ue" in extra):
        return NO_RECORD
    links = []
    entries = extra.get("ue_links")
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        target, origin = entry.get("downstream"), entry.get("upstream")
        target_slot, origin_slot = entry.get("downstream_slot"), entry.get("upstream_slot")
        if _is_node_id(target) and _is_node_id(origin) and _is_slot(target_slot) \
                and _is_slot(origin_slot):
            links.append(RecordedLink(node_key(target), target_slot, node_key(origin),
                                      origin_slot, f"/extra/ue_links/{index}"))
    added = extra.get("links_added_by_ue")
    ids = frozenset(i for i in added if isinstance(i, (int, str)) and not isinstance(i, bool)) \
        if isinstance(added, list) else frozenset()
    return QueueTimeRecord(tuple(links), ids)


def _is_node_id(value: object) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool) and value != ""


def _is_slot(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
