"""The pipeline end to end on a tiny workflow, through the Python API and the CLI."""
from __future__ import annotations

import json
import subprocess
import sys

import comfylint

TXT2IMG = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "model.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
    "3": {"class_type": "KSampler", "inputs": {
        "seed": 1, "steps": 20, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal",
        "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
        "latent_image": ["5", 0]}},
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
    "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "out"}},
}


def test_valid_workflow_has_no_findings():
    assert comfylint.lint(TXT2IMG) == []


def test_steps_below_min_is_the_servers_error():
    broken = json.loads(json.dumps(TXT2IMG))
    broken["3"]["inputs"]["steps"] = 0
    [diag] = comfylint.lint(broken)
    assert (diag.code, diag.node_id, diag.input, diag.server_error_type) == (
        "T304", "3", "steps", "value_smaller_than_min")


def test_cli_exit_codes(write_json, tmp_path):
    """The installed entry point in a real subprocess (the other CLI tests run in-process)."""
    good = write_json("good.json", TXT2IMG)
    bad = dict(TXT2IMG, **{"8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0],
                                                                        "vae": ["99", 0]}}})
    bad_path = write_json("bad.json", bad)
    run = [sys.executable, "-m", "comfylint", "check"]
    assert subprocess.run(run + [str(good)], capture_output=True, cwd=tmp_path).returncode == 0
    done = subprocess.run(run + [str(bad_path), "--output-format", "json"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert [d["code"] for d in report["diagnostics"]] == ["G101"]
    assert report["diagnostics"][0]["line"] > 1


def test_selectors_take_codes_names_prefixes_and_all():
    from comfylint.rules import all_rules
    from comfylint.rules.selection import resolve_selector

    assert [r.code for r in resolve_selector("T304")] == ["T304"]
    assert [r.code for r in resolve_selector("value-below-min")] == ["T304"]
    assert {r.code[0] for r in resolve_selector("P")} == {"P"}
    assert all(r.code.startswith("T30") for r in resolve_selector("t30"))
    assert len(resolve_selector("ALL")) == len(all_rules())
