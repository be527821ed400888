from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule


class LiteralOnLinkInput(Rule):
    code = "T307"
    name = "literal-on-link-input"
    summary = "A literal value where only a link can work (IMAGE, MODEL, ...): accepted, then the "\
              "run fails."
    server_node_check = True
    needs = ("literals", "socket_only")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        # (literals given to an input only a link can feed: catalog.is_socket_only)
        for node_id, _node_def, name, spec, raw in ctx.graph.literal_checks.socket_only:
            yield ctx.report(
                f"{ctx.label(node_id)} input {name!r} is the literal {raw!r}, but a {spec.type} can "
                "only come from a link: the server accepts the prompt and the node fails when it runs",
                node_id=node_id, input=name,
                help=f'Link an output of type {spec.type}: ["<node id>", <output index>].')
