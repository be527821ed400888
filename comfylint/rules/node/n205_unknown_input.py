from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity, close_matches
from ..base import Context, Rule


class UnknownInput(Rule):
    code = "N205"
    name = "unknown-input"
    summary = "An input the node does not declare: the server ignores it silently (usually a typo)."
    severity = Severity.WARNING
    needs = ("graph", "undeclared_nodes")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        for node_id in graph.undeclared_nodes:  # (known nodes with an input not declared)
            node_def = graph.node_def(node_id)
            if node_def is None:
                continue
            declared = graph.input_specs(node_id)
            present = graph.inputs(node_id)
            dynamic = graph.dynamic_inputs(node_id)
            for name in present:
                if name in declared or name in node_def.hidden:
                    continue
                if dynamic is not None and dynamic.is_unresolved(name):
                    continue  # under a dynamic input whose shape the prompt does not settle
                missing = [n for n in declared if n not in graph.inputs(node_id)]
                close = close_matches(name, missing or list(declared), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                yield ctx.report(
                    f"{ctx.label(node_id)} has no input {name!r}: the server ignores it{hint}",
                    node_id=node_id, input=name,
                    help=f"{node_def.name} declares: {', '.join(declared) or 'no inputs'}.")
