from __future__ import annotations

from typing import Iterable

from ...catalog.types import unwrap_value
from ...diagnostics import Diagnostic
from ..base import Context, Rule, node_inputs_with_specs
from ..types.t306_value_not_in_list import closest_choice, show_choices


class ModelNotFound(Rule):
    code = "M401"
    name = "model-not-found"
    summary = "A model file the server does not have (checkpoint, LoRA, VAE, ...)."
    server_error_type = "value_not_in_list"
    server_node_check = True
    fixable = True

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        catalog = ctx.catalog
        if catalog.bundled:
            return  # the bundled catalog knows no server's models
        for node_id, node_def, name, spec, raw in node_inputs_with_specs(ctx):
            folder = catalog.server_list_folder(node_def.name, name)
            if folder is None or folder in ("input", "output") or spec.choices is None:
                continue
            if catalog.skips_value_checks(node_def.name, name):
                continue
            value = unwrap_value(raw)
            if isinstance(value, str) and value in spec.choices:
                continue
            installed = [c for c in spec.choices if isinstance(c, str)]
            if not installed:
                detail = f"the server lists no {folder} at all (not mounted, or extra_model_paths.yaml is wrong)"
            else:
                suggestion = closest_choice(value, installed)
                detail = f"did you mean {suggestion!r}?" if suggestion else \
                    f"installed: {show_choices(installed)}"
            yield ctx.report(f"{ctx.label(node_id)} input {name!r}: model {value!r} is not in the "
                             f"server's {folder}; {detail}", node_id=node_id, input=name,
                             help=f"Put the file in models/{folder}/ on the server, or pick an "
                                  "installed one.")
