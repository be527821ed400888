"""What differs between ComfyUI versions in the answer to `POST /prompt`: one place to extend.

Everything version-specific in the answer (error type names, message wording, what a cycle
produces) is read from a Dialect; `dialect_for(catalog)` picks the one of the server in use. The
facts come from the reference (comfyui-server-validation.md §2-§8 [run on 0.3.64], §12 [read
from newer upstream sources, not run]).

When the catalog carries a bundled release's server behaviour (`catalog.release.server`, the
per-release facts of catalog/releases), that decides; otherwise the catalog's ComfyUI version
does, and a catalog of unknown version is answered as the newest servers answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The first release whose validation answers in the newer way (§12): missing_node_type instead
# of invalid_prompt, dependency_cycle per node of a cycle. Versions between 0.3.64 and it are not
# bundled; a server older than this is answered as 0.3.64 answers.
NEWER_VALIDATION = (0, 26, 0)
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Dialect:
    """How one ComfyUI version words its answer."""

    name: str
    # Unknown class or no class_type: `missing_node_type` with node id/class/title (newer) or
    # `invalid_prompt` with empty extra_info (0.3.64).
    missing_node_type: bool
    # A cycle reachable from an output: `dependency_cycle` on each node (newer), or (0.3.64) a
    # RecursionError swallowed by validation: prompt_outputs_failed_validation, no node errors.
    cycle_errors_per_node: bool
    # v3 `COMBO` values checked against their options (newer); 0.3.64 accepts any (case 63).
    checks_v3_combo_values: bool

    # -- whole-prompt errors --------------------------------------------------------------------
    def no_class_type(self, node_id: str, title: Any) -> dict:
        if not self.missing_node_type:
            return _error("invalid_prompt",
                          "Cannot execute because a node is missing the class_type property.",
                          f"Node ID '#{node_id}'")
        shown = title or f"ID #{node_id}"
        return _error("missing_node_type",
                      f"Node '{shown}' has no class_type. The workflow may be corrupted or a "
                      "custom node is missing.", f"Node ID '#{node_id}'",
                      {"node_id": node_id, "class_type": None, "node_title": title})

    def unknown_class(self, node_id: str, class_type: Any, title: Any) -> dict:
        if not self.missing_node_type:
            return _error("invalid_prompt",
                          f"Cannot execute because node {class_type} does not exist.",
                          f"Node ID '#{node_id}'")
        shown = class_type if title is None else title
        return _error("missing_node_type",
                      f"Node '{shown}' not found. The custom node may not be installed.",
                      f"Node ID '#{node_id}'",
                      {"node_id": node_id, "class_type": class_type, "node_title": shown})

    @staticmethod
    def no_prompt() -> dict:
        return _error("no_prompt", "No prompt provided", "No prompt provided")

    @staticmethod
    def no_outputs() -> dict:
        return _error("prompt_no_outputs", "Prompt has no outputs", "")

    @staticmethod
    def outputs_failed(details: str) -> dict:
        return _error("prompt_outputs_failed_validation", "Prompt outputs failed validation",
                      details)

    # -- node errors ----------------------------------------------------------------------------
    @staticmethod
    def dependency_cycle(path: str, cycle: list[str]) -> dict:
        # Read in newer upstream sources (§12), not run: the wording may differ slightly.
        return _error("dependency_cycle", "Dependency cycle detected", path,
                      {"cycle_nodes": cycle})


OLD = Dialect("ComfyUI 0.3.64", missing_node_type=False, cycle_errors_per_node=False,
              checks_v3_combo_values=False)
NEW = Dialect("ComfyUI >= 0.26", missing_node_type=True, cycle_errors_per_node=True,
              checks_v3_combo_values=True)


def dialect_for(catalog: Any) -> Dialect:
    """The dialect of the server the catalog describes."""
    release = getattr(catalog, "release", None)
    behaviour = getattr(release, "server", None)
    if behaviour is not None and hasattr(behaviour, "cycle_errors_per_node"):
        return NEW if behaviour.cycle_errors_per_node else OLD
    version = _parse(getattr(catalog, "comfyui_version", None))
    if version is None or version >= NEWER_VALIDATION:
        return NEW
    return OLD


def _parse(text: Any) -> tuple[int, int, int] | None:
    match = _VERSION.match(text.strip()) if isinstance(text, str) else None
    return (int(match[1]), int(match[2]), int(match[3] or 0)) if match else None


def _error(type_: str, message: str, details: str, extra_info: dict | None = None) -> dict:
    return {"type": type_, "message": message, "details": details,
            "extra_info": extra_info if extra_info is not None else {}}
