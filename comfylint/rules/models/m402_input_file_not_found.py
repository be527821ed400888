"""M402: an image, mask, audio or video the node reads from the server's input folder is missing."""
from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule
from .server_files import explain, file_inputs, installed_media, split_annotation


class InputFileNotFound(Rule):
    code = "M402"
    name = "input-file-not-found"
    summary = "An input image, audio or video that is not in the server's input folder."
    server_error_type = "custom_validation_failed"
    server_node_check = True
    fixable = True

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        catalog = ctx.catalog
        carried = {split_annotation(n)[0].replace("\\", "/").rsplit("/", 1)[-1]
                   for n in ctx.loaded.envelope_files}
        for item in file_inputs(ctx):
            if not item.is_media or not isinstance(item.value, str):
                continue
            name, area = split_annotation(item.value)
            if name.rsplit("/", 1)[-1] in carried or item.value in item.choices:
                continue  # sent with the request, or listed as is
            listed = installed_media(catalog, item, area)
            if listed is None or name in listed:
                continue
            if "/" in name and not any("/" in n for n in listed):
                continue  # the server listed only top-level files: a subfolder cannot be judged
            explanation = explain(name, listed, f"files in {area}/")
            # Loaders with their own validation answer custom_validation_failed, others a combo error.
            error_type = ("custom_validation_failed" if item.class_type in catalog.custom_validation
                          else "value_not_in_list")
            yield ctx.report(
                f"{ctx.label(item.node_id)} input {item.name!r}: file {name!r} is not in the "
                f"server's {area} folder; {explanation.reason}",
                node_id=item.node_id, input=item.name, server_error_type=error_type,
                fix=explanation.fix(ctx.pointer(item.node_id, "inputs", item.name)),
                help="Upload it first (POST /upload/image), send it with the request (the "
                     "envelope's files/images), or pick a file the server has.")
