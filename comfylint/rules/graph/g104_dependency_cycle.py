"""G104: nodes that depend on themselves through links, as the release in use answers it.

Newer servers track the path they validate and report `dependency_cycle` on every node of a
cycle (reference §12). ComfyUI 0.3.64 recursed until a RecursionError that it swallowed: 400
`prompt_outputs_failed_validation` with no node errors at all (§8, cases 38 and 39), so there the
cycle is said once. A cycle no output depends on is never validated (case 60): a warning.
"""
from __future__ import annotations

from collections.abc import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule


class DependencyCycle(Rule):
    code = "G104"
    name = "dependency-cycle"
    summary = "Nodes that depend on themselves through links (the server rejects the prompt)."
    server_error_type = "dependency_cycle"
    needs = ("cycle",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        per_node = ctx.catalog.release.server.cycle_errors_per_node
        for cycle in graph.cycles:
            path = " -> ".join(ctx.label(n) for n in cycle + [cycle[0]])
            reached = any(n in graph.validated for n in cycle)
            message = f"dependency cycle: {path}"
            if not reached:
                message += " (the server skips it: no output node depends on it)"
            elif not per_node:
                message += (f" ({ctx.catalog.version_label} recurses until Python's recursion "
                            "limit and rejects the prompt without naming a node)")
            for position, node_id in enumerate(cycle if per_node else cycle[:1]):
                before = cycle[position - 1]  # the link into this node that closes the loop
                closing = next((link for link in graph.links_by_target.get(node_id, ())
                                if link.source == before), None)
                yield ctx.report(message, node_id=node_id,
                                 input=closing.input if closing else None,
                                 severity=Severity.ERROR if reached else Severity.WARNING,
                                 help="ComfyUI runs a DAG: remove one link of the cycle.")
