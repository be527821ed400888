"""Load time and memory of each bundled ComfyUI release (catalog/releases.py): prints numbers.

Each release is measured in a fresh interpreter (comfylint imported first, so that only the
catalog is counted): the catalog a run uses (`Catalog.stock(version)`: release.json, the
nodes.jsonl index, no definition decoded), the 40 lookups of a typical workflow, then every
definition decoded (what only tools do). Memory is the growth of the process's resident set
(VmRSS) over those steps. The cold start of a whole run is benchmarks/core_speed.py's.

    python benchmarks/catalog_releases.py [--runs N]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from comfylint.catalog.releases import NODES_FILE, bundled_versions, release

PROBE = r"""
import json, sys, time
import comfylint.catalog, comfylint.catalog.cache  # the code, not the data

def rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

version = sys.argv[1]
base = rss_kb()
start = time.perf_counter()
catalog = comfylint.catalog.Catalog.stock(version)
names = list(catalog.names())
loaded = time.perf_counter() - start
loaded_kb = rss_kb() - base
typical = names[:: max(1, len(names) // 40)][:40]
start = time.perf_counter()
for name in typical:
    catalog.get(name)
looked_up = time.perf_counter() - start
start = time.perf_counter()
for name in names:
    catalog.get(name)
decoded = time.perf_counter() - start
print(json.dumps({"load_ms": loaded * 1e3, "load_kb": loaded_kb, "lookup_ms": looked_up * 1e3,
                  "all_ms": decoded * 1e3, "all_kb": rss_kb() - base, "classes": len(names)}))
"""


def measure(version: str, runs: int) -> dict:
    samples = [json.loads(subprocess.run([sys.executable, "-c", PROBE, version], check=True,
                                         capture_output=True, text=True, cwd=ROOT).stdout)
               for _ in range(runs)]
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per release (median)")
    args = parser.parse_args(argv)
    for version in bundled_versions():
        size = (release(version).folder / NODES_FILE).stat().st_size / 1024
        m = measure(version, args.runs)
        print(f"ComfyUI {version}: {m['classes']:.0f} classes, {NODES_FILE} {size:.0f} KB: "
              f"catalog ready in {m['load_ms']:.1f} ms (+{m['load_kb'] / 1024:.1f} MB), "
              f"40 lookups {m['lookup_ms']:.1f} ms; every definition decoded "
              f"{m['all_ms']:.0f} ms (+{m['all_kb'] / 1024:.1f} MB in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
