"""P502: a widget value that is an absolute path on the author's machine."""
from __future__ import annotations

import re
from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule

# Whole values that are absolute paths into a user's or a host's file system (a prompt that
# merely mentions a path is not one: the value must start with it and hold no line break).
ABSOLUTE_LOCAL_PATH = re.compile(
    r"^(?:file://|[A-Za-z]:[\\/]|\\\\[^\\/\s]+[\\/]|~[\\/]|"
    r"/(?:home|Users|root|mnt|media|opt|srv|var|tmp|data|workspace|content|private|Volumes|run|"
    r"storage|kaggle|notebooks|teamspace|app)(?:/|$))")
USER_DIR = re.compile(r"^(?:[A-Za-z]:[\\/]Users[\\/]|/home/|/Users/)([^\\/]+)")
MAX_PATH_LENGTH = 1024


class AbsoluteLocalPath(Rule):
    code = "P502"
    name = "absolute-local-path"
    summary = "An absolute path from the author's machine in a widget value (leaks, won't exist)."
    severity = Severity.WARNING
    needs = ("graph", "path_strings")  # (a path holds a separator, or is "..")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        catalog = ctx.catalog
        for node_id, class_type, name, value in ctx.graph.path_strings:
            text = value.strip()
            if (len(text) > MAX_PATH_LENGTH or "\n" in text or not ABSOLUTE_LOCAL_PATH.match(text)
                    or name.endswith("filename_prefix")
                    or catalog.server_list_folder(class_type, name) is not None):
                continue  # file combos are M403's, filename_prefix is P503's
            user = USER_DIR.match(text)
            leak = f" and the user name {user.group(1)!r}" if user else ""
            yield ctx.report(
                f"{ctx.label(node_id)} input {name!r} is an absolute local path {value!r}: it "
                f"exposes the author's directory layout{leak}, and the server will not have it",
                node_id=node_id, input=name,
                help="Use a path relative to the ComfyUI folder the node reads (input/, models/, "
                     "output/), or make it a setting of the server rather than of the workflow.")
