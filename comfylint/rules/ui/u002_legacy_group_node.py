from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ...ui.document import is_legacy_group_type
from ..base import Context, Rule
from . import finding_node_id, ui_document


class LegacyGroupNode(Rule):
    code = "U002"
    name = "legacy-group-node"
    summary = "A pre-subgraph group node: the frontend rebuilds it with new ids, so it cannot be converted exactly."
    severity = Severity.WARNING
    formats = ("ui",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        for node in ui_document(ctx).all_nodes():
            if is_legacy_group_type(node.type):
                yield ctx.report(
                    f"node {node.id} is a legacy group node ({node.type!r}): current frontends "
                    "convert it to a subgraph with new node ids when they load the file, so "
                    "comfylint does not convert it", pointer=f"{ctx.pointer()}{node.pointer}/type",
                    node_id=finding_node_id(ctx, node.graph, node.id),
                    help="Open the workflow in a current ComfyUI and save it again (the group node "
                         "becomes a subgraph).")
