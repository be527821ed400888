from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Edit, Fix
from ..base import Context, Rule


class RequiredInputMissing(Rule):
    code = "T301"
    name = "required-input-missing"
    summary = "A required input is absent from the node's inputs."
    server_error_type = "required_input_missing"
    server_node_check = True
    fixable = True

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        for node_id, node_def in graph.known_nodes():
            node = ctx.workflow[node_id]
            if not isinstance(node.get("inputs"), dict):
                continue  # malformed-node says it
            present = node["inputs"]
            for name, spec in node_def.inputs.items():
                if not spec.required or name in present or spec.is_dynamic:
                    continue
                fix = None
                if "default" in spec.options and not spec.link_only:
                    default = spec.options["default"]
                    fix = Fix(f"add {name!r} with its declared default {default!r}",
                              [Edit(ctx.pointer(node_id, "inputs", name), default)], safe=False)
                kind = "a link of type " + str(spec.type) if spec.link_only else "a value"
                yield ctx.report(f"{ctx.label(node_id)} is missing required input {name!r} "
                                 f"({kind})", node_id=node_id, input=name,
                                 pointer=ctx.pointer(node_id, "inputs"), fix=fix,
                                 help="Connect or set it; after a ComfyUI update a node may gain "
                                      "new required inputs.")
