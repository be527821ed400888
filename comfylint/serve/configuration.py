"""The gateway's settings from a project configuration (comfylint.toml or [tool.comfylint]) and
the command line, merged the way `check` merges them, so a platform gates prompts with the same
rules, severities and catalog its CI lints workflows with.

Keys that apply to a prompt: select, extend-select, ignore (the command line's select replaces,
its extend-select and ignore add), severity (the command line's entries win), allow-unknown-nodes
and editor-only-nodes (both add up), fail-on (the command line's wins), and the catalog keys
object-info, snapshot, comfyui-dir and comfyui-version (a command-line source replaces the
config's of the same group). Keys about files in a repository (include, exclude, per-file-ignores,
require-format, baseline) and `server` (the gate reads its --upstream) have no say over a request.
"""
from __future__ import annotations

from typing import Any

from ..project.check import CheckInputs, catalog_sources, merged_selectors


def configured(config, *, select: tuple[str, ...] = (), extend_select: tuple[str, ...] = (),
               ignore: tuple[str, ...] = (), severity: dict[str, str] | None = None,
               allow_unknown_nodes: tuple[str, ...] = (),
               editor_only_nodes: tuple[str, ...] = (), fail_on: str | None = None,
               sources: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(api.Validator keywords, api.load_catalog keywords) for the gateway."""
    flags = CheckInputs(paths=(), select=select, extend_select=extend_select, ignore=ignore,
                        sources={k: v for k, v in (sources or {}).items() if v})
    chosen, extended, ignored = merged_selectors(flags, config)
    validator = {
        "select": list(chosen) if chosen is not None else None,
        "extend_select": list(extended), "ignore": list(ignored),
        "severity": {**config.get("severity", {}), **(severity or {})},
        "allow_unknown_nodes": [*config.get("allow-unknown-nodes", ()), *allow_unknown_nodes],
        "editor_only_nodes": [*config.get("editor-only-nodes", ()), *editor_only_nodes],
        "fail_on": fail_on or config.get("fail-on", "error"),
    }
    catalog = {k: v for k, v in catalog_sources(flags, config).items() if k != "server"}
    return validator, catalog
