from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule
from . import link_exception_type


class DanglingLink(Rule):
    code = "G101"
    name = "dangling-link"
    summary = "A link names a node id that is not in the workflow (the server's opaque KeyError)."
    server_error_type = "exception_during_inner_validation"
    server_node_check = True
    needs = ("graph", "odd_links")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        for link in graph.odd_links:  # (the links with something to say)
            if link.problem == "missing-source":
                yield ctx.report(
                    f"{ctx.label(link.target)} input {link.input!r} links to node {link.source!r}, "
                    "which does not exist", node_id=link.target, input=link.input,
                    server_error_type=link_exception_type(graph, link.target),
                    help="Reconnect the input to an existing node, or restore the deleted node.")
            elif link.problem == "source-malformed":
                yield ctx.report(
                    f"{ctx.label(link.target)} input {link.input!r} links to node {link.source!r}, "
                    "which is not a node object", node_id=link.target, input=link.input,
                    server_error_type=link_exception_type(graph, link.target))
