"""M401: a model file the server does not list, with the reason a human would look for."""
from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule
from .server_files import (
    EXPLAINED_PER_LISTING,
    Explanation,
    carried_model,
    derived,
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
            if not isinstance(value, str):
                yield ctx.report(f"{ctx.label(item.node_id)} input {item.name!r}: {value!r} is not a "
                                 f"model file name", node_id=item.node_id, input=item.name)
                continue
            tail, help, explanation = self._said(catalog, item, installed, value)
            at = ctx.pointer(item.node_id, "inputs", item.name)
            yield ctx.report(ctx.label(item.node_id) + tail, node_id=item.node_id,
                             input=item.name, help=help, fix=explanation.fix(at),
                             pointer=None if ctx.loaded.overridden else at)  # (else the override's)

    def _said(self, catalog, item, installed: list[str],
              value: str) -> tuple[str, str, Explanation]:
        """(the message after the node's label, the help, the explanation) of a missing model:
        the same missing names come back document after document, so what is said of them is
        kept per listing (server_files.derived), keyed by every fact it rests on besides the
        listing (the input, the catalog's manifest and release)."""
        memo = derived(_said_of_listing, installed)
        manifest = catalog.manifest
        key = (value, item.folder, item.class_type, item.name, id(manifest), catalog.release)
        kept = memo.get(key)
        if kept is not None and kept[0] is manifest:  # (the manifest kept alive: its id is its own)
            return kept[1]
        explanation = explain(value, installed, f"{item.folder or 'such'} files")
        reason = explanation.reason
        if explanation.match is None:
            elsewhere = self._elsewhere(catalog, item, value)
            if elsewhere:  # the real reason: no point guessing at near names
                reason = (f"{reason}; " if not installed else "") + elsewhere
                explanation = Explanation(reason)
            else:
                reason += self._not_mounted(catalog, item, installed)
        said = (f" input {item.name!r}: model {value!r} is not in {item.listing}; {reason}",
                f"{item.put_it} (or a folder extra_model_paths.yaml adds), or pick an installed "
                "one.", explanation)
        if len(memo) >= EXPLAINED_PER_LISTING:
            memo.clear()  # (a service sees endless made-up names: keep the memo small)
        memo[key] = (manifest, said)
        return said

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


def _said_of_listing(_installed: list[str]) -> dict:
    """A listing's memo of what M401 says of names missing from it (ModelNotFound._said)."""
    return {}
