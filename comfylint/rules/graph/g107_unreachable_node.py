from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule


class UnreachableNode(Rule):
    code = "G107"
    name = "unreachable-node"
    summary = "A node that feeds no output: the server neither validates nor runs it."
    severity = Severity.INFO
    needs = ("dead_end",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        if not graph.output_nodes or any(link.problem == "missing-source"
                                         for link in graph.odd_links):
            return  # with a dangling link, what was meant to be reachable is not knowable
        if not graph.without_inputs.isdisjoint(graph.feeds_output):
            return  # nor when a node on the way to an output lost its inputs (malformed-node says it)
        # A node of unknown type may be a custom output: what feeds it is not reported.
        feeds_unknown = graph.ancestors(graph.unknown_nodes)
        if len(graph.feeds_output | feeds_unknown) == len(graph.node_ids):
            return  # every node feeds an output (or an unknown node): the common case
        linkers = _queue_time_linkers() if ctx.loaded.format == "ui" else {}
        for node_id in graph.node_ids:
            if node_id in graph.feeds_output or node_id in feeds_unknown:
                continue
            if ctx.workflow[node_id].get("class_type") in linkers:
                continue  # its work is done in the editor: deleting it would cut the links it adds
            if node_id in graph.all_output_nodes:
                reason = "it is an output node not selected by partial_execution_targets"
            else:
                reason = "it feeds no output node"
            yield ctx.report(f"{ctx.label(node_id)} is never run: {reason}", node_id=node_id,
                             help="Connect it to an output or delete it.")



def _queue_time_linkers() -> dict[str, str]:
    from ...ui.extensions import queue_time_linkers  # (UI files only)

    return queue_time_linkers()
