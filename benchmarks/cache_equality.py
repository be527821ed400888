"""Cold-versus-warm equality of the results cache on real repositories. Prints numbers, asserts
nothing (tests/test_cache_equality.py is the test).

    python benchmarks/cache_equality.py [FOLDER ...]   (default: ../shared/corpus)

Each folder is copied to a temporary directory (the cache lives at the project root). Every
scenario runs with --no-cache (cold), then all scenarios run in order and in reverse order on one
shared cache (warm: each answered from entries the others wrote), and the JSON reports and exit
codes are compared. Scenarios: the folder walked, with --fail-on info, every file named (as
pre-commit would, and plainly), and each of those against the captured object_info catalogs
found in ../shared/comfyui.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The team's reference data: beside the checkout (or beside the folder of worktrees).
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()),
              ROOT.parent / "shared")


def scenarios(files: list[str]) -> list[tuple[str, list[str]]]:
    """(label, arguments) for each scenario."""
    base = [("walked", ["."]), ("walked --fail-on info", [".", "--fail-on", "info"]),
            ("every file named", files), ("named, --force-exclude", ["--force-exclude", *files])]
    catalogs = sorted((SHARED / "comfyui").glob("object_info*.json"))
    return base + [(f"{label}, {catalog.name}", [*args, "--object-info", str(catalog)])
                   for catalog in catalogs for label, args in base[:2]]


def verdict(folder: Path, args: list[str], *extra: str) -> tuple[int, list, list]:
    done = subprocess.run([sys.executable, "-m", "comfylint", "check", "--output-format", "json",
                           *args, *extra], cwd=folder, capture_output=True, text=True)
    report = json.loads(done.stdout)
    return done.returncode, report["files"], report["diagnostics"]


def measure(source: Path) -> bool:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / source.name
        shutil.copytree(source, folder)
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                       if p.suffix.lower() in (".json", ".png", ".webp"))
        runs = scenarios(files)
        cold = [verdict(folder, args, "--no-cache") for _label, args in runs]
        same = True
        for order_label, order in (("in order", range(len(runs))),
                                   ("reversed", reversed(range(len(runs))))):
            for index in order:
                label, args = runs[index]
                warm = verdict(folder, args)
                equal = warm == cold[index]
                same &= equal
                print(f"{source.name:>12} {order_label:>8}  {label:<48} exit {cold[index][0]}/"
                      f"{warm[0]}  findings cold {len(cold[index][2]):>5} warm {len(warm[2]):>5}"
                      f"  {'same' if equal else 'DIFFERENT'}")
        return same


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or [SHARED / "corpus"]
    results = [measure(folder) for folder in folders]
    print("cold == warm for every scenario:", all(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
