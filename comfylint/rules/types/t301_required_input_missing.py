from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Edit, Fix, Severity
from ..base import Context, Rule


class RequiredInputMissing(Rule):
    code = "T301"
    name = "required-input-missing"
    summary = "A required input is absent from the node's inputs."
    server_error_type = "required_input_missing"
    server_node_check = True
    fixable = True
    needs = ("graph", "incomplete_nodes")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        converted = None
        if ctx.loaded.format == "ui":  # links the editor cuts (muted nodes)
            from ...ui import conversion

            converted = conversion(ctx.loaded)
        cut_links = converted.cut if converted is not None else {}
        linkers = ", ".join(converted.queue_time_linkers) if converted is not None else ""
        for node_id in graph.incomplete_nodes:  # (known nodes whose inputs may lack one)
            node_def = graph.node_def(node_id)
            node = ctx.workflow[node_id]
            if node_def is None or not isinstance(node.get("inputs"), dict):
                continue  # malformed-node says it
            present = node["inputs"]
            for name, spec in graph.input_specs(node_id).items():
                if not spec.required or name in present or spec.is_opaque_dynamic:
                    continue
                fix = None
                if "default" in spec.options and not spec.link_only:
                    default = spec.options["default"]
                    fix = Fix(f"add {name!r} with its declared default {default!r}",
                              [Edit(ctx.pointer(node_id, "inputs", name), default)], safe=False)
                kind = "a link of type " + str(spec.type) if spec.link_only else "a value"
                cut = cut_links.get((node_id, name))
                if linkers and spec.link_only and not cut:
                    yield ctx.report(
                        f"{ctx.label(node_id)} has no link into required input {name!r} ({kind}) "
                        f"in the file; {linkers} may link it when the prompt is queued, which "
                        "comfylint does not reproduce", node_id=node_id, input=name,
                        pointer=ctx.pointer(node_id, "inputs"), severity=Severity.WARNING,
                        help="Check it in the editor (a Use Everywhere node shows the links it "
                             "adds), or connect it.")
                    continue
                yield ctx.report(f"{ctx.label(node_id)} is missing required input {name!r} "
                                 f"({kind}){_chosen_by(name, node_def)}"
                                 + (f": it is linked, but {cut}, so the editor sends nothing "
                                    "for it" if cut else ""),
                                 node_id=node_id, input=name,
                                 pointer=ctx.pointer(node_id, "inputs"), fix=None if cut else fix,
                                 help="Unmute (or bypass) that node, or link the input to one that "
                                      "runs." if cut else
                                      "Connect or set it; after a ComfyUI update a node may gain "
                                      "new required inputs.")


def _chosen_by(name: str, node_def) -> str:
    """Nested dynamic inputs ("resize_type.width") exist because of their parent's value/kind."""
    if name in node_def.inputs:
        return ""
    return f", which {name.rpartition('.')[0]!r} calls for"
