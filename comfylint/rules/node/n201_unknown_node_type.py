from __future__ import annotations

import json
from typing import TYPE_CHECKING, Iterable

from ...catalog.packs import has_known_origin, unknown_node_hint
from ...diagnostics import Diagnostic, Severity, typo_correction
from ..base import Context, Rule
from .unknown_consequences import fold_consequences

if TYPE_CHECKING:
    from ...ui.extensions import EditorOnlyNode


def _origin_holder(ctx: Context, node_id: str, node: dict) -> dict:
    """For a UI file, its node (properties hold cnr_id / aux_id / ver); else the API node."""
    if ctx.loaded.format != "ui":
        return node
    from ...ui import ui_node

    return ui_node(ctx.loaded, node_id) or node


class UnknownNodeType(Rule):
    """Did you mean: only for a typo-sized difference (diagnostics.typo_correction), never for a
    node whose pack the workflow or the packs map names; a long shared part
    (VHS_LoadVideo, LoadVideo) makes two names alike, not one a typo of the other."""

    code = "N201"
    name = "unknown-node-type"
    summary = "A class_type the server does not have (a missing custom node, or a typo)."
    server_error_type = "missing_node_type"
    phase = "fold"  # after the node rules: what only follows from an unknown node is folded in
    needs = ("graph", "unknown_nodes")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        found = list(self._unknown(ctx))
        fold_consequences(ctx, [d for d in found if d.node_id is not None])
        return found

    def _unknown(self, ctx: Context) -> Iterable[Diagnostic]:
        catalog = ctx.catalog
        for node_id in ctx.graph.unknown_nodes:  # (nodes with no definition: the others are known)
            node = ctx.workflow[node_id]
            if not isinstance(node, dict) or "class_type" not in node:
                continue  # missing-class-type / malformed-node
            class_type = node["class_type"]
            if class_type is None or isinstance(class_type, (bool, int, float)):
                yield _not_a_name(ctx, node_id, class_type)
                continue
            if not isinstance(class_type, str) or class_type in catalog:
                continue
            from ...ui.extensions import editor_only_node  # (a file with an unknown node only)

            editor_only = editor_only_node(class_type, ctx.options.editor_only_nodes)
            if editor_only is not None:
                yield _editor_only_in_prompt(ctx, node_id, editor_only)
                continue
            members = _legacy_group_members(ctx, class_type)
            if members is not None:
                yield from _unknown_group_members(ctx, node_id, class_type, members)
                continue
            holder = _origin_holder(ctx, node_id, node)
            suggestion = None
            if not has_known_origin(catalog, class_type, holder):  # a pack's node is no typo
                suggestion = typo_correction(class_type, catalog.typo_index)  # (kept on the index)
            hint = f"; did you mean {suggestion!r}?" if suggestion else ""
            origin = unknown_node_hint(catalog, class_type, holder, ctx.workflow)
            origin = f"{origin} " if origin else ""
            if catalog.bundled:
                yield ctx.report(
                    f"{ctx.label(node_id)}: {class_type!r} is not a core node in the "
                    f"{catalog.source}{hint}", node_id=node_id,
                    pointer=ctx.pointer(node_id, "class_type"),
                    severity=Severity.WARNING,
                    help=origin + "Give --object-info/--snapshot/--server to check custom nodes "
                                  "against the server that will run this workflow.")
            else:
                yield ctx.report(
                    f"{ctx.label(node_id)}: node type {class_type!r} is not installed on the server "
                    f"({catalog.source}){hint}", node_id=node_id,
                    pointer=ctx.pointer(node_id, "class_type"),
                    help=origin or "Install the custom-node pack that provides it, or replace the node.")


def _legacy_group_members(ctx: Context, class_type: str) -> list[str] | None:
    """A UI file's legacy group node stands for the node types inside it (None: no group)."""
    if ctx.loaded.format != "ui":
        return None  # in an API prompt, "workflow/NAME" is a node type no server has
    from ...ui.document import legacy_group_members

    return legacy_group_members(ctx.loaded.workflow, class_type)


def _unknown_group_members(ctx: Context, node_id: str, group: str,
                           members: list[str]) -> Iterable[Diagnostic]:
    """The editor sends a legacy group node's members, never the group's own type: judge those."""
    from ...ui.extensions import editor_only_node

    catalog = ctx.catalog
    for member in dict.fromkeys(members):
        if member in catalog or editor_only_node(member, ctx.options.editor_only_nodes) is not None:
            continue
        where = (f"is not a core node in the {catalog.source}" if catalog.bundled else
                 f"is not installed on the server ({catalog.source})")
        yield ctx.report(
            f"{ctx.label(node_id)}: legacy group node {group!r} holds node type {member!r}, which "
            f"{where}", node_id=node_id, pointer=ctx.pointer(node_id, "class_type"),
            severity=Severity.WARNING if catalog.bundled else None,
            help="Give --object-info/--snapshot/--server to check custom nodes against the server "
                 "that will run this workflow." if catalog.bundled else
                 "Install the custom-node pack that provides it, or replace the node.")


def _editor_only_in_prompt(ctx: Context, node_id: str, node: "EditorOnlyNode") -> Diagnostic:
    """A browser-only node in an API prompt: no server lacks it, none has it; the prompt was not
    made by Export (API), which resolves such nodes away."""
    made_by = f" ({node.pack})" if node.pack else ""
    return ctx.report(
        f"{ctx.label(node_id)}: {node.type!r} is an editor-only node{made_by}: Export (API) resolves "
        "it and never sends it, so the server, which has no such node type, rejects the whole "
        "prompt", node_id=node_id, pointer=ctx.pointer(node_id, "class_type"),
        severity=Severity.ERROR,
        help="Export the workflow again with Export (API), or convert its UI file with `comfylint "
             "convert`; by hand, link its consumers to the node that feeds it.")


def _not_a_name(ctx: Context, node_id: str, class_type: object) -> Diagnostic:
    """A null, boolean or number class_type: the server looks it up as is and finds no such node,
    on any server: 0.3.64 answers invalid_prompt "Cannot execute because node None does not
    exist" (case 03), newer releases missing_node_type (§12); the catalog's release says which."""
    shown = "None" if class_type is None else str(class_type)  # as Python prints it
    return ctx.report(
        f"node {node_id!r} has class_type {json.dumps(class_type)}: the server looks for a node "
        f"type {shown}, finds none and rejects the whole prompt", node_id=node_id,
        pointer=ctx.pointer(node_id, "class_type"),
        help='Set "class_type" to the node type\'s name, or delete the leftover node.')
