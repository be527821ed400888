"""The peers comfylint is measured against, side by side in one run (benchmarks/speed.py).

comfy-lint (PyPI `comfy-lint`, MIT) and comfy-cli (PyPI `comfy-cli`, GPL-3.0: called, never read
into this project) are benchmark-only tools: install them into the venv that runs the benchmark
(`pip install comfy-lint comfy-cli`), never into the project's dependencies. Each adapter is None
when its peer is not installed, and the benchmark says so instead of printing its column.
"""
from __future__ import annotations

import importlib
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Validate = Callable[[dict], Any]


def _executable(name: str) -> str | None:
    """The peer's console script beside this interpreter (its venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


class ComfyLint:
    """comfy-lint 0.1: a per-node linter of API workflows against /object_info (7 rules)."""

    label = "comfy-lint"

    def __init__(self, object_info: Path) -> None:
        from comfy_lint.linter import coerce_workflow, lint_workflow
        from comfy_lint.schema import load_from_file

        self._schema = load_from_file(str(object_info))
        self._lint = lint_workflow
        self.coerce = coerce_workflow

    def validate(self, graph: dict) -> Any:
        return self._lint(graph, self._schema)

    @staticmethod
    def command(object_info: Path) -> list[str] | None:
        script = _executable("comfy-lint")
        return [script, "--schema-cache", str(object_info)] if script else None

    @staticmethod
    def installed() -> bool:
        return _importable("comfy_lint")


class ComfyCli:
    """comfy-cli's `workflow validate` (its cql Graph), the check comfy-cli runs before a job."""

    label = "comfy-cli"

    def __init__(self, object_info: Path) -> None:
        from comfy_cli.cql.engine import Graph

        self._graph = Graph.from_object_info(json.loads(object_info.read_text(encoding="utf-8")))
        self._object_info_path = object_info

    def validate(self, graph: dict) -> Any:
        return self._graph.validate_workflow(graph)

    def convert(self, ui_document: dict, object_info: dict) -> Any:
        from comfy_cli.workflow_to_api import convert_ui_to_api

        return convert_ui_to_api(ui_document, object_info)

    @staticmethod
    def command(workflow: str, object_info: Path) -> list[str] | None:
        script = _executable("comfy")
        return [script, "--skip-prompt", "workflow", "validate", "--workflow", workflow,
                "--input", str(object_info)] if script else None

    @staticmethod
    def installed() -> bool:
        return _importable("comfy_cli.cql.engine")


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def load_peers(object_info: Path) -> list:
    """The installed peers, ready to validate against `object_info`."""
    return [peer(object_info) for peer in (ComfyLint, ComfyCli) if peer.installed()]
