"""The `check` flow shared by `check`, `baseline`, `probe` and `snapshot diff`: config → sources
→ files → lint (cached, parallel) → fix → baseline. The commands only add their own output.

Every problem with the run's inputs is a ComfylintError (the command line exits 2 on it).
"""
from __future__ import annotations

import os
from typing import Any

from ..record import Record

NODE_SOURCES = ("object_info", "snapshot", "server")
FILE_SOURCES = ("manifest", "comfyui_dir", "models_dir")
LIVE_SOURCES = ("server", "comfyui_dir", "models_dir")  # server state that may change between runs
CONFIG_SOURCE_KEYS = {"object_info": "object-info", "snapshot": "snapshot", "server": "server",
                      "comfyui_dir": "comfyui-dir"}


class CheckInputs(Record):
    """The command line's say; None means "not given" (the config or a default decides)."""

    __slots__ = ("paths", "config_file", "isolated", "select", "extend_select", "ignore",
                 "require_format", "envelope", "sources", "jobs", "use_cache", "force_exclude",
                 "baseline", "use_baseline")

    def __init__(self, paths: tuple[str, ...], config_file: str | None = None,
                 isolated: bool = False, select: tuple[str, ...] = (),
                 extend_select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
                 require_format: str | None = None, envelope: str = "auto",
                 sources: dict[str, Any] | None = None, jobs: int | None = None,
                 use_cache: bool = True, force_exclude: bool = False, baseline: str | None = None,
                 use_baseline: bool = True) -> None:
        self.paths = paths
        self.config_file = config_file
        self.isolated = isolated
        self.select = select
        self.extend_select = extend_select
        self.ignore = ignore
        self.require_format = require_format
        self.envelope = envelope
        self.sources = sources if sources is not None else {}
        self.jobs = jobs
        self.use_cache = use_cache
        self.force_exclude = force_exclude
        self.baseline = baseline
        self.use_baseline = use_baseline


def load_run_config(inputs: CheckInputs):
    from .config import load_config, search_start

    return load_config(inputs.config_file, search_start(inputs.paths), inputs.isolated)


def catalog_sources(inputs: CheckInputs, config) -> dict[str, Any]:
    """Command-line sources, else the config's (node definitions, server files and the ComfyUI
    version separately, so that --object-info on the command line replaces a configured
    snapshot)."""
    sources = dict(inputs.sources)
    if not sources.get("comfyui_version") and config.get("comfyui-version"):
        sources["comfyui_version"] = config.get("comfyui-version")
    for group in (NODE_SOURCES, FILE_SOURCES):
        if any(sources.get(name) for name in group):
            continue
        for name in group:
            key = CONFIG_SOURCE_KEYS.get(name)
            if key and config.get(key):
                sources[name] = config.get(key)
    return sources


def merged_selectors(inputs: CheckInputs, config) -> tuple[Any, tuple, tuple]:
    """(select, extend_select, ignore): the command line's select replaces the config's, its
    extend-select and ignore add to the config's (as in ruff). select None: not given (every
    rule); an explicit empty select (`--select ""`, `select = []`) is kept, and select_rules
    refuses it."""
    select = inputs.select or (tuple(config.get("select")) if config.get("select") is not None
                               else None)
    extend_select = tuple(config.get("extend-select", ())) + inputs.extend_select
    ignore = tuple(config.get("ignore", ())) + inputs.ignore
    return select, extend_select, ignore


def build_job(inputs: CheckInputs, config, sources: dict[str, Any], catalog=None):
    """The run's Job, with the selectors merged_selectors gives."""
    from .runner import Job

    return Job(config=config, selectors=merged_selectors(inputs, config), sources=sources,
               envelope=inputs.envelope, require_format=inputs.require_format,
               given_catalog=catalog)


def open_cache(inputs: CheckInputs, config, job, sources: dict[str, Any]):
    """The run's cache, or None when disabled or when the catalog reflects live server state."""
    if not inputs.use_cache or os.environ.get("COMFYLINT_NO_CACHE") or any(
            sources.get(name) for name in LIVE_SOURCES):
        return None
    from .cache import Cache, run_key, source_identity

    from ..catalog.packs import find_map

    identity = {name: source_identity(value) for name, value in sorted(sources.items())
                if isinstance(value, str) and name not in ("token",)}
    # The pack map N201 names packs from, wherever it was found (given, environment, user cache).
    identity["node_map"] = source_identity(str(find_map(sources.get("extension_node_map")) or ""))
    key = run_key(config.fingerprint(), identity, job.selectors, job.envelope, job.require_format)
    return Cache(config.root, key)


def load_baseline(inputs: CheckInputs, config):
    path = inputs.baseline or config.baseline_path()
    if not path or not inputs.use_baseline:
        return None
    from .baseline import Baseline

    return Baseline.load(path)


def _refuse_an_empty_walk(paths: "tuple[str, ...]", config) -> None:
    """Directories were given and not one candidate file was found in them: a wrong path or an
    include/exclude that matches nothing must not pass as "All checks passed (0 files)".
    (Named files filtered out by --force-exclude, as pre-commit passes them, are fine; so are
    walked JSON files that turn out not to be workflows, package.json and the like.)"""
    from ..errors import ComfylintError

    directories = [p for p in paths if p != "-" and os.path.isdir(p)]
    if not directories:
        return
    where = ", ".join(directories)
    if config.get("include"):
        raise ComfylintError(f"no workflow file in {where} matches include = "
                             f"{config.get('include')} ({config.path}): nothing was checked")
    raise ComfylintError(f"no .json, .png or .webp file found in {where} (exclude and .gitignore "
                         "applied): nothing was checked")


def lint_run(inputs: CheckInputs, *, stdin_data: bytes | None = None, stdin_name: str = "-",
             progress=None, fix: str | None = None, unsafe_fixes: bool = False,
             apply_baseline: bool = True, catalog=None):
    """Run the whole flow. `fix`: None, "write" or "diff"; `catalog`: one the caller built (from
    a live server or a snapshot) instead of the sources'. Returns (config, job, report)."""
    from .discovery import select_files
    from .runner import apply_baseline as drop_baselined
    from .runner import fix_results, run

    config = load_run_config(inputs)
    sources = catalog_sources(inputs, config)
    if not inputs.use_cache:
        sources["cache"] = False  # nor the catalog cache (catalog/cache.py)
    job = build_job(inputs, config, sources, catalog)
    baseline = load_baseline(inputs, config) if apply_baseline else None
    force_exclude = inputs.force_exclude or bool(config.get("force-exclude"))
    files = select_files(inputs.paths, config, force_exclude)
    if not files:
        _refuse_an_empty_walk(inputs.paths, config)
    cache = open_cache(inputs, config, job, sources) if catalog is None else None
    report = run(job, files, cache=cache, jobs=inputs.jobs, stdin_data=stdin_data,
                 stdin_name=stdin_name, progress=progress)
    if fix is not None:
        fix_results(job, report, unsafe_fixes, write=fix == "write")
    if baseline is not None:
        drop_baselined(job, report, baseline)
    return config, job, report
