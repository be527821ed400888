from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule
from . import link_exception_type


class OutputSlotOutOfRange(Rule):
    code = "G102"
    name = "output-slot-out-of-range"
    summary = "A link uses an output index the source node does not have."
    server_error_type = "exception_during_inner_validation"
    server_node_check = True
    grows_with_comfyui = True
    needs = ("graph", "odd_links")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        for link in graph.odd_links:  # (the links with something to say)
            if link.problem is None and isinstance(link.slot, int) and link.slot < 0 \
                    and link.received_type is not None:
                source_def = graph.node_def(link.source)  # known: it gave a received type
                if source_def is None:
                    continue
                yield ctx.report(
                    f"{ctx.label(link.target)} input {link.input!r} uses output index {link.slot} of "
                    f"{ctx.label(link.source)}; the server accepts it only by Python's negative "
                    f"indexing (it means output {len(source_def.outputs) + link.slot})",
                    node_id=link.target, input=link.input, severity=Severity.WARNING,
                    server_error_type=None, help="Use the non-negative output index.")
            if link.problem != "slot-range":
                continue
            source_def = graph.node_def(link.source)  # slot-range: the source node is known
            outputs = source_def.outputs if source_def is not None else []
            if outputs:
                have = ", ".join(f"{i}: {t}" for i, t in enumerate(outputs))
                detail = f"it has {len(outputs)} output(s) ({have})"
            else:
                detail = "it has no outputs at all (an output node)"
            yield ctx.report(
                f"{ctx.label(link.target)} input {link.input!r} uses output {link.slot} of "
                f"{ctx.label(link.source)}, but {detail}", node_id=link.target, input=link.input,
                server_error_type=link_exception_type(graph, link.target),
                catalog_dated=not ctx.catalog.vouches_for(graph.class_type(link.source), None,
                                                          "outputs"),
                help="Link the output index that carries the type this input needs.")
