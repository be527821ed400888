"""The JSON output is a public contract: every run's output validates against its schema."""
from __future__ import annotations

import json
import pytest

from ci_support import comfylint
from comfylint.resources import validator
from conftest import ROOT


def run_json(*args: str) -> dict:
    done = comfylint("check", "--output-format", "json", "--no-cache", *args)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("target", ["examples", "rules"])
def test_output_validates_against_the_schema(target):
    report = run_json(str(ROOT / target))
    validator("output.schema.json").validate(report)
    assert report["summary"]["files"] >= 1


def test_every_key_is_present_even_when_empty(write_json):
    path = write_json("no_outputs.json", {"1": {"class_type": "EmptyImage", "inputs": {
        "width": 8, "height": 8, "batch_size": 1, "color": 0}}})
    report = run_json(str(path))
    validator("output.schema.json").validate(report)
    [diag] = report["diagnostics"]
    assert diag["code"] == "G105" and diag["server_error_type"] == "prompt_no_outputs"
    assert diag["node_id"] is None and diag["fix"] is None
    assert report["files"] == [{"path": str(path), "format": "api", "envelope": None,
                                "status": "findings", "requirements": {
                                    "custom_nodes": [], "models": [], "input_files": []}}]
