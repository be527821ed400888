from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule


class OutputDropped(Rule):
    code = "G106"
    name = "output-dropped"
    summary = "One output fails validation while another passes: the server runs the prompt and "\
              "silently skips the failing output."
    server_error_type = None
    phase = "post"

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        failing_nodes = {d.node_id for d in ctx.findings
                         if d.severity == Severity.ERROR and d.server_error_type
                         and d.node_id in graph.validated}
        if not failing_nodes or len(graph.output_nodes) < 2:
            return
        failing = [o for o in graph.output_nodes if graph.validated_closure(o) & failing_nodes]
        passing = [o for o in graph.output_nodes if o not in failing]
        if not failing or not passing:
            return
        runs = ", ".join(ctx.label(o) for o in passing)
        for output in failing:
            causes = sorted(graph.validated_closure(output) & failing_nodes - {output})
            through = f" (through {', '.join(ctx.label(c) for c in causes)})" if causes else ""
            yield ctx.report(
                f"{ctx.label(output)} fails validation{through} but the prompt is still accepted: "
                f"the server runs only {runs} and silently drops this output", node_id=output,
                help="Fix the errors reported on the nodes named, or remove the output.")
