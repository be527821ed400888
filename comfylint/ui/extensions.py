"""What packs' browser extensions change in Export (API), as data (data/*.json, with provenance).

Editor-only nodes: browser-side virtual nodes (like the core frontend's Reroute or Note). They are
never sent to the server, so no server has them and none should be asked to: a UI file converts
without them (links pass through them the way the frontend resolves them), and an API prompt that
holds one was not made by Export (API). data/editor_only_nodes.json names, per pack, where its
registration was read and at which commit; users declare more with the `editor-only-nodes` config
key (treated as "virtual").

Links added when queued: cg-use-everywhere's "Anything Everywhere" nodes are server nodes (the
server must have them), but its extension links what feeds them to matching unconnected inputs
when the prompt is queued (data/queue_time_links.json). A file does not hold those links and
comfylint does not reproduce them: inputs they may feed are not called unconnected.
"""
from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

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
