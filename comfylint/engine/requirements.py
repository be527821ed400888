"""What a workflow needs from the server beyond ComfyUI itself, once per thing: the custom-node
packs (grouped, with their node types), the model files and the input files, each with how many
nodes use it and whether the server lacks it.

The findings say it per node (N201, M401, M402: a repository of templates gave 1,654 N201 for
227 node types); this is the workflow's list of what to install. `missing` is True (the catalog
in use lacks it), False (it has it, the request brings it, or the config allows it) or None
(nothing to judge by: the bundled catalog knows no server's custom nodes or files).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from ..rules.base import Context

CUSTOM_MODULE_PREFIX = "custom_nodes."


def workflow_requirements(ctx: "Context") -> dict[str, list[dict[str, Any]]]:
    """{"custom_nodes": [...], "models": [...], "input_files": [...]} for the document's API view
    (a UI file's conversion included), sorted, every key always present."""
    return {"custom_nodes": _custom_nodes(ctx), "models": _files(ctx, media=False),
            "input_files": _files(ctx, media=True)}


def _custom_nodes(ctx: "Context") -> list[dict[str, Any]]:
    packs: dict[tuple, dict[str, Any]] = {}
    get_def = ctx.catalog.get
    for node_id, node, class_type in _typed_nodes(ctx):
        node_def = get_def(class_type)
        if node_def is not None and not node_def.python_module.startswith(CUSTOM_MODULE_PREFIX):
            continue  # a core node (most of them: decided without a call)
        found = _pack_of(ctx, node_id, node, class_type)
        if found is None:
            continue  # a core node of the server in use (or one the editor resolves away)
        pack, source, missing = found
        entry = packs.setdefault((pack or "", source or ""), {
            "pack": pack, "source": source, "node_types": {}, "nodes": 0, "missing": missing})
        entry["nodes"] += 1
        entry["node_types"][class_type] = entry["node_types"].get(class_type, 0) + 1
        entry["missing"] = _worst(entry["missing"], missing)
    return [dict(entry, node_types=[{"class_type": name, "nodes": count}
                                    for name, count in sorted(entry["node_types"].items())])
            for _key, entry in sorted(packs.items())]


def _typed_nodes(ctx: "Context") -> Iterator[tuple[str, dict, str]]:
    """(node id, node, class_type) of the API view; a UI file's legacy group node counts as the
    node types inside it, which are what the editor sends (ui.document.legacy_group_members)."""
    ui = ctx.loaded.format == "ui"
    for node_id, node in ctx.workflow.items():
        class_type = node.get("class_type") if isinstance(node, dict) else None
        if not isinstance(class_type, str):
            continue
        members = None
        if ui and class_type.startswith("workflow"):
            from ..ui.document import legacy_group_members

            members = legacy_group_members(ctx.loaded.workflow, class_type)
        for member in [class_type] if members is None else members:
            yield node_id, node, member


def _pack_of(ctx: "Context", node_id: str, node: dict,
             class_type: str) -> tuple[str | None, str | None, bool | None] | None:
    """(pack, where that name comes from, missing) for a node the server needs a pack for."""
    catalog = ctx.catalog
    node_def = catalog.get(class_type)
    if node_def is not None:  # (every node of most workflows: no import for them)
        module = node_def.python_module or ""
        if not module.startswith(CUSTOM_MODULE_PREFIX):
            return None
        return module[len(CUSTOM_MODULE_PREFIX):].split(".")[0], "server", False
    from ..catalog.packs import node_origin
    from ..catalog.releases import core_release_of
    from ..ui.extensions import editor_only_node

    if editor_only_node(class_type, ctx.options.editor_only_nodes) is not None:
        return None
    missing = False if ctx.options.allows_unknown_node(class_type) else (
        None if catalog.bundled else True)
    if core_release_of(class_type) is not None:
        return "comfy-core", "release", missing  # a newer ComfyUI has it
    origin = node_origin(_origin_holder(ctx, node_id, node))
    if origin.get("cnr_id") or origin.get("aux_id"):
        return origin.get("cnr_id") or origin.get("aux_id"), "workflow", missing
    index = getattr(catalog, "node_packs", None)
    matches = index.lookup(class_type) if index is not None else []
    if matches:
        return matches[0].pack.title, "pack map", missing
    return None, None, missing


def _origin_holder(ctx: "Context", node_id: str, node: dict) -> dict:
    """A UI file's node holds cnr_id / aux_id in its properties; an API node in `_meta`."""
    if ctx.loaded.format != "ui":
        return node
    from ..ui import ui_node

    return ui_node(ctx.loaded, node_id) or node


def _files(ctx: "Context", *, media: bool) -> list[dict[str, Any]]:
    from ..rules.models.server_files import (
        file_inputs,
        media_missing,
        model_missing,
        split_annotation,
    )

    found: dict[tuple, dict[str, Any]] = {}
    for item in file_inputs(ctx):
        if item.is_media != media or not isinstance(item.value, str) or not item.value:
            continue
        if media:
            name, area = split_annotation(item.value)
            key: tuple = (area, name)
            entry = found.setdefault(key, {"area": area, "name": name, "nodes": set(),
                                           "missing": media_missing(ctx, item)})
        else:
            key = (item.folder, item.value)
            entry = found.setdefault(key, {"folder": item.folder, "name": item.value,
                                           "nodes": set(), "missing": model_missing(ctx, item)})
        entry["nodes"].add(item.node_id)
    return [dict(entry, nodes=len(entry["nodes"])) for _key, entry in sorted(found.items())]


def _worst(a: bool | None, b: bool | None) -> bool | None:
    """A pack is missing if any of its node types is; unknown beats present."""
    if a or b:
        return True
    return None if a is None or b is None else False
