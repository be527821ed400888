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
    named no longer makes a non-workflow JSON file worth a finding. So are directories, as in
    ruff and ripgrep: a directory named on the command line that is itself excluded or ignored
    (a gitignored `out/` of converted workflows, a package's templates under `.venv`) is walked,
    and what excludes it does not exclude its files (nor do .gitignore files inside it: git reads
    none inside an ignored folder)."""
    chosen: list[tuple[str, bool]] = []
    walked: list[str] = []
    named_directories: list[str] = []
    for raw in paths:
        if raw == "-":
            chosen.append((raw, True))
        elif os.path.isdir(raw):
            named = not force_exclude and config.is_excluded(raw, is_dir=True)
            walked.extend(_walk(raw, config, exclude_below=not named))
            named_directories.append(os.path.normpath(raw))
        elif force_exclude:
            if not config.is_excluded(raw) and config.is_included(raw):
                walked.append(raw)
        else:
            chosen.append((raw, True))
    if walked and config.get("respect-gitignore", True):
        ignored = git_ignored(walked + named_directories)
        kept = () if force_exclude else tuple(d + os.sep for d in named_directories if d in ignored)
        walked = [p for p in walked if p not in ignored or p.startswith(kept)]
    chosen.extend((p, False) for p in walked)
    return chosen


def _walk(directory: str, config: "Config", exclude_below: bool = True) -> Iterator[str]:
    """Workflow-like files under `directory`: hidden and excluded folders skipped (the excludes
    only when `exclude_below`: not for a directory the user named that they exclude)."""
    excluded = config.is_excluded if exclude_below else _nothing_excluded
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not excluded(os.path.join(root, d), is_dir=True))
        for name in sorted(files):
            if name.lower().endswith(WORKFLOW_SUFFIXES):
                path = os.path.normpath(os.path.join(root, name))
                if _is_special(path):
                    continue
                if not excluded(path) and config.is_included(path):
                    yield path


def _nothing_excluded(path: str, is_dir: bool = False) -> bool:
    return False


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
