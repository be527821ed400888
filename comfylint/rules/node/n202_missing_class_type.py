"""N202: the server finds no class_type property on a node (reference §2, §10; cases 02, 04).

ComfyUI tests `'class_type' not in prompt[x]` for every node: true for a node object without the
key, and, because `in` is a substring or membership test, for a node that is a string or a list
(unless it happens to contain "class_type", which then crashes the server). A class_type that is a
list or an object crashes the lookup (unhashable: HTTP 500). A null or numeric class_type is looked
up and not found: that is unknown-node-type (N201).
"""
from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, json_kind
from ..base import Context, Rule

REJECTED = "the server finds no class_type and rejects the whole prompt"


def lacks_class_type(node: object) -> bool:
    """What the server's `'class_type' not in node` says of a node value (when it does not raise)."""
    if isinstance(node, dict):
        return "class_type" not in node
    if isinstance(node, str):
        return "class_type" not in node
    if isinstance(node, list):
        return "class_type" not in node
    return False


class MissingClassType(Rule):
    code = "N202"
    name = "missing-class-type"
    summary = "A node without a class_type as the server reads it (no key; a string or list node)."
    server_error_type = "missing_node_type"  # 0.3.64: invalid_prompt
    needs = ("malformed_nodes",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        if ctx.graph.well_formed:
            return  # the API workflow schema holds: nothing structural to explain
        for node_id, node in ctx.workflow.items():
            if isinstance(node, (str, list)) and lacks_class_type(node):
                # 0.3.64's answer (case 04); newer servers read the title from it first and fail
                yield ctx.report(f"node {node_id!r} is a JSON {json_kind(node)}, not a node object: "
                                 f"{REJECTED}", node_id=node_id, server_error_type="invalid_prompt",
                                 help='A node is {"class_type": ..., "inputs": {...}}.')
            elif not isinstance(node, dict):
                continue  # malformed-node: the server crashes on it
            elif "class_type" not in node:
                yield ctx.report(f"node {node_id!r} has no \"class_type\": {REJECTED}",
                                 node_id=node_id,
                                 help='Every node needs "class_type": the node\'s type name.')
            elif isinstance(node["class_type"], (list, dict)):
                yield ctx.report(f"node {node_id!r} has a JSON {json_kind(node['class_type'])} as "
                                 "class_type; it must be the node type's name (the server fails "
                                 "with HTTP 500 looking it up)", node_id=node_id,
                                 pointer=ctx.pointer(node_id, "class_type"), server_error_type=None)
