from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule

# The server validates by recursing once per linked node under Python's default recursion limit
# (1,000 frames): a 900-node chain passed, a 1,200-node chain failed (reference §8).
SURELY_FAILS = 1000
MAY_FAIL = 900


class ValidationTooDeep(Rule):
    code = "G109"
    name = "validation-too-deep"
    summary = "A chain of ~1,000+ linked nodes: the server's recursive validation overflows."
    server_error_type = "exception_during_inner_validation"
    needs = ("nodes_at_least", MAY_FAIL)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        if len(graph.validated) < MAY_FAIL or graph.cycles:
            return
        path = graph.longest_path(graph.validated)  # networkx.dag_longest_path, linear
        depth = len(path)
        if depth < MAY_FAIL:
            return
        output = path[-1]
        if depth >= SURELY_FAILS:
            severity, verdict = Severity.ERROR, "the server's validation overflows Python's recursion limit"
        else:
            severity, verdict = Severity.WARNING, "close to the depth where the server's validation overflows"
        yield ctx.report(
            f"{ctx.label(output)} depends on a chain of {depth} linked nodes (from {ctx.label(path[0])}): "
            f"{verdict} (RecursionError, reported as an exception on an inner node)",
            node_id=output, severity=severity,
            help="Split the work into several prompts, or shorten the chain (e.g. batch nodes).")
