from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule


class DependencyCycle(Rule):
    code = "G104"
    name = "dependency-cycle"
    summary = "Nodes that depend on themselves through links (the server rejects it opaquely)."
    server_error_type = "dependency_cycle"

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        for cycle in graph.cycles:
            path = " -> ".join(ctx.label(n) for n in cycle + [cycle[0]])
            reached = any(n in graph.validated for n in cycle)
            message = f"dependency cycle: {path}"
            if not reached:
                message += " (the server skips it: no output node depends on it)"
            first = cycle[0]
            # The link that closes the cycle, for the pointer.
            closing = next((l for l in graph.links_by_target.get(first, ())
                            if l.source == cycle[-1]), None)
            yield ctx.report(message, node_id=first, input=closing.input if closing else None,
                             severity=Severity.ERROR if reached else Severity.WARNING,
                             help="ComfyUI runs a DAG: remove one link of the cycle.")
