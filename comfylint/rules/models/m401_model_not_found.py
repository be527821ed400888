"""M401: a model file the server does not list, with the reason a human would look for."""
from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule
from .server_files import (
    Explanation,
    carried_model,
    explain,
    file_inputs,
    installed_models,
    loader_for,
)


class ModelNotFound(Rule):
    code = "M401"
    name = "model-not-found"
    summary = "A model file the server does not have (checkpoint, LoRA, VAE, ...), and why."
    server_error_type = "value_not_in_list"
    server_node_check = True
    fixable = True
    needs = ("server_files", "models")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        catalog = ctx.catalog
        for item in file_inputs(ctx):
            if item.is_media or not item.checked \
                    or catalog.skips_value_checks(item.class_type, item.name):
                continue  # not a list the server compares the value with
            known = installed_models(catalog, item)
            if known is None:
                continue  # the bundled catalog knows no server's models
            installed, accepted = known
            value = item.value
            if isinstance(value, str) and (value in accepted
                                           or carried_model(ctx, item.folder, value)):
                continue
            pointer = ctx.pointer(item.node_id, "inputs", item.name)
            if not isinstance(value, str):
                yield ctx.report(f"{ctx.label(item.node_id)} input {item.name!r}: {value!r} is not a "
                                 f"model file name", node_id=item.node_id, input=item.name)
                continue
            explanation = explain(value, installed, f"{item.folder or 'such'} files")
            reason = explanation.reason
            if explanation.match is None:
                elsewhere = self._elsewhere(catalog, item, value)
                if elsewhere:  # the real reason: no point guessing at near names
                    reason = (f"{reason}; " if not installed else "") + elsewhere
                    explanation = Explanation(reason)
                else:
                    reason += self._not_mounted(catalog, item, installed)
            yield ctx.report(
                f"{ctx.label(item.node_id)} input {item.name!r}: model {value!r} is not in "
                f"{item.listing}; {reason}",
                node_id=item.node_id, input=item.name, fix=explanation.fix(pointer),
                help=f"{item.put_it} (or a folder extra_model_paths.yaml adds), or pick an "
                     "installed one.")

    @staticmethod
    def _elsewhere(catalog, item, value: str) -> str:
        """The file exists, but in another folder (e.g. unet vs diffusion_models vs checkpoints)."""
        manifest = catalog.manifest
        if manifest is None:
            return ""
        found = [(folder, name) for folder, name in manifest.folders_holding(value)
                 if folder != item.folder]
        if not found:
            return ""
        folder, name = found[0]
        loader = loader_for(catalog.release, folder)
        how = f" (loaded by {loader}, not {item.class_type})" if loader else ""
        move = f"move the file to models/{item.folder}/" if item.folder else "move the file"
        return f"it is installed in {folder} as {name!r}{how}: use a loader for that folder or {move}"

    @staticmethod
    def _not_mounted(catalog, item, installed: list[str]) -> str:
        if installed:
            return ""
        manifest = catalog.manifest
        scanned = manifest.folder_paths.get(item.folder) if manifest is not None else None
        where = f" (looked in {', '.join(scanned)})" if scanned else ""
        return (f": the folder is not mounted on the server, or extra_model_paths.yaml points "
                f"elsewhere{where}")
