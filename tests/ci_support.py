"""Helpers for the CI-delivery tests: a known-good workflow, broken variants, and the real CLI."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

from test_smoke import TXT2IMG  # the known-good txt2img API workflow


def variant(**inputs_by_node) -> dict:
    """TXT2IMG with some inputs changed: variant(**{"3": {"steps": 0}})."""
    workflow = copy.deepcopy(TXT2IMG)
    for node_id, values in inputs_by_node.items():
        workflow[node_id]["inputs"].update(values)
    return workflow


def write(path: Path, document, indent=2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=indent) + "\n", encoding="utf-8")
    return path


def comfylint(*args: str, cwd: Path, stdin: str | None = None,
              env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command line, in `cwd`."""
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("COMFYLINT_NO_CACHE", None)
    return subprocess.run([sys.executable, "-m", "comfylint", *args], cwd=cwd, capture_output=True,
                          text=True, input=stdin, env=full_env)


def findings(done: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    """(file, code) pairs from a --output-format json run."""
    report = json.loads(done.stdout)
    return sorted((Path(d["file"]).name, d["code"]) for d in report["diagnostics"])
