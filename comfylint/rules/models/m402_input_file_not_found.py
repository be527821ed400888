"""M402: an image, mask, audio or video the node reads from the server's input folder is missing."""
from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ..base import Context, Rule
from .server_files import (
    FILE_AREAS,
    carried_inputs,
    derived,
    explain,
    file_inputs,
    installed_media,
    media_missing,
    split_annotation,
)


class InputFileNotFound(Rule):
    """LoadImage and its kind skip the combo check (the name is an argument of VALIDATE_INPUTS)
    and test `os.path.exists(<input dir>/<name>)` (folder_paths.exists_annotated_filepath):
    `sub/x.png` passes only if input/sub/x.png exists. The listings a server gives (the combo,
    GET /internal/files/input) hold top-level files only, so a name with a subfolder is judged
    missing unless a listing shows it (a local scan with --comfyui-dir lists subfolders): the
    message says that only a file put there by hand would pass.
    """

    code = "M402"
    name = "input-file-not-found"
    summary = "An input image, audio or video that is not in the server's input folder."
    server_error_type = "custom_validation_failed"
    server_node_check = True
    fixable = True
    needs = ("server_files", "media")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        catalog = ctx.catalog
        sent = carried_inputs(ctx)
        for item in file_inputs(ctx):
            if not item.is_media or not media_missing(ctx, item):
                continue  # there, sent with the request, or no listing to judge by
            name, area = split_annotation(str(item.value))
            listed = installed_media(catalog, item, area) or []
            # The request's own files are candidates too: a near name is likely one of them.
            candidates = listed if area != "input" else (
                sorted(set(listed) | set(sent)) if sent else derived(_sorted_names, listed))
            explanation = explain(name, candidates, f"files in {area}/")
            reason = explanation.reason + _subfolder_note(name, area, listed)
            # Loaders with their own validation answer custom_validation_failed, others a combo error.
            error_type = ("custom_validation_failed" if item.class_type in catalog.custom_validation
                          else "value_not_in_list")
            yield ctx.report(
                f"{ctx.label(item.node_id)} input {item.name!r}: file {name!r} is not in the "
                f"server's {area} folder; {reason}",
                node_id=item.node_id, input=item.name, server_error_type=error_type,
                fix=explanation.fix(at := ctx.pointer(item.node_id, "inputs", item.name)),
                pointer=None if ctx.loaded.overridden else at,  # (else the override's)
                help="Upload it first (POST /upload/image), send it with the request (the "
                     "envelope's files/images), or pick a file the server has.")


def _sorted_names(listed: list[str]) -> list[str]:
    """The names of a listing, sorted, one list per listing (explain() keeps its answers on the
    list it was given: the same list for every document)."""
    return sorted(set(listed))


def _subfolder_note(name: str, area: str, listed: list[str]) -> str:
    """Why a name with a subfolder is not listed: names are relative to the area's folder, and
    the server's own lists show no subfolders."""
    head, slash, _ = name.replace("\\", "/").partition("/")
    if not slash or any("/" in n.replace("\\", "/") for n in listed):
        return ""
    if head in FILE_AREAS:
        return (f"; names are relative to the {area} folder, so {name!r} means "
                f"{area}/{name} (the {head} folder is never part of the name)")
    return (f"; the server's lists show only top-level files: it accepts {name!r} only if "
            f"{area}/{name} exists there")
