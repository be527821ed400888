from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule

# Answers about the prompt as a whole (reference §2): the server checks every node's class_type
# and that some output is selected before it validates any output.
WHOLE_PROMPT_REJECTIONS = frozenset({"no_prompt", "invalid_prompt", "missing_node_type",
                                     "prompt_no_outputs"})


class OutputDropped(Rule):
    code = "G106"
    name = "output-dropped"
    summary = "One output fails validation while another passes: the server runs the prompt and "\
              "silently skips the failing output."
    server_error_type = None
    phase = "post"
    needs = ("several_outputs_and_an_error",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        if any(d.severity == Severity.ERROR and d.server_error_type in WHOLE_PROMPT_REJECTIONS
               for d in ctx.findings):
            return  # rejected (400) before any output is validated: nothing runs, nothing drops
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
