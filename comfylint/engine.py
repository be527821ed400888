"""The pipeline: discover files → load → graph → rules → positions → results.

Pure library code: no printing, no exiting, no global state beyond caches of immutable data,
so that platforms can call it inside a request handler.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .catalog import Catalog
from .diagnostics import Diagnostic, Severity
from .load import LoadedFile, load_bytes, load_document, load_path
from .rules import all_rules
from .rules.base import Context, Rule, Settings

WORKFLOW_SUFFIXES = (".json", ".png", ".webp")
SKIPPED_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox",
                ".mypy_cache", ".pytest_cache", ".ruff_cache", ".comfylint_cache"}


@dataclass
class FileResult:
    path: str
    format: str | None
    envelope: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: bool = False
    text: str | None = field(default=None, repr=False)  # for snippets in human output

    @property
    def status(self) -> str:
        if self.skipped:
            return "skipped"
        if any(d.code == "F001" for d in self.diagnostics):
            return "error"
        return "findings" if self.diagnostics else "ok"

    def to_dict(self) -> dict:
        return {"path": self.path, "format": self.format, "envelope": self.envelope,
                "status": self.status}


@dataclass
class Options:
    """What the CLI (or a caller) decides for a run."""

    select: Sequence[Rule] | None = None  # None: every rule
    settings: Settings = field(default_factory=Settings)
    envelope: str = "auto"


# -- discovery -------------------------------------------------------------------------------------
def discover(paths: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """(path, explicit) for each file to lint; directories are walked for workflow files."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
                for name in sorted(files):
                    if name.lower().endswith(WORKFLOW_SUFFIXES):
                        yield os.path.join(root, name), False
        else:
            yield raw, True


# -- linting ---------------------------------------------------------------------------------------
def lint_loaded(loaded: LoadedFile, catalog: Catalog, options: Options) -> FileResult:
    ctx = Context(loaded=loaded, catalog=catalog, settings=options.settings)
    result = FileResult(path=loaded.path, format=loaded.format, envelope=loaded.envelope,
                        text=loaded.text)
    if (not loaded.explicit and loaded.format is None and not loaded.unreadable
            and all(d.code in ("F003", "F001") for d in loaded.diagnostics)
            and not _looks_like_workflow_text(loaded.text)):
        result.skipped = True  # non-workflow JSON found while walking: silently skipped
        return result
    if loaded.format == "ui" and isinstance(loaded.workflow, dict):
        from .ui import attach_api_view

        attach_api_view(ctx)
    elif loaded.format == "api" and isinstance(loaded.workflow, dict):
        from .graph import WorkflowGraph

        ctx.graph = WorkflowGraph(loaded.workflow, catalog, loaded.partial_execution_targets,
                                  loaded.has_partial_targets)
    rules = options.select if options.select is not None else all_rules()
    for phase in ("main", "post"):
        for rule in rules:
            if rule.phase != phase or not _applies(rule, loaded, ctx):
                continue
            ctx.rule = rule
            try:
                ctx.findings.extend(rule.check(ctx))
            except Exception as exc:  # a broken rule must not hide the others' findings
                ctx.findings.append(_rule_error(loaded.path, rule, exc))
    ctx.rule = None
    result.text = loaded.text  # a rule may have masked secrets in it (P501)
    if ctx.api_workflow is not None:
        from .ui import translate_findings  # API findings point into the UI file instead

        translate_findings(ctx)
    overrides = options.settings.severity_overrides
    for diag in ctx.findings:
        if diag.code in overrides:
            diag.severity = overrides[diag.code]
        if diag.line is None and diag.pointer is not None and loaded.positions is not None:
            where = loaded.positions.locate(diag.pointer)
            if where:
                diag.line, diag.column = where
    result.diagnostics = sorted(ctx.findings, key=Diagnostic.sort_key)
    return result


def _applies(rule: Rule, loaded: LoadedFile, ctx: Context) -> bool:
    if "*" in rule.formats:
        return True
    if "api" in rule.formats and ctx.api_workflow is not None:
        return True  # a UI file is linted as API through its conversion (comfylint.ui)
    # A file whose graph is not an object (a list body, `"prompt": [...]`, a UI export posted as
    # the whole body) has no graph to check: the loader already reported why.
    return (loaded.format in rule.formats and isinstance(loaded.workflow, dict)
            and (loaded.format != "api" or ctx.graph is not None))


def _looks_like_workflow_text(text: str | None) -> bool:
    return bool(text) and ('"class_type"' in text or '"last_node_id"' in text
                           or '"widgets_values"' in text)


def _rule_error(path: str, rule: Rule, exc: Exception) -> Diagnostic:
    return Diagnostic(code="C002", name="rule-error", severity=Severity.ERROR, file=path,
                      message=f"rule {rule.code} ({rule.name}) failed: {type(exc).__name__}: {exc}",
                      help="This is a bug in comfylint; please report it with the workflow.")



def lint_paths(paths: Sequence[str], catalog: Catalog, options: Options,
               stdin_data: bytes | None = None, stdin_name: str = "-") -> list[FileResult]:
    results = []
    for path, explicit in discover(paths):
        if path == "-":
            loaded = load_bytes(stdin_data or b"", stdin_name, envelope=options.envelope,
                                require_format=options.settings.require_format)
        else:
            loaded = load_path(path, explicit=explicit, envelope=options.envelope,
                               require_format=options.settings.require_format)
        results.append(lint_loaded(loaded, catalog, options))
    return results


# -- the Python API ------------------------------------------------------------------------------
def lint(workflow: Any, catalog: Catalog | None = None, *, path: str = "<workflow>",
         envelope: str = "auto", require_format: str = "any",
         select: Sequence[Rule] | None = None) -> list[Diagnostic]:
    """Lint an already-parsed workflow (API or UI dict, or a request envelope)."""
    loaded = load_document(workflow, path, envelope=envelope, require_format=require_format)
    options = Options(select=select, settings=Settings(require_format=require_format),
                      envelope=envelope)
    return _with_node_suppressions(loaded, catalog, options)


def lint_file(path: "str | os.PathLike[str]", catalog: Catalog | None = None, *,
              envelope: str = "auto", require_format: str = "any",
              select: Sequence[Rule] | None = None) -> list[Diagnostic]:
    """Lint one file (JSON, or PNG/WebP with embedded workflow)."""
    loaded = load_path(path, envelope=envelope, require_format=require_format)
    options = Options(select=select, settings=Settings(require_format=require_format),
                      envelope=envelope)
    return _with_node_suppressions(loaded, catalog, options)


def _with_node_suppressions(loaded: LoadedFile, catalog: Catalog | None,
                            options: Options) -> list[Diagnostic]:
    """The file's own node-level suppressions apply in the Python API too (no project config)."""
    from .config import Config
    from .suppress import apply_file

    result = lint_loaded(loaded, catalog or Catalog.bundled_core(), options)
    rules = options.select if options.select is not None else all_rules()
    apply_file(result, loaded, Config(root=Path.cwd()), {rule.code for rule in rules})
    return result.diagnostics
