"""How the ComfyUI version in use words its answer to `POST /prompt`.

What a release does is data (catalog/releases: `catalog.release.server`, which the rules read
too); this module holds the words: error types, messages and details as the reference records
them (comfyui-server-validation.md §2-§8 [run on 0.3.64], §12 [read from newer upstream sources,
not run]). `dialect_for(catalog)` pairs the two.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    # a client `prompt_id` must be a canonical lowercase UUID (newer): 400 invalid_prompt_id
    canonical_prompt_ids: bool

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
    def invalid_prompt_id() -> dict:
        # Read in newer upstream sources (§12), not run.
        return _error("invalid_prompt_id", "prompt_id must be a valid UUID", "")

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


def dialect_for(catalog: Any) -> Dialect:
    """The dialect of the server the catalog stands for (its bundled release's behaviour)."""
    release = catalog.release
    behaviour = release.server
    return Dialect(name=f"ComfyUI {release.version}",
                   missing_node_type=behaviour.error_type("missing_node_type") == "missing_node_type",
                   cycle_errors_per_node=behaviour.cycle_errors_per_node,
                   checks_v3_combo_values=behaviour.checks_v3_combo_values,
                   canonical_prompt_ids=behaviour.canonical_prompt_ids)


def _error(type_: str, message: str, details: str, extra_info: dict | None = None) -> dict:
    return {"type": type_, "message": message, "details": details,
            "extra_info": extra_info if extra_info is not None else {}}
