"""The Python API: lint a workflow you hold (a dict) or a file, with the same pipeline as `check`.

    import comfylint
    findings = comfylint.lint(workflow)                                   # newest bundled catalog
    findings = comfylint.lint(workflow, select=["T3", "model-not-found"])  # codes, names, prefixes
    findings = comfylint.lint_file("wf.json", catalog=comfylint.Catalog.from_object_info("oi.json"))

Nothing here prints, exits or keeps state between calls. A bad selector raises ComfylintError.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

from .diagnostics import Diagnostic
from .engine import Options, lint_document
from .rules.base import Rule

if TYPE_CHECKING:  # the catalog loads lazily
    from .catalog import Catalog

Selectors = Optional[Union[str, Iterable[Union[str, Rule]]]]


def lint(workflow: Any, catalog: "Catalog | None" = None, *, path: str = "<workflow>",
         envelope: str = "auto", require_format: str = "any", select: Selectors = None,
         ignore: Selectors = None) -> list[Diagnostic]:
    """Lint an already-parsed workflow (API or UI dict, or a request envelope)."""
    from .load import load_document

    loaded = load_document(workflow, path, envelope=envelope, require_format=require_format)
    return _run(loaded, catalog, envelope, require_format, select, ignore)


def lint_file(path: "str | os.PathLike[str]", catalog: "Catalog | None" = None, *,
              envelope: str = "auto", require_format: str = "any", select: Selectors = None,
              ignore: Selectors = None) -> list[Diagnostic]:
    """Lint one file (JSON, or PNG/WebP with an embedded workflow)."""
    from .load import load_path

    loaded = load_path(path, envelope=envelope, require_format=require_format)
    return _run(loaded, catalog, envelope, require_format, select, ignore)


def _run(loaded, catalog, envelope: str, require_format: str, select, ignore) -> list[Diagnostic]:
    from .catalog import Catalog
    from .rules.selection import select_rules

    rules = select_rules(select, ignore=ignore or ()) if select is not None or ignore else None
    options = Options(rules=rules, require_format=require_format, envelope=envelope)
    return lint_document(loaded, catalog or Catalog.bundled_core(), options).diagnostics
