from __future__ import annotations

from typing import Iterable

from ...catalog.types import describe_type
from ...diagnostics import Diagnostic
from ..base import Context, Rule


class LinkTypeMismatch(Rule):
    code = "T302"
    name = "link-type-mismatch"
    summary = "A link carries a type the input does not accept (MODEL into CLIP, ...)."
    server_error_type = "return_type_mismatch"
    server_node_check = True
    needs = ("graph", "odd_links")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        for link in graph.odd_links:  # (the links with something to say)
            if link.type_ok is not False:
                continue
            source_def = graph.node_def(link.source)
            if source_def is None:
                continue  # a type mismatch is judged only against a known source node
            slot_name = source_def.output_names[link.slot] if link.slot < len(
                source_def.output_names) else ""
            received = describe_type(link.received_type)
            shown = received if slot_name in ("", received) else f"{slot_name}: {received}"
            wants = describe_type(link.declared_type)
            candidates = [f"output {i} ({t})" for i, t in enumerate(source_def.outputs)
                          if t == link.declared_type]
            hint = f"; {ctx.label(link.source)} has {', '.join(candidates)}" if candidates else ""
            yield ctx.report(
                f"{ctx.label(link.target)} input {link.input!r} expects {wants} but is linked to "
                f"output {link.slot} ({shown}) of "
                f"{ctx.label(link.source)}{hint}", node_id=link.target, input=link.input,
                help="Link an output of the expected type.")
