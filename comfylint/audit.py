"""Running a check over a repository: which files, cached or linted (in parallel when it pays),
per-file suppressions, the baseline, and fixes.

The engine lints one loaded file; this module decides everything around it for the CLI
(`check`, `baseline`), keeping the CLI itself thin.
"""
from __future__ import annotations

import os
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .engine import WORKFLOW_SUFFIXES, FileResult, Options, lint_loaded
from .load import load_bytes

if TYPE_CHECKING:
    from .catalog import Catalog
    from .config import Config
    from .fix import FixOutcome
    from .suppress import Baseline

PARALLEL_MIN_FILES = 200  # below this a process pool costs more than it saves
FILES_PER_TASK = 16
PROGRESS_MIN_FILES = 200


@dataclass
class Job:
    """Everything one file's lint depends on (inherited by worker processes).

    The rules and the catalog are resolved on first use: a run answered entirely from the cache
    never imports the rules or parses a (possibly 100 MB) object_info."""

    config: "Config"
    selectors: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # select, extend, ignore
    sources: dict
    envelope: str = "auto"
    require_format: str | None = None  # from --require-format; None lets the config decide

    @cached_property
    def selected_codes(self) -> set[str]:
        return {rule.code for rule in self.options.select}

    @cached_property
    def catalog(self) -> "Catalog":
        from .cli import load_catalog

        sources = dict(self.sources)
        return load_catalog(sources.pop("object_info", None), **sources)

    @cached_property
    def options(self) -> Options:
        from .cli import selected_rules
        from .config import severity_overrides
        from .rules.base import Settings

        settings = Settings(require_format=self.require_format or "any",
                            severity_overrides=severity_overrides(self.config))
        return Options(select=selected_rules(*self.selectors), settings=settings,
                       envelope=self.envelope)

    def resolve(self) -> None:
        """Resolve everything now (before forking workers, so that they inherit it)."""
        self.catalog, self.options  # noqa: B018 - cached_property access


@dataclass
class Report:
    results: list[FileResult] = field(default_factory=list)
    suppressed: int = 0
    cached: int = 0
    linted: int = 0
    jobs: int = 1
    fixes: list["FixOutcome"] = field(default_factory=list)
    baseline_matches: Counter = field(default_factory=Counter)


# -- which files ---------------------------------------------------------------------------------
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
                         and not config.is_excluded(os.path.join(root, d)))
        for name in sorted(files):
            if name.lower().endswith(WORKFLOW_SUFFIXES):
                path = os.path.normpath(os.path.join(root, name))
                if not config.is_excluded(path) and config.is_included(path):
                    yield path


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


# -- one file ------------------------------------------------------------------------------------
def lint_bytes(job: Job, path: str, data: bytes, explicit: bool):
    """(loaded, result, suppressed) for one file's bytes: load, lint, per-file suppressions."""
    from .suppress import apply_file

    fmt = job.require_format or job.config.require_format(path) or "any"
    loaded = load_bytes(data, path, explicit=explicit, envelope=job.envelope,
                        require_format=fmt)
    options = job.options
    if fmt != options.settings.require_format:
        from dataclasses import replace

        options = replace(options, settings=replace(options.settings, require_format=fmt))
    result = lint_loaded(loaded, job.catalog, options)
    suppressed = apply_file(result, loaded, job.config, job.selected_codes,
                            options.settings.severity_overrides)
    return loaded, result, suppressed


def _read(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def _lint_path(job: Job, path: str, explicit: bool) -> tuple[FileResult, int]:
    data = _read(path)
    if data is None:  # let the loader describe the problem (missing, unreadable, a directory)
        from .load import load_path

        loaded = load_path(path, explicit=explicit, envelope=job.envelope)
        result = lint_loaded(loaded, job.catalog, job.options)
        return result, 0
    _loaded, result, suppressed = lint_bytes(job, path, data, explicit)
    return result, suppressed


# -- worker processes ------------------------------------------------------------------------
_WORKER_JOB: Job | None = None


def _worker_init(job: Job | None) -> None:
    global _WORKER_JOB
    if job is not None:  # spawn start method: the job came pickled
        _WORKER_JOB = job


def _worker_lint(batch: list[tuple[str, bool]]) -> list[tuple[FileResult, int]]:
    out = []
    for path, explicit in batch:
        result, suppressed = _lint_path(_WORKER_JOB, path, explicit)
        result.text = None  # the parent has the bytes; do not ship the text back
        out.append((result, suppressed))
    return out


def auto_jobs(pending: int) -> int:
    cpus = os.cpu_count() or 1
    if cpus < 2 or pending < PARALLEL_MIN_FILES:
        return 1
    return min(cpus, max(2, pending // (PARALLEL_MIN_FILES // 2)))


def _lint_many(job: Job, files: list[tuple[str, bool]], jobs: int,
               progress: Callable[[int], None] | None) -> list[tuple[FileResult, int]]:
    if jobs <= 1 or len(files) < 2:
        out = []
        for index, (path, explicit) in enumerate(files, 1):
            out.append(_lint_path(job, path, explicit))
            if progress and index % FILES_PER_TASK == 0:
                progress(FILES_PER_TASK)
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER_JOB
    job.resolve()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    _WORKER_JOB = job  # a forked worker inherits it; no pickling of the catalog
    batches = [files[i:i + FILES_PER_TASK] for i in range(0, len(files), FILES_PER_TASK)]
    initarg = None if context.get_start_method() == "fork" else job
    out = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init,
                             initargs=(initarg,)) as pool:
        for batch_result in pool.map(_worker_lint, batches):
            out.extend(batch_result)
            if progress:
                progress(len(batch_result))
    return out


# -- the run ---------------------------------------------------------------------------------
def run(job: Job, files: list[tuple[str, bool]], *, cache=None, jobs: int | None = None,
        stdin_data: bytes | None = None, stdin_name: str = "-", progress_stream=None) -> Report:
    """Lint `files` (from select_files). Results keep the files' order."""
    from .cache import diagnostic_from_dict, file_key, result_entry

    report = Report()
    slots: list[FileResult | None] = [None] * len(files)
    pending: list[tuple[int, str, bool, str | None]] = []
    contents: dict[int, bytes] = {}
    for index, (path, explicit) in enumerate(files):
        if path == "-":
            shown = stdin_name
            _loaded, result, suppressed = lint_bytes(job, shown, stdin_data or b"", True)
            slots[index], report.suppressed = result, report.suppressed + suppressed
            continue
        data = _read(path) if cache is not None else None
        key = file_key(path, data) if data is not None else None
        entry = cache.get(key) if key is not None else None
        if entry is not None:
            slots[index] = FileResult(path=path, format=entry["format"], envelope=entry["envelope"],
                                      diagnostics=[diagnostic_from_dict(d) for d in entry["diagnostics"]],
                                      skipped=entry["skipped"])
            report.suppressed += entry["suppressed"]
            report.cached += 1
            if slots[index].diagnostics:
                contents[index] = data
            continue
        if data is not None:
            contents[index] = data
        pending.append((index, path, explicit, key))
    report.jobs = jobs if jobs else auto_jobs(len(pending))
    progress = _progress_bar(len(pending), progress_stream) if progress_stream else None
    linted = _lint_many(job, [(p, e) for _i, p, e, _k in pending], report.jobs, progress)
    if progress:
        progress(None)
    for (index, _path, _explicit, key), (result, suppressed) in zip(pending, linted):
        slots[index] = result
        report.suppressed += suppressed
        report.linted += 1
        if cache is not None and key is not None:
            cache.put(key, result_entry(result, suppressed))
    report.results = [r for r in slots if r is not None]
    for index, result in enumerate(slots):
        if result is not None and result.text is None and result.diagnostics and index in contents:
            if not contents[index].startswith((b"\x89PNG", b"RIFF")):
                result.text = contents[index].decode("utf-8-sig", "replace")
    if cache is not None:
        cache.save()
    return report


def apply_baseline(job: Job, report: Report, baseline: "Baseline") -> None:
    """Drop baselined findings; entries that matched nothing become C001 on their file."""
    suppressed, report.baseline_matches = baseline.apply(report.results)
    report.suppressed += suppressed
    if "C001" not in job.selected_codes:
        return
    by_path = {r.path: r for r in report.results}
    overrides = job.options.settings.severity_overrides
    for diag in baseline.unused(report.results, report.baseline_matches):
        diag.severity = overrides.get(diag.code, diag.severity)
        by_path[diag.file].diagnostics.append(diag)


def _progress_bar(total: int, stream) -> Callable[[int | None], None] | None:
    """A one-line bar on a terminal for long runs; None: finished (clear the line)."""
    if total < PROGRESS_MIN_FILES or not getattr(stream, "isatty", lambda: False)():
        return None
    done = [0]
    width = 30

    def advance(count: int | None) -> None:
        if count is None:
            stream.write("\r" + " " * (width + 40) + "\r")
            stream.flush()
            return
        done[0] = min(total, done[0] + count)
        filled = width * done[0] // total
        stream.write(f"\rcomfylint [{'#' * filled}{'.' * (width - filled)}] {done[0]}/{total} files")
        stream.flush()

    return advance


# -- fixing ------------------------------------------------------------------------------------
def fix_results(job: Job, report: Report, unsafe: bool, write: bool) -> None:
    """Apply fixes to files whose findings offer one; re-lint them so the report shows what is
    left. With `write` false (--diff) nothing is written and findings stay as they were."""
    from .fix import atomic_write, chosen_fixes, fix_file

    for position, result in enumerate(report.results):
        if result.skipped or not chosen_fixes(result.diagnostics, unsafe) or result.path == "-":
            continue
        data = _read(result.path)
        if data is None or data.startswith((b"\x89PNG", b"RIFF")):
            continue
        explicit = True

        def relint(current: bytes, path=result.path):
            loaded, fresh, _suppressed = lint_bytes(job, path, current, explicit)
            return loaded, fresh.diagnostics

        outcome = fix_file(result.path, data, relint, unsafe)
        if not outcome.changed:
            continue
        report.fixes.append(outcome)
        if write:
            atomic_write(result.path, outcome.fixed)
            _loaded, fresh, _suppressed = lint_bytes(job, result.path, outcome.fixed, explicit)
            fresh.text = outcome.fixed.decode("utf-8-sig", "replace")
            report.results[position] = fresh
