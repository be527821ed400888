"""G rules: links, cycles, outputs and reachability in the API graph."""
from __future__ import annotations

from ...graph import WorkflowGraph


def link_exception_type(graph: WorkflowGraph, node_id: str) -> str:
    """Where the server files an exception raised while reading a node's links.

    It escapes the node's own validation: an output node validated directly gets
    `exception_during_validation`; any other node is caught by its consumer and gets
    `exception_during_inner_validation` (stored on the node itself, as case 10 shows).
    """
    if node_id in graph.output_nodes:
        return "exception_during_validation"
    return "exception_during_inner_validation"
