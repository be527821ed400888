"""Core speed and memory: prints numbers, asserts nothing (see DESIGN.md, Speed).

    python benchmarks/core_speed.py

1. one file, cold process, bundled catalog (wall time of `comfylint check FILE`, best of N);
2. core work per median API workflow (~40 nodes) once started;
3. a synthetic 2,000-node workflow, and growth with node count;
4. a ~100 MB /object_info (node definitions replicated): load time and peak memory.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from comfylint.catalog import Catalog  # noqa: E402
from comfylint.api import lint  # noqa: E402

EXAMPLE = ROOT / "examples" / "api" / "txt2img.json"


def cold_start(runs: int = 7) -> None:
    # As an installed comfylint runs: bytecode cached, so drop PYTHONDONTWRITEBYTECODE (some
    # sandboxes set it) and warm up once so that the .pyc files exist.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "comfylint", "check", "--no-cache", str(EXAMPLE)],
                   capture_output=True, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "comfylint", "check", "--no-cache", str(EXAMPLE)],
                       capture_output=True, check=False, env=env)
        times.append(time.perf_counter() - start)
    version = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "comfylint", "--version"], capture_output=True,
                       env=env)
        version.append(time.perf_counter() - start)
    print(f"cold `check` of one file: best {min(times) * 1000:.0f} ms, median "
          f"{statistics.median(times) * 1000:.0f} ms (budget 300 ms)")
    print(f"cold `--version`:         best {min(version) * 1000:.0f} ms")


def chain_workflow(stages: int) -> dict:
    """A realistic repeating pipeline: loader, prompts, sampler, decode, save — `stages` times."""
    graph = {"1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "m.safetensors"}}}
    for i in range(stages):
        base = 10 + i * 7
        ids = [str(base + k) for k in range(7)]
        graph[ids[0]] = {"class_type": "EmptyLatentImage",
                         "inputs": {"width": 512, "height": 512, "batch_size": 1}}
        graph[ids[1]] = {"class_type": "CLIPTextEncode", "inputs": {"text": f"p{i}", "clip": ["1", 1]}}
        graph[ids[2]] = {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["1", 1]}}
        graph[ids[3]] = {"class_type": "KSampler", "inputs": {
            "seed": i, "steps": 20, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal",
            "denoise": 1.0, "model": ["1", 0], "positive": [ids[1], 0], "negative": [ids[2], 0],
            "latent_image": [ids[0], 0]}}
        graph[ids[4]] = {"class_type": "VAEDecode", "inputs": {"samples": [ids[3], 0], "vae": ["1", 2]}}
        graph[ids[5]] = {"class_type": "ImageInvert", "inputs": {"image": [ids[4], 0]}}
        graph[ids[6]] = {"class_type": "SaveImage", "inputs": {"images": [ids[5], 0],
                                                                "filename_prefix": f"s{i}"}}
    return graph


def per_workflow(repeats: int = 300) -> None:
    catalog = Catalog.stock()
    workflow = chain_workflow(6)  # 43 nodes, like the median real workflow
    lint(workflow, catalog)
    start = time.perf_counter()
    for _ in range(repeats):
        lint(workflow, catalog)
    each = (time.perf_counter() - start) / repeats
    print(f"core work, {len(workflow)}-node workflow: {each * 1000:.2f} ms (budget 1 ms)")


def large_workflows() -> None:
    catalog = Catalog.stock()
    for stages in (72, 143, 286):
        workflow = chain_workflow(stages)
        start = time.perf_counter()
        found = lint(workflow, catalog)
        took = time.perf_counter() - start
        print(f"{len(workflow):>5}-node workflow: {took * 1000:.0f} ms, {len(found)} findings"
              + ("  (budget 300 ms at 2,000 nodes)" if stages == 286 else ""))


def big_object_info(target_mb: int = 100) -> None:
    core = Catalog.stock().definitions()
    blob = json.dumps(core)
    copies = max(1, target_mb * 1024 * 1024 // len(blob))
    replicated = {f"{name}_{i}": node for i in range(copies) for name, node in core.items()}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "object_info.json"
        path.write_text(json.dumps(replicated))
        size = path.stat().st_size / 1024 / 1024
        script = ("import resource,sys,time;sys.path.insert(0,%r);from comfylint.catalog import "
                  "Catalog;t=time.perf_counter();c=Catalog.from_object_info(%r);"
                  "d=time.perf_counter()-t;print(len(c),d,resource.getrusage("
                  "resource.RUSAGE_SELF).ru_maxrss)" % (str(ROOT), str(path)))
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True).stdout.split()
        print(f"/object_info of {size:.0f} MB ({int(out[0])} classes): load {float(out[1]):.2f} s, "
              f"peak RSS {int(out[2]) / 1024:.0f} MB")


if __name__ == "__main__":
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    cold_start()
    per_workflow()
    large_workflows()
    big_object_info()
