"""--fix speed with many fixes in one big file: prints numbers, asserts nothing.

    python benchmarks/fix_speed.py [FIXES ...]

Each synthetic workflow holds FIXES KSampler chains whose sampler name has a case slip
("Euler": T306 offers the safe fix "euler"), padded with prompt text to ~500 bytes per fix (1,600
fixes make ~800 KB). The time is `fix_file` (lint, splice, verify, relint until nothing is left),
in-process, with the bundled catalog: it should grow linearly with the number of fixes.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from comfylint.catalog import Catalog  # noqa: E402
from comfylint.engine import Options, lint_document  # noqa: E402
from comfylint.load import load_bytes  # noqa: E402
from comfylint.project.fix import fix_file  # noqa: E402
from comfylint.rules.selection import select_rules  # noqa: E402


def workflow(fixes: int) -> bytes:
    nodes: dict = {"1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "m.safetensors"}},
                   "2": {"class_type": "EmptyLatentImage",
                         "inputs": {"width": 512, "height": 512, "batch_size": 1}}}
    for index in range(fixes):
        base = 10 + 4 * index
        nodes[str(base)] = {"class_type": "CLIPTextEncode",
                            "inputs": {"text": "a cat " * 12, "clip": ["1", 1]}}
        nodes[str(base + 1)] = {"class_type": "KSampler", "inputs": {
            "seed": index, "steps": 20, "cfg": 7.0, "sampler_name": "Euler", "scheduler": "normal",
            "denoise": 1.0, "model": ["1", 0], "positive": [str(base), 0],
            "negative": [str(base), 0], "latent_image": ["2", 0]}}
        nodes[str(base + 2)] = {"class_type": "VAEDecode",
                                "inputs": {"samples": [str(base + 1), 0], "vae": ["1", 2]}}
        nodes[str(base + 3)] = {"class_type": "SaveImage",
                                "inputs": {"images": [str(base + 2), 0], "filename_prefix": "x"}}
    return json.dumps(nodes, indent=2).encode()


def main(counts: list[int]) -> None:
    catalog = Catalog.stock()
    options = Options(rules=select_rules(None, (), ()))

    def lint(data: bytes):
        loaded = load_bytes(data, "big.json")
        return loaded, lint_document(loaded, catalog, options).diagnostics

    for fixes in counts:
        data = workflow(fixes)
        start = time.perf_counter()
        outcome = fix_file("big.json", data, lint, unsafe=False)
        elapsed = time.perf_counter() - start
        print(f"{fixes:>6} fixes  {len(data) / 1024:>7.0f} KB  applied {len(outcome.applied):>6}  "
              f"{elapsed:6.2f} s  ({elapsed / max(fixes, 1) * 1000:.2f} ms per fix)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 400, 1600])
