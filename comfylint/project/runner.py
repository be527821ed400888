"""Running a check over a repository: which files, cached or linted (in parallel when it pays),
the baseline, and fixes. One file's verdict is the engine's (`engine.lint_document`); this module
decides only what spans files, for `check`, `baseline`, `probe` and `snapshot diff`.
"""
from __future__ import annotations

import os
from collections import Counter
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Callable

from ..diagnostics import FileResult
from ..engine import Options, crashed_result, lint_document
from ..errors import ComfylintError
from ..load import LoadedFile, load_bytes
from ..record import Record

if TYPE_CHECKING:
    from ..catalog import Catalog
    from .baseline import Baseline
    from .config import Config
    from .fix import FixOutcome

FILES_PER_TASK = 16
# Given how many files will be linted, a callback told how many more are done (None: all), or
# None for no display (the command line draws click's progress bar; the library draws nothing).
ProgressFactory = Callable[[int], "Callable[[int | None], None] | None"]


class Job:
    """Everything one file's lint depends on (inherited by worker processes).

    The rules and the catalog are resolved on first use: a run answered entirely from the cache
    never imports the rules or parses a (possibly 100 MB) object_info."""

    def __init__(self, config: "Config",
                 selectors: tuple[tuple[str, ...] | None, tuple[str, ...], tuple[str, ...]],
                 sources: dict[str, Any], envelope: str = "auto",
                 require_format: str | None = None,
                 given_catalog: "Catalog | None" = None) -> None:
        self.config = config
        self.selectors = selectors  # select (None: not given, every rule), extend-select, ignore
        self.sources = sources
        self.envelope = envelope
        self.require_format = require_format  # from --require-format; None: the config decides
        self.given_catalog = given_catalog  # a catalog the caller built (probe, snapshot diff)

    @cached_property
    def catalog(self) -> "Catalog":
        if self.given_catalog is not None:
            return self.given_catalog
        from ..catalog.sources import CatalogSources, build_catalog

        return build_catalog(CatalogSources(**self.sources))

    def catalog_notes(self) -> list[str]:
        """What to say once about the run's catalog (a capture without models). The bundled
        catalog has nothing to say, and is not built for it (a fully cached run never is)."""
        if self.given_catalog is None and not any(
                self.sources.get(name) for name in ("object_info", "snapshot", "server")):
            return []
        return self.catalog.notes()

    @cached_property
    def options(self) -> Options:
        """The run's options; `file_options` adds what the config says per file."""
        from ..rules.selection import select_rules
        from .config import severity_overrides

        select, extend_select, ignore = self.selectors
        return Options(rules=select_rules(select, extend_select, ignore),
                       envelope=self.envelope, severity_overrides=severity_overrides(self.config),
                       allow_unknown_nodes=tuple(self.config.get("allow-unknown-nodes", ())),
                       editor_only_nodes=tuple(self.config.get("editor-only-nodes", ())),
                       requirements=True)  # every report shows what the workflows need

    def file_options(self, path: str) -> Options:
        options = self.options
        fmt = self.require_format or self.config.require_format(path) or "any"
        ignored = frozenset(self.config.ignored_codes(path)) \
            if self.config.get("per-file-ignores") else frozenset()
        if fmt != options.require_format or ignored:
            options = options.replace(require_format=fmt, ignore=ignored)
        return options

    @cached_property
    def selected_codes(self) -> frozenset[str]:
        return frozenset(rule.code for rule in self.options.selected_rules)

    def rule_ran(self, code: str, path: str) -> bool:
        """Whether rule `code` judged this file: selected, and not switched off for it by
        per-file-ignores (a baseline entry for a rule that did not run is not "unused")."""
        return code in self.selected_codes and code not in self.file_options(path).ignore

    def resolve(self) -> None:
        """Resolve everything now (before forking workers, so that they inherit it)."""
        self.catalog, self.options  # noqa: B018 - cached_property access


class Report(Record):
    """What a run found, and how it went."""

    __slots__ = ("results", "suppressed", "cached", "linted", "jobs", "fixes", "write_errors",
                 "baseline_matches")

    def __init__(self) -> None:
        self.results: list[FileResult] = []
        self.suppressed = 0
        self.cached = 0
        self.linted = 0
        self.jobs = 1
        self.fixes: list[FixOutcome] = []
        self.write_errors: list[str] = []  # fixed files that could not be written
        self.baseline_matches: Counter = Counter()


# -- one file ------------------------------------------------------------------------------------
def lint_bytes(job: Job, path: str, data: bytes, explicit: bool) -> "tuple[LoadedFile, FileResult]":
    """(loaded, result) for one file's bytes."""
    options = job.file_options(path)
    try:
        loaded = load_bytes(data, path, explicit=explicit, envelope=job.envelope,
                            require_format=options.require_format)
    except Exception as exc:  # noqa: BLE001 - a loader bug: this file's C002, the run goes on
        return LoadedFile(path=path, explicit=explicit), crashed_result(path, None, exc)
    return loaded, lint_document(loaded, job.catalog, options)


def _read(path: str) -> bytes | None:
    from ..reading import MAX_WORKFLOW_BYTES, read_limited

    try:
        return read_limited(path, MAX_WORKFLOW_BYTES)
    except OSError:
        return None


def _lint_path(job: Job, path: str, explicit: bool,
               keyed: bool = True) -> tuple[FileResult, str | None]:
    """(result, the cache key of the very bytes linted; None if unreadable or not `keyed`, when
    no cache will keep it): a file edited while the run reads it is cached under what was
    linted, never under its other version."""
    data = _read(path)
    if data is None:  # let the loader describe the problem (missing, unreadable, a directory)
        from ..load import load_path

        options = job.file_options(path)
        try:
            loaded = load_path(path, explicit=explicit, envelope=job.envelope,
                               require_format=options.require_format)
        except Exception as exc:  # noqa: BLE001 - a loader bug: this file's C002
            return crashed_result(path, None, exc), None
        return lint_document(loaded, job.catalog, options), None
    result = lint_bytes(job, path, data, explicit)[1]
    if not keyed:
        return result, None
    from .cache import file_key

    return result, file_key(path, data, explicit)


# -- worker processes ------------------------------------------------------------------------
_WORKER_JOB: Job | None = None


def _worker_init(job: Job | None) -> None:
    global _WORKER_JOB
    if job is not None:  # spawn start method: the job came pickled
        _WORKER_JOB = job


def _worker_lint(batch: list[tuple[str, bool]],
                 keyed: bool = True) -> list[tuple[FileResult, str | None]]:
    assert _WORKER_JOB is not None, "the pool's initializer sets the job"
    out = []
    for path, explicit in batch:
        result, key = _lint_path(_WORKER_JOB, path, explicit, keyed)
        if not result.masked:
            result.text = None  # the parent has the bytes; do not ship the text back
        out.append((result, key))
    return out


def _lint_many(job: Job, files: list[tuple[str, bool]], jobs: int,
               progress: Callable[[int], None] | None,
               keyed: bool = True) -> list[tuple[FileResult, str | None]]:
    if jobs <= 1 or len(files) < 2:
        out = []
        for index, (path, explicit) in enumerate(files, 1):
            out.append(_lint_path(job, path, explicit, keyed))
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
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init,
                                 initargs=(initarg,)) as pool:
            for batch_result in pool.map(partial(_worker_lint, keyed=keyed), batches):
                out.extend(batch_result)
                if progress:
                    progress(len(batch_result))
    except BrokenProcessPool:
        raise ComfylintError("a worker process died (out of memory, or killed); run again with "
                             "--jobs 1 to find the file") from None
    return out


# -- the run ---------------------------------------------------------------------------------
def run(job: Job, files: list[tuple[str, bool]], *, cache=None, jobs: int | None = None,
        stdin_data: bytes | None = None, stdin_name: str = "-",
        progress: "ProgressFactory | None" = None) -> Report:
    """Lint `files` (from select_files). Results keep the files' order."""
    if cache is not None:  # (the results cache's module: only for a run that keeps results)
        from .cache import file_key, result_entry
    report = Report()
    slots: list[FileResult | None] = [None] * len(files)
    pending: list[tuple[int, str, bool, str | None]] = []
    contents: dict[int, bytes] = {}
    for index, (path, explicit) in enumerate(files):
        if path == "-":
            shown = stdin_name
            result = lint_bytes(job, shown, stdin_data or b"", True)[1]
            slots[index], report.suppressed = result, report.suppressed + result.suppressed
            continue
        data = _read(path) if cache is not None else None
        key = file_key(path, data, explicit) if data is not None else None
        cached = cache.result(key, path) if key is not None else None
        if cached is not None:
            slots[index] = cached
            report.suppressed += cached.suppressed
            report.cached += 1
            if cached.diagnostics and data is not None:
                contents[index] = data
            continue
        if data is not None:
            contents[index] = data
        pending.append((index, path, explicit, key))
    if jobs:
        report.jobs = jobs
    else:
        from .workers import auto_jobs

        report.jobs = auto_jobs([len(contents[index]) if index in contents else _size(path)
                                 for index, path, _explicit, _key in pending])
    advance = progress(len(pending)) if progress else None
    linted = _lint_many(job, [(p, e) for _i, p, e, _k in pending], report.jobs, advance,
                        keyed=cache is not None)
    if advance:
        advance(None)
    for (index, _path, _explicit, _key), (result, key) in zip(pending, linted):
        slots[index] = result
        report.suppressed += result.suppressed
        report.linted += 1
        if cache is not None and key is not None:
            cache.put(key, result_entry(result))
    report.results = [r for r in slots if r is not None]
    for index, slot in enumerate(slots):
        if slot is not None and slot.text is None and slot.diagnostics and index in contents:
            slot.text = _source_text(slot, contents[index])
    if cache is not None:
        cache.save()
    return report


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _source_text(result: FileResult, data: bytes) -> str | None:
    """The text renderers quote in snippets (none for images); secrets masked as the engine
    masked them (a cached result keeps no text, and no secret)."""
    if data.startswith((b"\x89PNG", b"RIFF")):
        return None
    if result.masked:
        from ..engine.secrets import mask_source

        return mask_source(data, result.path)
    return data.decode("utf-8-sig", "replace")


def apply_baseline(job: Job, report: Report, baseline: "Baseline") -> None:
    """Drop baselined findings; entries that matched nothing become C001 on their file."""
    suppressed, report.baseline_matches = baseline.apply(report.results)
    report.suppressed += suppressed
    if "C001" not in job.selected_codes:
        return
    by_path = {r.path: r for r in report.results}
    overrides = job.options.severity_overrides
    for diag in baseline.unused(report.results, report.baseline_matches, job.rule_ran):
        diag.severity = overrides.get(diag.code, diag.severity)
        by_path[diag.file or ""].diagnostics.append(diag)  # unused() names the entry's file


# -- fixing ------------------------------------------------------------------------------------
def fix_results(job: Job, report: Report, unsafe: bool, write: bool) -> None:
    """Apply fixes to files whose findings offer one; re-lint them so the report shows what is
    left. With `write` false (--diff) nothing is written and findings stay as they were."""
    from ..writing import WriteError, write_file
    from .fix import chosen_fixes, fix_file

    for position, result in enumerate(report.results):
        if result.skipped or not chosen_fixes(result.diagnostics, unsafe) or result.path == "-":
            continue
        data = _read(result.path)
        if data is None or data.startswith((b"\x89PNG", b"RIFF")):
            continue
        explicit = True

        def relint(current: bytes, path: str = result.path, explicit: bool = explicit):
            loaded, fresh = lint_bytes(job, path, current, explicit)
            return loaded, fresh.diagnostics

        outcome = fix_file(result.path, data, relint, unsafe)
        if not outcome.changed:
            continue
        if write:
            try:
                write_file(result.path, outcome.fixed)
            except WriteError as exc:
                report.write_errors.append(str(exc))  # the file and its findings stay as they were
                continue
            report.results[position] = lint_bytes(job, result.path, outcome.fixed, explicit)[1]
        report.fixes.append(outcome)
