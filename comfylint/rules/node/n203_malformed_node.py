from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity, json_kind
from ..base import Context, Rule, skipped_reason
from .n202_missing_class_type import lacks_class_type


class MalformedNode(Rule):
    code = "N203"
    name = "malformed-node"
    summary = 'A node is not an object, or its "inputs" is missing or not an object.'
    server_error_type = "exception_during_validation"
    needs = ("malformed_nodes",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        if ctx.graph.well_formed:
            return  # the API workflow schema holds: nothing structural to explain
        graph = ctx.graph
        for node_id, node in ctx.workflow.items():
            if not isinstance(node, dict):
                if lacks_class_type(node):
                    continue  # a string or a list: missing-class-type (the server's reading)
                # A number or null cannot be tested for 'class_type', a string or list holding
                # it cannot be indexed by it: the server fails with HTTP 500.
                yield ctx.report(f"node {node_id!r} is a JSON {json_kind(node)}, not a node object "
                                 "(the server fails with HTTP 500)", node_id=node_id,
                                 server_error_type=None,
                                 help='A node is {"class_type": ..., "inputs": {...}}.')
                continue
            if "inputs" in node and isinstance(node["inputs"], dict):
                continue
            problem = 'has no "inputs"' if "inputs" not in node else '"inputs" is not an object'
            message = f"{ctx.label(node_id)} {problem}"
            if node_id in graph.validated:
                inner = node_id not in graph.output_nodes
                yield ctx.report(message, node_id=node_id, server_error_type=(
                    "exception_during_inner_validation" if inner else "exception_during_validation"),
                    help='Add "inputs": {} (with the node\'s required inputs).')
            else:
                yield ctx.report(message + skipped_reason(graph, node_id), node_id=node_id,
                                 severity=Severity.WARNING)
