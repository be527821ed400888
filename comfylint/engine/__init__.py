"""The one pipeline: one loaded document and a catalog in, one FileResult out.

    view (API graph, or a UI file's converted graph) -> rules -> UI translation
    -> node-level suppressions and per-file ignores -> severity -> positions -> secrets masked

Every entry point calls `lint_document`: `check` (through the project runner), the Python API,
`probe`, `snapshot diff` and `serve`; so the same document gets the same verdict everywhere.
Pure library code: no printing, no exiting, no state beyond caches of immutable data, safe to
call from a request handler.
"""
from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any, Mapping

from ..diagnostics import Diagnostic, FileResult, Severity
from ..graph import WorkflowGraph
from ..load import JSON_TEXT_KEY, OBJECT_KEYS_KEY
from ..record import Record
from ..rules import as_rule, every_rule_entry
from ..rules.base import PHASES, Context
from ..rules.needs import NEEDS
from .secrets import Masker, document_secrets
from .suppressions import SUPPRESSION_KEY, node_suppressions, unused_suppressions

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..load import LoadedFile
    from ..rules import RuleEntry
    from ..rules.base import Rule

UNKNOWN_NODE_CODE = "N201"


class Options(Record):
    """Everything a document's verdict depends on besides the document and the catalog. Never
    changed once made (an Options is shared: replace() makes another)."""

    __slots__ = ("rules", "require_format", "envelope", "severity_overrides", "ignore",
                 "allow_unknown_nodes", "editor_only_nodes", "requirements")

    def __init__(self, rules: tuple[RuleEntry | Rule, ...] | None = None,
                 require_format: str = "any", envelope: str = "auto",
                 severity_overrides: Mapping[str, Severity] | None = None,
                 ignore: frozenset[str] = frozenset(), allow_unknown_nodes: tuple[str, ...] = (),
                 editor_only_nodes: tuple[str, ...] = (), requirements: bool = False) -> None:
        # None: every rule. Index entries (rules.selection.select_rules) or Rule objects: a
        # rule's module is imported when the rule first applies to a document.
        self.rules = rules
        self.require_format = require_format  # "api": anything else (a UI export) is an error
        self.envelope = envelope  # how to read the document (load.envelope)
        self.severity_overrides: Mapping[str, Severity] = \
            severity_overrides if severity_overrides is not None else {}
        self.ignore = ignore  # codes switched off for this document (per-file-ignores)
        self.allow_unknown_nodes = allow_unknown_nodes  # class_type globs the server has
        self.editor_only_nodes = editor_only_nodes  # node types (globs) only the editor has
        # Summarise what the workflow needs from the server (FileResult.requirements): the
        # command line's reports show it; a bare lint() skips the work and the model rules'
        # imports.
        self.requirements = requirements

    def replace(self, **changes: Any) -> "Options":
        """These options with some changed (dataclasses.replace's)."""
        return Options(**{name: changes.get(name, getattr(self, name)) for name in self.__slots__})

    @property
    def selected_rules(self) -> tuple[RuleEntry | Rule, ...]:
        """The rules to run (their code, name, formats and phase; rules.as_rule imports one)."""
        return self.rules if self.rules is not None else every_rule_entry()

    def allows_unknown_node(self, class_type: str | None) -> bool:
        return class_type is not None and any(fnmatch.fnmatchcase(class_type, pattern)
                                              for pattern in self.allow_unknown_nodes)


DEFAULT_OPTIONS = Options()  # every rule, the document read as it comes


def lint_document(loaded: LoadedFile, catalog: Catalog, options: Options = DEFAULT_OPTIONS, *,
                  keep_view: bool = False) -> FileResult:
    """Every finding of one loaded document, suppressions applied, severities final, located.
    `keep_view`: leave the API graph the rules read on `result.view` (the Python API words the
    server's answer from it instead of building it again).

    Never raises: a bug anywhere in the pipeline becomes one C002 finding (exit code 2), so one
    document cannot stop a run, and a crash is never mistaken for findings or for success."""
    try:
        if _node_count(loaded) < BIG_DOCUMENT:
            return _lint_document(loaded, catalog, options, keep_view)
        from ..catalog import gc_paused

        # A big graph is hundreds of thousands of new objects, none in a reference cycle: the
        # collector's passes over them cost 10-40% of the lint and free nothing.
        with gc_paused():
            return _lint_document(loaded, catalog, options, keep_view)
    except Exception as exc:  # noqa: BLE001 - the pipeline's own bugs, reported as such
        return crashed_result(loaded.path, loaded, exc)


BIG_DOCUMENT = 1000  # nodes


def crashed_result(path: str, loaded: LoadedFile | None, exc: Exception) -> FileResult:
    """The result of a document comfylint failed on: one C002 finding saying so (secrets of the
    document masked in the exception's text)."""
    message = f"comfylint failed on this file: {type(exc).__name__}: {exc}"
    if loaded is not None:
        try:
            message = Masker(document_secrets(loaded)).text(message)
        except Exception:  # noqa: BLE001 - the masking itself failed: show no exception text
            message = f"comfylint failed on this file: {type(exc).__name__}"
    return FileResult(path=path, format=getattr(loaded, "format", None),
                      envelope=getattr(loaded, "envelope", None),
                      diagnostics=[_internal_error(path, message)])


def _node_count(loaded: LoadedFile) -> int:
    workflow = loaded.workflow
    if not isinstance(workflow, dict):
        return 0
    nodes = workflow.get("nodes") if loaded.format == "ui" else workflow
    return len(nodes) if isinstance(nodes, (dict, list)) else 0


def _lint_document(loaded: LoadedFile, catalog: Catalog, options: Options,
                   keep_view: bool) -> FileResult:
    result = FileResult(path=loaded.path, format=loaded.format, envelope=loaded.envelope,
                        text=loaded.text)
    if _skipped_while_walking(loaded):
        result.skipped = True
        return result
    ctx = Context(loaded=loaded, catalog=catalog, options=options)
    _attach_view(ctx)
    failure = _conversion_failure(loaded)
    if failure:  # the API rules cannot run: never a quiet pass (whatever rules are selected)
        ctx.findings.append(_internal_error(
            loaded.path, f"the UI workflow could not be converted to the API format for linting "
            f"({failure}); only the UI checks ran", pointer=loaded.base_pointer))
    findings, needs = ctx.findings, NEEDS
    for selected, need, arguments in _applicable(options.selected_rules, loaded, ctx):
        # (a rule that cannot find anything here is neither imported nor called: rules/needs.py)
        if need is not None and not needs[need](ctx, arguments):
            continue
        ctx.rule = rule = as_rule(selected)
        try:
            findings.extend(rule.check(ctx))
        except Exception as exc:  # a broken rule must not hide the others' findings
            findings.append(_rule_error(loaded.path, rule, exc))
    ctx.rule = None
    if ctx.api_workflow is not None:
        from ..ui import (
            translate_findings,  # API findings point into the UI file instead
        )

        translate_findings(ctx)
    kept, result.suppressed = _suppressed(ctx.findings, loaded, options)
    if options.requirements and ctx.api_view is not None:
        kept.extend(_attach_requirements(ctx, result))
    unlocated = []
    for diag in kept:
        if diag.code in options.severity_overrides:
            diag.severity = options.severity_overrides[diag.code]
        if diag.line is None and diag.pointer is not None:
            unlocated.append(diag)
    if unlocated and loaded.text is not None:  # (a document given parsed has no positions)
        located = loaded.locate({diag.pointer for diag in unlocated if diag.pointer is not None})
        for diag in unlocated:
            where = located.get(diag.pointer or "")
            if where:
                diag.line, diag.column = where
    _mask_secrets(loaded, kept, result)
    result.diagnostics = sorted(kept, key=Diagnostic.sort_key) if len(kept) > 1 else kept
    if keep_view:
        result.view = ctx.api_view
    return result


def _attach_requirements(ctx, result: FileResult) -> list[Diagnostic]:
    """The workflow's packs, models and input files (engine/requirements.py); a failure there is
    a C002 finding, never a lost verdict."""
    from .requirements import workflow_requirements

    try:
        result.requirements = workflow_requirements(ctx)
    except Exception as exc:  # noqa: BLE001 - a bug here must not hide the findings
        return [_internal_error(ctx.loaded.path, "the requirements summary failed: "
                                f"{type(exc).__name__}: {exc}")]
    return []


def _mask_secrets(loaded: LoadedFile, findings: list[Diagnostic], result: FileResult) -> None:
    """Whatever rules ran, no credential of the document leaves in a finding or a snippet (P501
    is only the rule that reports them): the last step, after suppressions matched real ids."""
    secrets = document_secrets(loaded)
    if not secrets:
        return  # (most documents)
    masker = Masker(secrets)
    if not masker:
        return
    for diag in findings:
        masker.diagnostic(diag)
    if result.requirements:
        result.requirements = masker.value(result.requirements)  # keys too (node types)
    result.text = masker.json_text(loaded.text) if loaded.text is not None else None
    result.masked = True


def _skipped_while_walking(loaded: LoadedFile) -> bool:
    """Non-workflow JSON found while walking a directory (package.json, ...): silently skipped."""
    return (not loaded.explicit and loaded.format is None and not loaded.unreadable
            and all(d.code in ("F003", "F001") for d in loaded.diagnostics)
            and not _looks_like_workflow_text(loaded.text))


def _attach_view(ctx) -> None:
    """The API graph the API rules read: the document's own, or a UI file's conversion."""
    loaded = ctx.loaded
    if loaded.format == "ui" and isinstance(loaded.workflow, dict):
        from ..ui import attach_api_view

        attach_api_view(ctx)
    elif loaded.format == "api" and isinstance(loaded.workflow, dict):
        ctx.graph = WorkflowGraph(loaded.workflow, ctx.catalog, loaded.partial_execution_targets,
                                  loaded.has_partial_targets)


def _suppressed(findings: list[Diagnostic], loaded: LoadedFile,
                options: Options) -> tuple[list[Diagnostic], int]:
    """(kept, how many were dropped): per-file ignores, allowed unknown nodes and the file's own
    node-level suppressions; C001 for node-level suppressions that are malformed or unused."""
    left = [diag for diag in findings if not _ignored(diag, options)]
    if not _may_hold_suppressions(loaded):  # (most documents: only the options' own ignores)
        return left, len(findings) - len(left)
    problems: list[Diagnostic] = []
    suppressions = node_suppressions(loaded, problems)
    kept = [diag for diag in left if diag.node_id is None or not suppressions.covers(diag)]
    dropped = len(findings) - len(kept)
    if (problems or suppressions.entries) and "C001" not in options.ignore:
        selected = {rule.code for rule in options.selected_rules}
        if "C001" in selected:
            kept.extend(problems)
            kept.extend(unused_suppressions(suppressions, loaded.path, selected, options.ignore))
    return kept, dropped


def _ignored(diag: Diagnostic, options: Options) -> bool:
    """Switched off for this document (per-file ignores) or an unknown node the server has."""
    return diag.code in options.ignore or (diag.code == UNKNOWN_NODE_CODE
                                           and options.allows_unknown_node(diag.class_type))


def _may_hold_suppressions(loaded: LoadedFile) -> bool:
    """False when no object key of the document is the suppression key (in its text, read as it
    is: a \\u escape may spell the key, and then it may)."""
    keys = loaded.extra.get(OBJECT_KEYS_KEY)
    if keys is not None:
        return SUPPRESSION_KEY in keys  # (every object key of the document, as parsed)
    text = loaded.text if loaded.text is not None else loaded.extra.get(JSON_TEXT_KEY)
    return text is None or "\\u" in text or f'"{SUPPRESSION_KEY}"' in text


def _applicable(rules: tuple[RuleEntry | Rule, ...], loaded: LoadedFile,
                ctx) -> list[tuple[RuleEntry | Rule, str | None, tuple]]:
    """The rules that apply to this document, phase by phase (rules.base.PHASES), each with its
    precondition's name (None: it has none) and arguments, split once: the same list for every
    document in the same situation (format, view, loader findings), so it is kept. (Whether each
    may find anything here is the document's own: `needs`, tested as it runs.)"""
    situation = (id(rules), loaded.format, isinstance(loaded.workflow, dict),
                 ctx.api_workflow is not None, ctx.api_view is not None,
                 frozenset([d.code for d in loaded.diagnostics]) if loaded.diagnostics else None)
    known = _APPLICABLE.get(situation)
    if known is None or known[0] is not rules:
        chosen = [(rule, rule.needs[0] if rule.needs else None, tuple(rule.needs[1:]))
                  for phase in PHASES for rule in rules
                  if rule.phase == phase and _applies(rule, loaded, ctx)]
        if len(_APPLICABLE) >= 64:
            _APPLICABLE.clear()
        known = _APPLICABLE[situation] = (rules, chosen)
    return known[1]


# situation -> (the rules tuple it was decided for, kept alive so its id stays its own; the list)
_APPLICABLE: dict[tuple, tuple[tuple, list[tuple[RuleEntry | Rule, str | None, tuple]]]] = {}


def _applies(rule: RuleEntry | Rule, loaded: LoadedFile, ctx) -> bool:
    if rule.loader_findings and all(d.code != rule.code for d in loaded.diagnostics):
        return False
    if "*" in rule.formats:
        return True
    if "api" in rule.formats and ctx.api_workflow is not None:
        return True  # a UI file is linted as API through its conversion (comfylint.ui)
    # A file whose graph is not an object (a list body, `"prompt": [...]`, a UI export posted as
    # the whole body) has no graph to check: the loader already reported why.
    return (loaded.format in rule.formats and isinstance(loaded.workflow, dict)
            and (loaded.format != "api" or ctx.api_view is not None))


def _looks_like_workflow_text(text: str | None) -> bool:
    return text is not None and ('"class_type"' in text or '"last_node_id"' in text
                                 or '"widgets_values"' in text)


def _conversion_failure(loaded: LoadedFile) -> str | None:
    if loaded.format != "ui":
        return None
    from ..ui import CONVERSION_ERROR_KEY

    return loaded.extra.get(CONVERSION_ERROR_KEY)


def _internal_error(path: str, message: str, pointer: str | None = None) -> Diagnostic:
    return Diagnostic(code="C002", name="rule-error", severity=Severity.ERROR, file=path,
                      message=message, pointer=pointer,
                      help="This is a bug in comfylint; please report it with the workflow.")


def _rule_error(path: str, rule: Rule, exc: Exception) -> Diagnostic:
    return _internal_error(path, f"rule {rule.code} ({rule.name}) failed: {type(exc).__name__}: {exc}")
