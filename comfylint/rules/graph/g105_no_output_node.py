from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule


class NoOutputNode(Rule):
    code = "G105"
    name = "no-output-node"
    summary = "Nothing to run: no output node (SaveImage, PreviewImage, ...) is selected."
    server_error_type = "prompt_no_outputs"
    needs = ("no_output",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        if graph.output_nodes:
            return
        if graph.all_output_nodes:
            yield ctx.report(
                f"partial_execution_targets {graph.partial_targets!r} selects none of the output "
                f"nodes ({', '.join(ctx.label(n) for n in graph.all_output_nodes)})",
                pointer=ctx.loaded.base_pointer.rsplit("/", 1)[0] + "/partial_execution_targets",
                help="List output node ids (as strings) in partial_execution_targets.")
            return
        class_types = [graph.class_type(n) for n in graph.node_ids]
        if not all(isinstance(c, str) for c in class_types):
            return  # N202 rejects the prompt first, and the node without a type may be the output
        unknown = sorted({c for c in class_types if c not in ctx.catalog})
        if unknown:
            yield ctx.report(
                "no known output node; the server will reject the prompt unless one of the unknown "
                f"node types ({', '.join(unknown)}) is an output node", severity=Severity.WARNING,
                pointer=ctx.loaded.base_pointer,
                help="Give the server's catalog (--object-info/--snapshot) to decide.")
            return
        what = "has no output node (SaveImage, PreviewImage, ...)" if ctx.workflow else "is empty"
        yield ctx.report(f"the workflow {what}: the server rejects it with \"Prompt has no "
                         "outputs\"", pointer=ctx.loaded.base_pointer,
                         help="Add a SaveImage or PreviewImage node fed by the result.")
