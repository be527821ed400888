"""comfylint: the ComfyUI workflow linter.

    import comfylint
    findings = comfylint.lint(workflow_dict)                           # bundled core catalog
    catalog = comfylint.load_catalog(snapshot="comfyui.snapshot.json")  # once; share it
    verdict = comfylint.Validator(catalog).validate(request_body)      # ok, blocking, response

Nothing here prints, exits or keeps state between calls. Names load lazily: `comfylint --version`
must not pay for networkx and jsonschema.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # type checkers see the names; at run time they load on first use
    from .answer import ServerAnswer
    from .api import Validator, Verdict, lint, lint_file, load_catalog, validate
    from .catalog import Catalog
    from .diagnostics import Diagnostic, Fix, Severity
    from .errors import ComfylintError

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "lint": "api", "lint_file": "api", "validate": "api", "load_catalog": "api",
    "Validator": "api", "Verdict": "api",
    "ServerAnswer": "answer",
    "Catalog": "catalog",
    "Diagnostic": "diagnostics", "Severity": "diagnostics", "Fix": "diagnostics",
    "ComfylintError": "errors",
}
__all__ = [
    "Catalog", "ComfylintError", "Diagnostic", "Fix", "ServerAnswer", "Severity", "Validator",
    "Verdict", "__version__", "lint", "lint_file", "load_catalog", "validate",
]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'comfylint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
