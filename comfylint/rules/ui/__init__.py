"""U rules (and G108): checks on the UI document itself, before and beside its conversion to API.

They read the UI file the editor saved (nodes, links, widgets_values), so their pointers are
pointers into that file. The API rules see the converted graph instead (comfylint.ui).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...ui.document import UiDocument, UiGraph
    from ..base import Context


def ui_document(ctx: "Context") -> "UiDocument":
    """The UI file read into records, shared by the rules (the conversion's copy when there is one)."""
    from ...ui import conversion
    from ...ui.document import read_document

    result = conversion(ctx.loaded)
    if result is not None and result.document is not None:
        return result.document
    cached = ctx.loaded.extra.get("ui_document")
    if cached is None:
        cached = ctx.loaded.extra["ui_document"] = read_document(ctx.loaded.workflow)
    return cached


def finding_node_id(ctx: "Context", graph: "UiGraph", node_id: "str | None") -> str | None:
    """The node id a UI rule's finding carries, as the API view and node-level suppressions
    spell it: the id itself in the root graph; inside a subgraph definition, the flattened id
    through the definition's first instance ("12:5", nested "12:7:5"); with no node (a
    definition's own input/output list), the instance itself. None for a definition no node
    uses: nothing in the file runs it."""
    paths = ctx.loaded.extra.get("ui_instance_paths")
    if paths is None:
        paths = ctx.loaded.extra["ui_instance_paths"] = _instance_paths(ui_document(ctx))
    if not graph.is_subgraph:
        return node_id
    instance = paths.get(graph.raw.get("id"))
    if instance is None or node_id is None:
        return instance
    return f"{instance}:{node_id}"


def _instance_paths(document: "UiDocument") -> dict:
    """Subgraph definition id -> the flattened id of its first instance, breadth first."""
    paths: dict = {}
    pending = [(document.root, "")]
    while pending:
        graph, prefix = pending.pop(0)
        for node in graph.nodes.values():
            definition = document.subgraphs.get(node.type) if node.type else None
            if definition is not None and node.type not in paths:
                paths[node.type] = prefix + node.id
                pending.append((definition, f"{prefix}{node.id}:"))
    return paths
