"""Speed, side by side with the peers in one run (issue 10). Prints numbers, asserts nothing.

    python benchmarks/speed.py [--only core,growth,files,cold,catalog,ui] [--rounds N]

Sections (each prints comfylint beside comfy-lint and comfy-cli when they are installed in this
interpreter's venv; see benchmarks/peers.py):
  core     per workflow, in-process, warm, on the corpus's API files: median per file; and the
           time each rule takes per workflow (all rules on);
  growth   10,000-node chain and fan-out in-process (and 1,000 nodes, to show the growth);
  files    1,000 API files in one cold process: --no-cache (automatic and --jobs 1), cached;
  cold     one file, cold process, beside the floor `python -c "import click, networkx"`, and
           comfylint's own import time (its modules a check loads, third-party ones preloaded);
  catalog  a ~100 MB /object_info: first use, cached, --no-cache; peak memory;
  ui       per UI file of the corpus: `convert` (to_api) and `check` (lint) in-process.

Wall-clock numbers on a shared machine are noisy: runs are interleaved and medians printed. The
corpus is ../shared/corpus (COMFYLINT_CORPUS), the catalog ../shared/comfyui/object_info.core.json
(COMFYLINT_OBJECT_INFO), the same v0.3.64 catalog for every tool.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from peers import ComfyCli, ComfyLint, load_peers

SHARED = next((up / "shared" for up in ROOT.parents if (up / "shared" / "comfyui").is_dir()),
              ROOT.parent / "shared")  # /work/shared beside /work/main or /work/wt/<name>
CORPUS = Path(os.environ.get("COMFYLINT_CORPUS", SHARED / "corpus"))
OBJECT_INFO = Path(os.environ.get("COMFYLINT_OBJECT_INFO", SHARED / "comfyui" / "object_info.core.json"))
SECTIONS = ("core", "growth", "files", "cold", "catalog", "ui")


def user_env() -> dict:
    """Run as an installed comfylint runs: bytecode cached (some sandboxes set
    PYTHONDONTWRITEBYTECODE, which would recompile every module on every run)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms" if seconds < 0.01 else f"{seconds * 1000:.1f} ms"


def corpus_documents(kind: str) -> list[tuple[str, dict]]:
    """(path, document) of the corpus files of one format ("api": API and request envelopes)."""
    index = CORPUS / "index.jsonl"
    if not index.is_file():
        return []
    found = []
    for line in index.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if (entry["format"] == "ui") == (kind == "ui"):
            found.append((entry["path"], json.loads((CORPUS / entry["path"]).read_text(encoding="utf-8"))))
    return found


# -- core: per workflow, in-process, warm ----------------------------------------------------------
def per_workflow(rounds: int) -> None:
    from comfylint.api import lint
    from comfylint.catalog import Catalog

    documents = corpus_documents("api")
    if not documents:
        print(f"core: no corpus at {CORPUS} (set COMFYLINT_CORPUS)")
        return
    from comfylint.api import Validator

    server = Catalog.from_object_info(OBJECT_INFO)
    validator = Validator(server, strict=False)
    tools = {"comfylint (stock catalog)": _comfylint_call(lint, Catalog.stock()),
             "comfylint (object_info.core.json)": _comfylint_call(lint, server),
             "comfylint Validator.validate (same)": validator.validate}
    peers = load_peers(OBJECT_INFO)
    for peer in peers:
        tools[peer.label] = _peer_call(peer)
    cases = [(path, doc) for path, doc in documents if all(call(doc) is not None
                                                          for call in tools.values())]
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in tools}
    for _ in range(rounds):
        for path, doc in cases:
            for name, call in tools.items():  # interleaved: the machine's load hits all alike
                samples[name].setdefault(path, []).append(_time_call(call, doc, repeat=5))
    print(f"per workflow, in-process, warm: {len(cases)} corpus API files (of {len(documents)}; "
          f"median {statistics.median(_node_count(doc) for _p, doc in cases)} nodes), all rules")
    medians = {name: statistics.median(statistics.median(times) for times in by_file.values())
               for name, by_file in samples.items()}
    for name, median in medians.items():
        print(f"  {name:36} median {ms(median)} per workflow")
    _per_rule_times(cases, lint, Catalog.from_object_info(OBJECT_INFO))


def _comfylint_call(lint, catalog):
    def call(document: dict):
        return lint(document, catalog)
    return call


def _peer_call(peer):
    def call(document: dict):
        try:
            graph = document.get("prompt") if isinstance(document.get("prompt"), dict) else document
            if not isinstance(graph, dict) or isinstance(graph.get("nodes"), list) or \
                    "input" in graph:
                return None  # a shape this peer does not take (RunPod envelope, UI graph)
            return peer.validate(graph)
        except Exception:  # noqa: BLE001 (a peer's own failure on a file: leave the file out)
            return None
    return call


def _time_call(call, document, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call(document)
    return (time.perf_counter() - started) / repeat


def _node_count(document: dict) -> int:
    graph = document.get("prompt") if isinstance(document.get("prompt"), dict) else document
    graph = graph.get("input", {}).get("workflow", graph) if isinstance(graph.get("input"), dict) else graph
    return len(graph)


def _per_rule_times(cases, lint, catalog) -> None:
    """Each rule's share, measured by wrapping its check (the engine is not instrumented)."""
    from comfylint.rules import all_rules

    spent: Counter = Counter()
    originals = {}
    for rule in all_rules():
        originals[rule] = rule.check

        def timed(ctx, _check=rule.check, _code=rule.code):
            started = time.perf_counter()
            found = list(_check(ctx))
            spent[_code] += time.perf_counter() - started
            return found
        rule.check = timed  # type: ignore[method-assign]
    try:
        for _path, doc in cases:
            lint(doc, catalog)
        spent.clear()
        started = time.perf_counter()
        for _ in range(5):
            for _path, doc in cases:
                lint(doc, catalog)
        total = time.perf_counter() - started
    finally:
        for rule, check in originals.items():
            rule.check = check  # type: ignore[method-assign]
    runs = 5 * len(cases)
    rules_total = sum(spent.values())
    print(f"  per rule (object_info.core.json, mean per workflow; all rules {rules_total / runs * 1e6:.1f} us "
          f"of {total / runs * 1e6:.1f} us, the rest is loading, graph, suppressions, positions):")
    line = []
    for code, seconds in spent.most_common():
        line.append(f"{code} {seconds / runs * 1e6:.1f}")
        if len(line) == 8:
            print("    " + "  ".join(line))
            line = []
    if line:
        print("    " + "  ".join(line))


# -- growth ----------------------------------------------------------------------------------------
def chain(nodes: int) -> dict:
    """EmptyImage -> ImageInvert x (nodes - 2) -> SaveImage: one path `nodes` long."""
    graph = {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1,
                                                          "color": 0}}}
    for index in range(2, nodes):
        graph[str(index)] = {"class_type": "ImageInvert", "inputs": {"image": [str(index - 1), 0]}}
    graph[str(nodes)] = {"class_type": "SaveImage", "inputs": {"images": [str(nodes - 1), 0],
                                                               "filename_prefix": "chain"}}
    return graph


def fan_out(nodes: int) -> dict:
    """One EmptyImage feeding (nodes - 1) / 2 ImageInvert nodes, each shown by a PreviewImage."""
    graph = {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1,
                                                          "color": 0}}}
    for index in range(2, nodes, 2):
        graph[str(index)] = {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}
        graph[str(index + 1)] = {"class_type": "PreviewImage", "inputs": {"images": [str(index), 0]}}
    return graph


def growth(rounds: int) -> None:
    from comfylint.api import lint
    from comfylint.catalog import Catalog

    catalog = Catalog.from_object_info(OBJECT_INFO)
    tools = {"comfylint": lambda doc: lint(doc, catalog)}
    for peer in load_peers(OBJECT_INFO):
        tools[peer.label] = peer.validate
    print("growth, in-process (object_info.core.json), median of "
          f"{max(rounds, 3)} interleaved runs:")
    for shape in (chain, fan_out):
        for size in (1000, 10_000):
            document = shape(size)
            times: dict[str, list[float]] = {name: [] for name in tools}
            findings = {}
            for _ in range(max(rounds, 3)):
                for name, call in tools.items():
                    started = time.perf_counter()
                    found = call(document)
                    times[name].append(time.perf_counter() - started)
                    findings[name] = len(found) if isinstance(found, list) else \
                        len(found.get("errors", [])) if isinstance(found, dict) else "?"
            cells = "   ".join(f"{name} {ms(statistics.median(t))} "
                               f"({statistics.median(t) / size * 1e6:.1f} us/node, "
                               f"{findings[name]} findings)" for name, t in times.items())
            print(f"  {shape.__name__:7} {size:>6} nodes: {cells}")


# -- files: 1,000 API files in one process -------------------------------------------------------
def many_files(rounds: int, count: int = 1000) -> None:
    from ci_speed import make_repository

    comfylint = [sys.executable, "-m", "comfylint", "check", "--object-info", str(OBJECT_INFO),
                 "--statistics"]
    with tempfile.TemporaryDirectory(prefix="comfylint-speed-") as temporary:
        directory = Path(temporary)
        paths = make_repository(directory, count)
        names = [str(p.relative_to(directory)) for p in paths]
        commands = {"comfylint --no-cache (automatic jobs)": comfylint + ["--no-cache", "."],
                    "comfylint --no-cache --jobs 1": comfylint + ["--no-cache", "--jobs", "1", "."],
                    "comfylint --no-cache --jobs 2": comfylint + ["--no-cache", "--jobs", "2", "."],
                    "comfylint (results cache warm)": comfylint + ["."],
                    "comfylint --version (start-up)": [sys.executable, "-m", "comfylint",
                                                       "--version"]}
        peer = ComfyLint.command(OBJECT_INFO)
        if peer:
            commands["comfy-lint (one process)"] = peer + names
        env = user_env()
        env["COMFYLINT_CACHE_DIR"] = str(directory / "user-cache")
        # Fill the catalog and results caches once.
        subprocess.run(comfylint + ["."], cwd=directory, check=False, capture_output=True, env=env)
        times = _interleaved(commands, directory, env, rounds)
        print(f"{count} API files (15-57 nodes, 1 in 10 with a finding), one cold process, "
              "object_info.core.json, median of interleaved runs:")
        for name, seconds in times.items():
            print(f"  {name:40} {seconds:.3f} s")
        if peer:
            reference = times["comfy-lint (one process)"]
            print(f"  -> comfylint --no-cache / comfy-lint: "
                  f"{times['comfylint --no-cache (automatic jobs)'] / reference:.2f}x; "
                  f"cached / comfy-lint: {times['comfylint (results cache warm)'] / reference:.2f}x")
        _worker_calibration(paths, times)


def _worker_calibration(paths: list[Path], times: dict[str, float]) -> None:
    """What project/workers.py's constants stand for, as measured in this run."""
    from comfylint.project import workers

    sizes = [p.stat().st_size for p in paths]
    serial = times["comfylint --no-cache --jobs 1"] - times["comfylint --version (start-up)"]
    print(f"  serial lint: {serial / len(paths) * 1e6:.0f} us per file, "
          f"{serial / sum(sizes) * 1e9:.0f} ns per byte (workers.py assumes "
          f"{workers.SECONDS_PER_FILE * 1e6:.0f} us + {workers.SECONDS_PER_BYTE * 1e9:.0f} ns/byte); "
          f"--jobs 2 saves {times['comfylint --no-cache --jobs 1'] - times['comfylint --no-cache --jobs 2']:+.2f} s; "
          f"automatic here: {workers.auto_jobs(sizes)} job(s) (usable CPUs {workers.usable_cpus()})")


def _interleaved(commands: dict[str, list[str]], cwd: Path, env: dict, rounds: int) -> dict:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, cwd=cwd, check=False, capture_output=True, env=env)
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


# -- cold: one file ---------------------------------------------------------------------------------
def cold(rounds: int) -> None:
    example = ROOT / "examples" / "api" / "txt2img.json"
    commands = {
        "floor: python -c 'import click, networkx'": [sys.executable, "-c", "import click, networkx"],
        "python -c pass": [sys.executable, "-c", "pass"],
        "comfylint check --no-cache (stock)": [sys.executable, "-m", "comfylint", "check",
                                               "--no-cache", str(example)],
        "comfylint check --no-cache --object-info": [sys.executable, "-m", "comfylint", "check",
                                                     "--no-cache", "--object-info",
                                                     str(OBJECT_INFO), str(example)],
    }
    lint_command = ComfyLint.command(OBJECT_INFO)
    if lint_command:
        commands["comfy-lint"] = lint_command + [str(example)]
    cli_command = ComfyCli.command(str(example), OBJECT_INFO)
    if cli_command:
        commands["comfy-cli workflow validate"] = cli_command
    with tempfile.TemporaryDirectory(prefix="comfylint-cold-") as temporary:
        env = user_env()
        env["COMFYLINT_CACHE_DIR"] = temporary
        for command in commands.values():  # bytecode and catalog cache written once
            subprocess.run(command, check=False, capture_output=True, env=env)
        times = _interleaved(commands, Path(temporary), env, max(rounds, 7))
    print(f"one file, cold process (median of {max(rounds, 7)} interleaved runs):")
    for name, seconds in times.items():
        print(f"  {name:44} {seconds * 1000:.0f} ms")
    floor = times["floor: python -c 'import click, networkx'"]
    print(f"  -> comfylint (stock catalog) over the floor: "
          f"{(times['comfylint check --no-cache (stock)'] - floor) * 1000:+.0f} ms")
    print(f"  comfylint's own import (its modules a check of one file loads, third-party "
          f"preloaded): {own_import(example, rounds) * 1000:.1f} ms")


OWN_IMPORT = """
import sys, time
before = set(sys.modules)
from comfylint.cli import main
sys.argv = ["comfylint", "check", "--no-cache", "--jobs", "1", sys.argv[1]]
try:
    main()
except SystemExit:
    pass
new = [m for m in sys.modules if m not in before]
print("\\n".join(new))
"""
# The modules named (comma-separated) in argv[1] that are not comfylint's, imported first.
PRELOAD_THIRD_PARTY = """
import importlib, os, sys, time
modules = sys.argv[1].split(",")
for name in modules:
    if not name.startswith("comfylint"):
        try:
            importlib.import_module(name)
        except Exception:
            pass
"""
TIME_IMPORTS = PRELOAD_THIRD_PARTY + """
started = time.perf_counter()
for name in modules:
    if name.startswith("comfylint"):
        importlib.import_module(name)
print(time.perf_counter() - started)
"""


def own_import(example: Path, rounds: int) -> float:
    """Import time of the comfylint modules a one-file check loads, everything else preloaded."""
    env = user_env()
    listed = subprocess.run([sys.executable, "-c", OWN_IMPORT, str(example)], check=False,
                            capture_output=True, text=True, env=env).stdout.split("\n")
    modules = [m for m in listed if m and " " not in m and not m.startswith("All")]
    times = []
    for _ in range(max(rounds, 7)):
        out = subprocess.run([sys.executable, "-c", TIME_IMPORTS, ",".join(modules)], check=False,
                             capture_output=True, text=True, env=env).stdout
        times.append(float(out.strip() or "nan"))
    return statistics.median(times)


# -- catalog: a 100 MB /object_info ----------------------------------------------------------------
def big_catalog(rounds: int, target_mb: int = 100) -> None:
    import big_object_info

    with tempfile.TemporaryDirectory(prefix="comfylint-bigoi-") as temporary:
        work = Path(temporary)
        big_object_info.generate(OBJECT_INFO, target_mb, work / "big.json")
        size = os.path.getsize(work / "big.json") / 1e6
        print(f"/object_info of {size:.0f} MB, `check` of one workflow (fresh processes):")
        big_object_info.catalog_runs(work, "--object-info", "big.json")
        workflow = work / "wf.json"
        lint_command = ComfyLint.command(work / "big.json")
        if lint_command:
            started = time.perf_counter()
            subprocess.run(lint_command + [str(workflow)], check=False, capture_output=True, cwd=work)
            print(f"  comfy-lint --schema-cache big.json: {time.perf_counter() - started:.2f} s")
        cli_command = ComfyCli.command(str(workflow), work / "big.json")
        if cli_command:
            started = time.perf_counter()
            subprocess.run(cli_command, check=False, capture_output=True, cwd=work)
            print(f"  comfy-cli workflow validate --input big.json: {time.perf_counter() - started:.2f} s")


# -- ui: convert and check per file ---------------------------------------------------------------
def ui_files(rounds: int) -> None:
    from comfylint.api import lint
    from comfylint.catalog import Catalog
    from comfylint.ui import to_api

    documents = corpus_documents("ui")
    if not documents:
        print(f"ui: no corpus at {CORPUS}")
        return
    catalog = Catalog.from_object_info(OBJECT_INFO)
    object_info = json.loads(OBJECT_INFO.read_text(encoding="utf-8"))
    tools = {"comfylint convert (to_api)": lambda doc: to_api(doc, catalog),
             "comfylint check (lint, all rules)": lambda doc: lint(doc, catalog)}
    if ComfyCli.installed():
        peer = ComfyCli(OBJECT_INFO)
        tools["comfy-cli convert_ui_to_api"] = lambda doc: peer.convert(doc, object_info)
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in tools}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for _ in range(rounds):  # (the peer prints a note for each node it cannot map)
            for path, doc in documents:
                for name, call in tools.items():
                    try:
                        seconds = _time_call(call, doc, repeat=1)
                    except Exception:  # noqa: BLE001, S112 (the peer gives up on some files)
                        continue  # left out of its column
                    samples[name].setdefault(path, []).append(seconds)
    print(f"UI files of the corpus ({len(documents)}), per file, in-process, object_info.core.json:")
    for name, by_file in samples.items():
        per_file = sorted(statistics.median(t) for t in by_file.values())
        if not per_file:
            continue
        print(f"  {name:36} median {ms(statistics.median(per_file))}, p90 "
              f"{ms(per_file[int(len(per_file) * 0.9)])}, max {ms(per_file[-1])} "
              f"({len(per_file)} files)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help="comma-separated sections: " + ", ".join(SECTIONS))
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions")
    args = parser.parse_args()
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), {affinity} usable, load "
          f"{os.getloadavg()[0]:.1f}; peers: "
          + (", ".join(p.label for p in (ComfyLint, ComfyCli) if p.installed()) or "none installed"))
    sections = {"core": per_workflow, "growth": growth, "files": many_files, "cold": cold,
                "catalog": big_catalog, "ui": ui_files}
    for name in args.only.split(","):
        print()
        sections[name.strip()](args.rounds)


if __name__ == "__main__":
    main()
