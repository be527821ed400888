"""The Python API: the command line's powers for a program that holds a workflow or a request.

    import comfylint

    # lint: the findings, as `check` finds them (existing users)
    findings = comfylint.lint(workflow)                                   # newest bundled catalog
    findings = comfylint.lint(workflow, select=["T3", "model-not-found"])  # codes, names, prefixes
    findings = comfylint.lint_file("wf.json", catalog=catalog)

    # validate: a gate's verdict, with ComfyUI's own answer
    catalog = comfylint.load_catalog(snapshot="comfyui.snapshot.json")   # or object_info=, server=,
    validator = comfylint.Validator(catalog, allow_unknown_nodes=["MyPack*"])  # manifest=, comfyui_dir=
    validator.warm_up()                                  # once, before the first request
    verdict = validator.validate(request_body)           # bytes, str, or a parsed dict
    if not verdict.ok:
        return 400, verdict.response                     # {"error", "node_errors"}, as ComfyUI answers

A Validator holds only immutable settings and the catalog: share one across threads. Nothing here
prints, exits or keeps state between calls. Inputs the caller must fix (a bad selector, an
unreadable catalog) raise ComfylintError.
"""
from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from .diagnostics import Diagnostic, Severity
from .engine import Options, lint_document
from .errors import ComfylintError
from .load import load_bytes, load_document

if TYPE_CHECKING:  # the catalog loads lazily
    from .answer import ServerAnswer
    from .catalog import Catalog
    from .load import LoadedFile
    from .rules.base import Rule

Selectors: TypeAlias = "str | Iterable[str | Rule] | None"
Document = Any  # a parsed JSON value, or the request's bytes / JSON text
FAIL_ON = ("error", "warning", "info")

__all__ = ["Validator", "Verdict", "lint", "lint_file", "load_catalog", "validate"]


# -- findings -------------------------------------------------------------------------------------
def lint(workflow: Document, catalog: Catalog | None = None, *, path: str = "<workflow>",
         envelope: str = "auto", require_format: str = "any", select: Selectors = None,
         ignore: Selectors = None, strict: bool = False) -> list[Diagnostic]:
    """Lint a workflow you hold: a parsed API or UI dict, a request envelope, or its JSON text
    (str or bytes; PNG/WebP bytes too). `strict`: anything but an API workflow is an error."""
    validator = Validator(catalog, select=select, ignore=ignore, envelope=envelope,
                          require_format=require_format, strict=strict)
    return validator.findings(validator.load(workflow, path)).diagnostics


def lint_file(path: str | os.PathLike[str], catalog: Catalog | None = None, *,
              envelope: str = "auto", require_format: str = "any", select: Selectors = None,
              ignore: Selectors = None, strict: bool = False) -> list[Diagnostic]:
    """Lint one file (JSON, or PNG/WebP with an embedded workflow)."""
    from .load import load_path

    validator = Validator(catalog, select=select, ignore=ignore, envelope=envelope,
                          require_format=require_format, strict=strict)
    loaded = load_path(os.fspath(path), envelope=envelope, require_format=validator.options.require_format)
    return validator.findings(loaded).diagnostics


# -- catalogs ---------------------------------------------------------------------------------------
def load_catalog(*, object_info: str | os.PathLike[str] | Mapping | None = None,
                 snapshot: str | os.PathLike[str] | Mapping | None = None,
                 server: str | None = None, headers: Sequence[str] = (), token: str | None = None,
                 timeout: float | None = None, manifest: str | os.PathLike[str] | None = None,
                 comfyui_dir: str | os.PathLike[str] | None = None,
                 models_dir: str | os.PathLike[str] | None = None,
                 extension_node_map: str | os.PathLike[str] | None = None,
                 comfyui_version: str | None = None, cache: bool = True) -> Catalog:
    """The catalog `check` would build from the same sources (one of object_info, snapshot or
    server for node definitions; manifest, or comfyui_dir and/or models_dir, for the server's
    files). object_info and snapshot may be paths or parsed documents. `comfyui_version`: the
    server's version when the source does not say it (an /object_info), which decides how
    ComfyUI's answer is worded. Load it once and share it: it is read-only."""
    from .catalog.sources import CatalogSources, build_catalog

    given = {"object_info": object_info, "snapshot": snapshot, "server": server}
    parsed = _parsed_nodes(given)
    sources = CatalogSources(
        **{k: _text(v) for k, v in given.items() if not isinstance(v, Mapping)},
        headers=tuple(headers), token=token, timeout=timeout, manifest=_text(manifest),
        comfyui_dir=_text(comfyui_dir), models_dir=_text(models_dir),
        extension_node_map=_text(extension_node_map), cache=cache,
        comfyui_version=comfyui_version)
    return build_catalog(sources, parsed)


def _parsed_nodes(given: dict[str, Any]) -> Catalog | None:
    from .catalog import Catalog, CatalogError
    from .catalog.sources import SourceError

    named = [name for name, value in given.items() if value is not None]
    if len(named) > 1:
        raise SourceError(f"{' and '.join(named)} all give node definitions: give one")
    try:
        if isinstance(given["object_info"], Mapping):
            return Catalog.from_object_info(dict(given["object_info"]))
        if isinstance(given["snapshot"], Mapping):
            from .catalog.snapshot import catalog_from_snapshot

            return catalog_from_snapshot(dict(given["snapshot"]), source="snapshot")
    except (CatalogError, KeyError, TypeError, ValueError) as exc:
        raise SourceError(f"cannot use the given {named[0]}: {exc}") from None
    return None


def _text(value: Any) -> str | None:
    return None if value is None else os.fspath(value)


# -- verdicts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """One request's verdict.

    `ok`: nothing blocks it (no finding at or above the validator's fail_on). `blocking`: the
    findings that do. `server`: what the ComfyUI version in use would answer to POST /prompt
    (status and body). `response`: the body to answer a client with, in ComfyUI's shape:
    `{"error": null, "node_errors": {}}` when ok, else the server's own rejection (or, when the
    server would accept the prompt and silently drop an output, or crash on it, the same shape
    holding comfylint's reasons)."""

    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    blocking: tuple[Diagnostic, ...]
    format: str | None
    envelope: str | None
    server: ServerAnswer
    response: dict

    def to_dict(self) -> dict:
        """The `/validate_prompt` answer: `{"valid", "error", "node_errors", "comfylint"}`."""
        return {"valid": self.ok, **self.response,
                "comfylint": {"format": self.format, "envelope": self.envelope,
                              "server_status": self.server.status,
                              "blocking": [d.code for d in self.blocking],
                              "diagnostics": [d.to_dict() for d in self.diagnostics]}}


class Validator:
    """Validation settings resolved once (rules, severities, the catalog), then applied to any
    number of documents, from any number of threads.

    - select / extend_select / ignore: rule selectors (codes, kebab-case names, prefixes, ALL);
    - severity: {selector: "error" | "warning" | "info"} overrides;
    - allow_unknown_nodes: class_type globs the server has although the catalog does not;
    - editor_only_nodes: node type globs that exist only in the editor (browser-side virtual
      nodes of a pack comfylint's own table does not list): UI files convert without them;
    - strict (default): only an API workflow, or a request envelope holding one, passes; a UI
      export, an empty object, a text prompt, null are errors;
    - fail_on: the lowest severity that blocks (default "error").
    """

    def __init__(self, catalog: Catalog | None = None, *, select: Selectors = None,
                 extend_select: Selectors = None, ignore: Selectors = None,
                 severity: Mapping[str, str | Severity] | None = None,
                 allow_unknown_nodes: Iterable[str] = (), editor_only_nodes: Iterable[str] = (),
                 strict: bool = True,
                 fail_on: str = "error", envelope: str = "auto",
                 require_format: str | None = None) -> None:
        if fail_on not in FAIL_ON:
            raise ComfylintError(f"fail_on {fail_on!r}: expected one of {', '.join(FAIL_ON)}")
        if catalog is None:
            from .catalog import Catalog

            catalog = Catalog.stock()
        self.catalog = catalog
        self.threshold = Severity[fail_on.upper()]
        required = "api" if strict else (require_format or "any")
        if select is None and not extend_select and not ignore and not severity:
            # Every rule, no severity of its own: the same Options for the same few settings
            # (lint() builds a Validator per call).
            self.options = _every_rule_options(envelope, required, strict,
                                               tuple(allow_unknown_nodes), tuple(editor_only_nodes))
            return
        from .rules.selection import select_rules, severity_overrides

        rules = None
        if select is not None or extend_select or ignore:
            rules = select_rules(select, extend_select or (), ignore or ())
        overrides: dict[str, Severity] = {"F003": Severity.ERROR} if strict else {}
        overrides.update(severity_overrides(severity or {}))
        self.options = Options(rules=rules, envelope=envelope, require_format=required,
                               severity_overrides=overrides,
                               allow_unknown_nodes=tuple(allow_unknown_nodes),
                               editor_only_nodes=tuple(editor_only_nodes))

    def with_catalog(self, catalog: Catalog) -> Validator:
        """The same settings against another catalog (e.g. a refreshed server catalog)."""
        other = copy.copy(self)
        other.catalog = catalog
        return other

    # -- the steps ----------------------------------------------------------------------------------
    def load(self, document: Document, path: str = "<request>", *,
             envelope: str | None = None, files: Iterable[str] = ()) -> LoadedFile:
        """Read a document: bytes or str are the JSON text (or image bytes) as sent; anything else
        is a parsed JSON value. `files`: server paths the request brings along (uploaded inputs,
        models: "/input/x.png", "/models/loras/y.safetensors"), which count as present."""
        how = envelope or self.options.envelope
        fmt = self.options.require_format
        if isinstance(document, (bytes, bytearray, memoryview)):
            loaded = load_bytes(bytes(document), path, envelope=how, require_format=fmt)
        elif isinstance(document, str):  # JSON text; a lone surrogate in it is no UTF-8 (F001)
            loaded = load_bytes(document.encode("utf-8", "surrogatepass"), path, envelope=how,
                                require_format=fmt)
        else:
            loaded = load_document(document, path, envelope=how, require_format=fmt)
        if files:
            loaded.envelope_files.update(f for f in files if isinstance(f, str))
        return loaded

    def findings(self, loaded: LoadedFile, envelope: str | None = None, *,
                 keep_view: bool = False):
        options = self.options if envelope is None else self.options.replace(envelope=envelope)
        return lint_document(loaded, self.catalog, options, keep_view=keep_view)

    def validate(self, document: Document, *, path: str = "<request>", files: Iterable[str] = (),
                 envelope: str | None = None) -> Verdict:
        """The verdict on one workflow or request body. `envelope="comfyui-prompt"` says the
        document is a POST /prompt body exactly as sent (what a gate in front of /prompt holds);
        the default sniffs it (a bare graph is answered as `{"prompt": graph}`)."""
        from .answer import rejection, server_answer

        loaded = self.load(document, path, envelope=envelope, files=files)
        result = self.findings(loaded, envelope, keep_view=True)
        diagnostics = tuple(result.diagnostics)
        blocking = tuple(d for d in diagnostics if d.severity >= self.threshold)
        answer = server_answer(loaded, diagnostics, self.catalog, view=result.view,
                               body_is_request=envelope == "comfyui-prompt")
        ok = not blocking
        response = {"error": None, "node_errors": {}} if ok else rejection(answer, blocking,
                                                                           self.catalog)
        return Verdict(ok=ok, diagnostics=diagnostics, blocking=blocking, format=loaded.format,
                       envelope=loaded.envelope, server=answer, response=response)

    def warm_up(self) -> None:
        """Do the one-time work now instead of in the first request: import the rules, the
        loaders and the graph library, and run one small validation. (A big catalog decodes a
        class on first use; each request touches only the classes it uses.)"""
        import networkx  # noqa: F401 - the graph library (WorkflowGraph.g builds on first use)

        from .load import load_document  # noqa: F401 - the import is the warm-up
        from .rules import as_rule

        for selected in self.options.selected_rules:
            as_rule(selected)  # imports the rule
        warm = {"1": {"class_type": "SaveImage", "inputs": {"images": ["2", 0]}},
                "2": {"class_type": "EmptyImage", "inputs": {}}}
        self.validate({"prompt": warm})


@lru_cache(maxsize=32)
def _every_rule_options(envelope: str, require_format: str, strict: bool,
                        allow_unknown_nodes: tuple[str, ...],
                        editor_only_nodes: tuple[str, ...]) -> Options:
    """Options that select every rule, shared by the Validators that ask alike (nothing changes
    an Options: it is frozen, and its severity_overrides are only read)."""
    return Options(envelope=envelope, require_format=require_format,
                   severity_overrides={"F003": Severity.ERROR} if strict else {},
                   allow_unknown_nodes=allow_unknown_nodes, editor_only_nodes=editor_only_nodes)


def validate(document: Document, catalog: Catalog | None = None, *,
             files: Iterable[str] = (), path: str = "<request>", envelope: str | None = None,
             **settings: Any) -> Verdict:
    """`Validator(catalog, **settings).validate(document)`: for one call. A service builds one
    Validator and reuses it."""
    return Validator(catalog, **settings).validate(document, path=path, files=files,
                                                   envelope=envelope)
