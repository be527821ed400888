"""Helpers for the command-line tests: a known-good workflow, broken variants, and the command line
run in this process (a fresh interpreter per run cost most of the suite's time; test_smoke.py keeps
real subprocess runs of the installed entry point)."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import tempfile
import traceback
from pathlib import Path

from click.testing import CliRunner

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


def comfylint(*args: str, cwd: "Path | str | None" = None, stdin: "str | bytes | None" = None,
              env: dict | None = None, text: bool = True) -> subprocess.CompletedProcess:
    """`comfylint ARGS` in `cwd` (default: an empty temporary directory, so that nothing lands
    in the checkout), in this process, with what a subprocess would give: the exit code, standard
    output and error (text, or bytes unless `text`), and an uncaught exception as a traceback on
    standard error with exit code 1, as the interpreter reports it."""
    from comfylint.cli import cli

    env = {"COMFYLINT_NO_CACHE": None, **(env or {})}
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="comfylint-cwd-") as scratch:
        os.chdir(scratch if cwd is None else cwd)
        try:
            result = CliRunner().invoke(cli, list(args), input=stdin, env=env,
                                        prog_name="comfylint")
        finally:
            os.chdir(previous)
    stdout, stderr = result.stdout_bytes, result.stderr_bytes
    returncode = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info)).encode()  # type: ignore[misc]
        returncode = 1
    if text:
        return subprocess.CompletedProcess(args, returncode, stdout.decode("utf-8", "replace"),
                                           stderr.decode("utf-8", "replace"))
    return subprocess.CompletedProcess(args, returncode, stdout, stderr)


def findings(done: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    """(file, code) pairs from a --output-format json run."""
    report = json.loads(done.stdout)
    return sorted((Path(d["file"]).name, d["code"]) for d in report["diagnostics"])
