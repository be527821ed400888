from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Edit, Fix, Severity
from ...graph import Link, WorkflowGraph, server_reads_as_link
from ..base import Context, Rule
from . import link_exception_type


class BadLinkShape(Rule):
    code = "G103"
    name = "bad-link-shape"
    summary = 'A list-valued input that is not a `["<node id>", <output index>]` link.'
    server_error_type = "bad_linked_input"
    server_node_check = True
    fixable = True
    needs = ("graph", "odd_links")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        for link in graph.odd_links:  # (the links with something to say)
            if link.problem is None and not isinstance(link.slot, bool):
                continue  # a well-formed link (the common case: skip the message work)
            if _ignored_by_the_server(graph, link):
                continue
            where = f"{ctx.label(link.target)} input {link.input!r}"
            if link.problem == "length":
                yield ctx.report(
                    f"{where} is a list of {len(link.value)} item(s); a link is exactly "
                    '["<node id>", <output index>]', node_id=link.target, input=link.input,
                    help="A list value is always read as a link; wrap a list literal as "
                         '{"__value__": [...]}.')
            elif link.problem == "source-type":
                fix = None
                hint = ""
                if isinstance(link.source, int) and not isinstance(link.source, bool) \
                        and str(link.source) in ctx.workflow:
                    fix = Fix(f"write the node id as the string \"{link.source}\"",
                              [Edit(ctx.pointer(link.target, "inputs", link.input, 0),
                                    str(link.source))])
                    hint = f'; write it as the string "{link.source}"'
                yield ctx.report(
                    f"{where} links to node id {link.source!r}, a JSON {type(link.source).__name__}"
                    f"; node ids are strings{hint}", node_id=link.target, input=link.input,
                    server_error_type=link_exception_type(graph, link.target), fix=fix)
            elif link.problem == "slot-type":
                yield ctx.report(
                    f"{where} uses output index {link.slot!r}; it must be an integer",
                    node_id=link.target, input=link.input,
                    server_error_type=link_exception_type(graph, link.target))
            elif isinstance(link.slot, bool) and link.problem is None:
                yield ctx.report(
                    f"{where} uses output index {link.slot!r}; the server reads it as "
                    f"{int(link.slot)} only because Python booleans are integers",
                    node_id=link.target, input=link.input, severity=Severity.WARNING,
                    server_error_type=None, help="Write the output index as an integer.")


def _ignored_by_the_server(graph: WorkflowGraph, link: Link) -> bool:
    """A list the server never reads as a link, in an input a known node does not declare:
    validation looks only at declared inputs (reference §4, case 58) and execution only links
    what `is_link` accepts, so the value is ignored (unknown-input says so)."""
    if graph.node_def(link.target) is None or link.input in graph.input_specs(link.target):
        return False
    dynamic = graph.dynamic_inputs(link.target)
    if dynamic is not None and dynamic.is_unresolved(link.input):
        return False  # under a dynamic input whose shape the prompt does not settle
    return not server_reads_as_link(link.value)
