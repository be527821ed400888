"""comfylint: the ComfyUI workflow linter.

    import comfylint
    diagnostics = comfylint.lint(workflow_dict)                      # bundled core catalog
    diagnostics = comfylint.lint_file("wf.json", catalog=comfylint.Catalog.from_object_info("oi.json"))

Nothing here prints, exits or keeps state between calls.
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["lint", "lint_file", "Catalog", "Diagnostic", "Severity", "ComfylintError", "__version__"]


def __getattr__(name: str):
    # Lazy: `comfylint --version` must not pay for networkx and jsonschema.
    if name in ("lint", "lint_file"):
        from . import api

        return getattr(api, name)
    if name == "ComfylintError":
        from .errors import ComfylintError

        return ComfylintError
    if name == "Catalog":
        from .catalog import Catalog

        return Catalog
    if name in ("Diagnostic", "Severity"):
        from . import diagnostics

        return getattr(diagnostics, name)
    raise AttributeError(f"module 'comfylint' has no attribute {name!r}")
