"""CI speed: a repository audit cold and cached, the pre-commit hook on 5 changed files, and the
same 100 files side by side with peers. Prints numbers, asserts nothing (DESIGN.md, Speed).

    python benchmarks/ci_speed.py [--files 1000] [--peers-venv /tmp/peers]

Budgets (issue 5, 2-core machine): 1,000 API workflows <= 3 s cold and <= 0.5 s cached; the
hook's own work on 5 files <= 0.4 s. Peers run only if installed in a separate venv (never
project dependencies): `python -m venv /tmp/peers && /tmp/peers/bin/pip install comfy-lint
comfy-cli`. comfy-cli validates one file per process, so it is looped per file, as a CI would.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from core_speed import chain_workflow  # noqa: E402

OBJECT_INFO = Path(os.environ.get("COMFYLINT_OBJECT_INFO",
                                  ROOT.parent / "shared" / "comfyui" / "object_info.core.json"))
CHECKPOINT = "v1-5-pruned-emaonly.safetensors"  # a name object_info.core.json lists
COMFYLINT = [sys.executable, "-m", "comfylint", "check"]


def make_repository(directory: Path, count: int) -> list[Path]:
    """`count` API workflows of 15-57 nodes; one in ten has a value out of range."""
    paths = []
    for index in range(count):
        workflow = chain_workflow(2 + index % 7)
        workflow["1"]["inputs"]["ckpt_name"] = CHECKPOINT
        if index % 10 == 3:
            sampler = next(n for n in workflow.values() if n["class_type"] == "KSampler")
            sampler["inputs"]["steps"] = 0
        path = directory / f"group{index % 20:02}" / f"workflow_{index:04}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(workflow, indent=2), encoding="utf-8")
        paths.append(path)
    return paths


def user_env(env: dict | None = None) -> dict:
    """Run as an installed comfylint runs: bytecode cached (some sandboxes set
    PYTHONDONTWRITEBYTECODE, which would recompile every module on every run)."""
    merged = dict(os.environ if env is None else env)
    merged.pop("PYTHONDONTWRITEBYTECODE", None)
    return merged


def wall(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, env=user_env(env))
    return time.perf_counter() - start, done.returncode


def best(command: list[str], cwd: Path, runs: int = 5, before=None) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        times.append(wall(command, cwd)[0])
    return min(times)


def audit(directory: Path, count: int) -> None:
    cache = directory / ".comfylint_cache"
    colds = []
    for _ in range(3):
        shutil.rmtree(cache, ignore_errors=True)
        seconds, code = wall(COMFYLINT + [".", "--statistics"], directory)
        colds.append(seconds)
    cached = best(COMFYLINT + [".", "--statistics"], directory)
    serial = wall(COMFYLINT + [".", "--statistics", "--no-cache", "--jobs", "1"], directory)[0]
    print(f"{count} API workflows, cold (empty cache, automatic jobs): best {min(colds):.2f} s, "
          f"median {statistics.median(colds):.2f} s (budget 3 s); exit code {code}")
    print(f"{count} API workflows, one process (--jobs 1 --no-cache):  {serial:.2f} s")
    print(f"{count} API workflows, second run (cached):               {cached:.2f} s (budget 0.5 s)")


def editor(paths: list[Path]):
    """A function that changes the files a little each call: like a commit, never cached."""
    edits = [0]

    def edit() -> None:
        edits[0] += 1
        for path in paths:
            workflow = json.loads(path.read_text(encoding="utf-8"))
            workflow["1"]["_meta"] = {"title": f"edit {edits[0]}"}
            path.write_text(json.dumps(workflow, indent=2), encoding="utf-8")

    return edit


def precommit(directory: Path, paths: list[Path]) -> None:
    """The hook's own command on 5 changed files (changed each run, so never cached)."""
    changed = paths[:5]
    hook = COMFYLINT + ["--force-exclude"] + [str(p.relative_to(directory)) for p in changed]
    seconds = best(hook, directory, runs=7, before=editor(changed))
    version = best([sys.executable, "-m", "comfylint", "--version"], directory, runs=7)
    print(f"pre-commit hook on 5 changed files: best {seconds * 1000:.0f} ms (budget 400 ms; "
          f"interpreter + imports alone: {version * 1000:.0f} ms)")
    if shutil.which("pre-commit") and shutil.which("git"):
        _real_precommit(directory, changed)


def _real_precommit(directory: Path, changed: list[Path]) -> None:
    """Real `pre-commit run` with a local hook: includes pre-commit's own overhead."""
    repo = directory / "_precommit_repo"
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    for index, path in enumerate(changed):
        shutil.copy(path, repo / f"wf{index}.json")
    entry = f"{sys.executable} -m comfylint check --force-exclude"
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: comfylint\n    name: comfylint\n"
        f"    entry: {entry}\n    language: system\n    types: [json]\n    require_serial: true\n",
        encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    names = [f"wf{i}.json" for i in range(len(changed))]
    seconds = best(["pre-commit", "run", "--files"] + names, repo, runs=5,
                   before=editor([repo / name for name in names]))
    print(f"real `pre-commit run` on 5 changed files (pre-commit's overhead included): "
          f"{seconds * 1000:.0f} ms")


def peers(directory: Path, paths: list[Path], peers_venv: Path) -> None:
    sample = [str(p.relative_to(directory)) for p in paths[:100]]
    if not OBJECT_INFO.is_file():
        print(f"peers: skipped ({OBJECT_INFO} not found; set COMFYLINT_OBJECT_INFO)")
        return
    ours = best(COMFYLINT + ["--no-cache", "--object-info", str(OBJECT_INFO)] + sample, directory,
                runs=3)
    ours_cached = best(COMFYLINT + ["--object-info", str(OBJECT_INFO)] + sample, directory, runs=3)
    print("\nsame 100 files, object_info.core.json as the catalog:")
    print(f"  comfylint (one process, no cache):            {ours:.2f} s")
    print(f"  comfylint (cached)                            {ours_cached:.2f} s")
    comfy_lint = peers_venv / "bin" / "comfy-lint"
    if comfy_lint.exists():
        theirs = best([str(comfy_lint), "--schema-cache", str(OBJECT_INFO)] + sample, directory,
                      runs=3)
        print(f"  comfy-lint (one process):                     {theirs:.2f} s  "
              f"-> comfylint is {theirs / ours:.1f}x (cold) / {theirs / ours_cached:.1f}x (cached)")
    else:
        print(f"  comfy-lint: not installed in {peers_venv}")
    comfy = peers_venv / "bin" / "comfy"
    if comfy.exists():
        start = time.perf_counter()
        for name in sample:
            subprocess.run([str(comfy), "--skip-prompt", "workflow", "validate", "--workflow", name,
                            "--input", str(OBJECT_INFO)], cwd=directory, capture_output=True)
        theirs = time.perf_counter() - start
        print(f"  comfy-cli `workflow validate`, per file:      {theirs:.2f} s  "
              f"-> comfylint is {theirs / ours:.1f}x (cold) / {theirs / ours_cached:.1f}x (cached)")
    else:
        print(f"  comfy-cli: not installed in {peers_venv}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--peers-venv", type=Path, default=Path("/tmp/peers"))
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="comfylint-ci-speed-") as temporary:
        directory = Path(temporary)
        paths = make_repository(directory, args.files)
        audit(directory, args.files)
        precommit(directory, paths)
        peers(directory, paths, args.peers_venv)


if __name__ == "__main__":
    main()
