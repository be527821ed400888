"""Which files a run lints: paths named by the user, directories walked for workflow files,
the configuration's include/exclude and .gitignore honoured. The one walker of the project."""
from __future__ import annotations

import os
import stat
import subprocess
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from .config import Config

WORKFLOW_SUFFIXES = (".json", ".png", ".webp")


def select_files(paths: "list[str] | tuple[str, ...]", config: "Config",
                 force_exclude: bool = False) -> list[tuple[str, bool]]:
    """(path, explicit) for each file to lint, honouring include/exclude and .gitignore.

    Files named on the command line are linted even if excluded, unless `force_exclude`
    (what the pre-commit hook passes): then they are filtered like walked files, and being
    named no longer makes a non-workflow JSON file worth a finding."""
    chosen: list[tuple[str, bool]] = []
    walked: list[str] = []
    for raw in paths:
        if raw == "-":
            chosen.append((raw, True))
        elif os.path.isdir(raw):
            walked.extend(_walk(raw, config))
        elif force_exclude:
            if not config.is_excluded(raw) and config.is_included(raw):
                walked.append(raw)
        else:
            chosen.append((raw, True))
    if walked and config.get("respect-gitignore", True):
        ignored = git_ignored(walked)
        walked = [p for p in walked if p not in ignored]
    chosen.extend((p, False) for p in walked)
    return chosen


def _walk(directory: str, config: "Config") -> Iterator[str]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not config.is_excluded(os.path.join(root, d), is_dir=True))
        for name in sorted(files):
            if name.lower().endswith(WORKFLOW_SUFFIXES):
                path = os.path.normpath(os.path.join(root, name))
                if _is_special(path):
                    continue
                if not config.is_excluded(path) and config.is_included(path):
                    yield path


def _is_special(path: str) -> bool:
    """A FIFO, socket or device named like a workflow is no file to lint (git tracks none
    either); named on the command line it is still read, and refused. A dangling link is kept:
    reading it reports the problem."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def git_ignored(paths: list[str]) -> set[str]:
    """The paths .gitignore excludes, asked of git itself (no repository or no git: none)."""
    try:
        done = subprocess.run(["git", "check-ignore", "--no-index", "-z", "--stdin"],
                              input="\0".join(paths).encode("utf-8", "surrogateescape"),
                              capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return set()
    if done.returncode not in (0, 1):
        return set()
    return {p.decode("utf-8", "surrogateescape") for p in done.stdout.split(b"\0") if p}
