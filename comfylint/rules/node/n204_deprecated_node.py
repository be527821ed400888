from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule


class DeprecatedNode(Rule):
    code = "N204"
    name = "deprecated-node"
    summary = "A node the catalog marks deprecated: it still runs today but may disappear."
    severity = Severity.WARNING
    needs = ("graph", "deprecated_nodes")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        for node_id, node_def in ctx.graph.known_nodes():
            if node_def.deprecated:
                yield ctx.report(f"{ctx.label(node_id)} is deprecated in {ctx.catalog.source}",
                                 node_id=node_id, pointer=ctx.pointer(node_id, "class_type"),
                                 help="Replace it with its successor before a ComfyUI update drops it.")
