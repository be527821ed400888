"""P503: a filename_prefix that climbs out of the output folder (`../`, an absolute path)."""
from __future__ import annotations

import posixpath
from typing import Iterable

from ...diagnostics import Diagnostic, Edit, Fix
from ..base import Context, Rule
from .p502_absolute_local_path import ABSOLUTE_LOCAL_PATH


def escapes_output(prefix: str) -> bool:
    """True when ComfyUI would resolve the prefix outside output/ (both separators count: a
    Windows server treats '\\' as one)."""
    path = prefix.replace("\\", "/")
    if path.startswith("/") or ABSOLUTE_LOCAL_PATH.match(prefix):
        return True
    normal = posixpath.normpath(path)
    return normal == ".." or normal.startswith("../")


def contained(prefix: str) -> str:
    """The prefix with the escaping part dropped: what the author most likely meant."""
    parts = [p for p in prefix.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if prefix[1:3] in (":/", ":\\") and parts:
        parts = parts[1:]  # a drive letter
    return "/".join(parts) or "ComfyUI"


class PathTraversal(Rule):
    code = "P503"
    name = "path-traversal"
    summary = "A filename_prefix that points outside the output folder (the save node fails)."
    needs = ("graph", "path_strings")  # (a path holds a separator, or is "..")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        for node_id, _class_type, name, value in ctx.graph.path_strings:
            if not name.endswith("filename_prefix") or not escapes_output(value):
                continue
            pointer = ctx.pointer(node_id, "inputs", name)
            safe_value = contained(value)
            yield ctx.report(
                f"{ctx.label(node_id)} input {name!r} is {value!r}: it resolves outside the "
                "server's output folder, which ComfyUI refuses ('Saving image outside the output "
                "folder is not allowed'): the node fails when it runs",
                node_id=node_id, input=name,
                fix=Fix(f"use {safe_value!r}", [Edit(pointer, safe_value)], safe=False),
                help="Use a prefix relative to output/, e.g. 'project/run' (subfolders are fine).")
