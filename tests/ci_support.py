"""Helpers for the CI-delivery tests: a known-good workflow, broken variants, and the real CLI."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

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
