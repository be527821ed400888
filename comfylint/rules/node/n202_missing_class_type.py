from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule


class MissingClassType(Rule):
    code = "N202"
    name = "missing-class-type"
    summary = "A node object has no class_type (or it is null or not a string)."
    server_error_type = "invalid_prompt"

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        if ctx.graph.well_formed:
            return  # the API workflow schema holds: nothing structural to explain
        for node_id, node in ctx.workflow.items():
            if not isinstance(node, dict):
                continue  # malformed-node
            if "class_type" not in node:
                yield ctx.report(f"node {node_id!r} has no \"class_type\": the server rejects the "
                                 "whole prompt", node_id=node_id,
                                 help='Every node needs "class_type": the node\'s type name.')
            elif not isinstance(node["class_type"], str):
                yield ctx.report(f"node {node_id!r} has class_type {node['class_type']!r}; it must "
                                 "be the node type's name", node_id=node_id,
                                 pointer=ctx.pointer(node_id, "class_type"))
