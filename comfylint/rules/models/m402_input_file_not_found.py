from __future__ import annotations

from typing import Iterable

from ...catalog.types import unwrap_value
from ...diagnostics import Diagnostic
from ..base import Context, Rule, node_inputs_with_specs

ANNOTATIONS = (" [input]", " [output]", " [temp]")


def strip_annotation(name: str) -> str:
    """The server accepts "x.png [output]" meaning output/x.png."""
    for suffix in ANNOTATIONS:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class InputFileNotFound(Rule):
    code = "M402"
    name = "input-file-not-found"
    summary = "An input image, audio or video that is not in the server's input folder."
    server_error_type = "custom_validation_failed"
    server_node_check = True

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        catalog = ctx.catalog
        if catalog.bundled:
            return  # the bundled catalog knows no server's input files
        carried = {strip_annotation(n).rsplit("/", 1)[-1] for n in ctx.loaded.envelope_files}
        for node_id, node_def, name, spec, raw in node_inputs_with_specs(ctx):
            if catalog.server_list_folder(node_def.name, name) not in ("input", "output"):
                continue
            value = unwrap_value(raw)
            if not isinstance(value, str) or spec.choices is None:
                continue
            if value in spec.choices or strip_annotation(value) in spec.choices:
                continue
            if strip_annotation(value).rsplit("/", 1)[-1] in carried:
                continue
            yield ctx.report(f"{ctx.label(node_id)} input {name!r}: file {value!r} is not in the "
                             "server's input folder", node_id=node_id, input=name,
                             help="Upload it first (POST /upload/image) or send it with the request.")
