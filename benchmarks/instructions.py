"""Instruction counts (callgrind): repeatable where wall clocks are not (a shared machine).
Prints numbers, asserts nothing.

    python benchmarks/instructions.py [--only core,stages,growth,import] [--files N] [--stock]

  core    instructions per workflow, in-process, warm, all rules, object_info.core.json (with
          --stock the bundled catalog): the median and mean over the corpus's API files
          (benchmarks/speed.py's core cases);
  growth  the 1,000 and 10,000-node chain and fan-out (benchmarks/speed.py's shapes), per node;
  stages  where a workflow's instructions go: loading, graph build, each rule, each rule's
          precondition (rules/needs.py), the engine's steps (mean and median per corpus API
          file; the catalog as for core);
  import  importing the comfylint modules a one-file check loads (third-party ones preloaded).

How: the measured program calls os.getppid() between pieces of work and callgrind dumps its
counters on entry to getppid (--dump-before), so each dump holds one piece's instructions (the
call itself is a few hundred). Needs valgrind; runs ~50x slower than Python alone.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from speed import OWN_IMPORT, PRELOAD_THIRD_PARTY, ROOT, user_env

CORE = r"""
import os, sys
sys.path.insert(0, {here!r})
from speed import OBJECT_INFO, corpus_documents, _node_count


def bare_graph(document):  # the shapes the peers take (speed.py's core cases)
    graph = document.get("prompt") if isinstance(document.get("prompt"), dict) else document
    return isinstance(graph, dict) and not isinstance(graph.get("nodes"), list) and "input" not in graph


from comfylint.api import lint
from comfylint.catalog import Catalog

catalog = Catalog.stock() if {stock} else Catalog.from_object_info(OBJECT_INFO)
documents = [doc for _path, doc in corpus_documents("api") if bare_graph(doc)][:{files}]
for doc in documents:  # warm: rule imports, catalog decoding, caches of immutable data
    lint(doc, catalog)
    lint(doc, catalog)
for doc in documents:
    os.getppid()
    lint(doc, catalog)
os.getppid()
print(" ".join(str(_node_count(doc)) for doc in documents))
"""

GROWTH = r"""
import os, sys
sys.path.insert(0, {here!r})
from speed import OBJECT_INFO, chain, fan_out
from comfylint.api import lint
from comfylint.catalog import Catalog

catalog = Catalog.from_object_info(OBJECT_INFO)
lint(chain(100), catalog)
lint(fan_out(100), catalog)
for shape in (chain, fan_out):
    for size in (1000, 10000):
        document = shape(size)
        lint(document, catalog)  # (the shape's first lint decodes its node classes)
        os.getppid()
        lint(document, catalog)
        os.getppid()
"""

STAGES = r"""
import os, sys
sys.path.insert(0, {here!r})
from speed import OBJECT_INFO, corpus_documents
import comfylint.engine as engine
from comfylint.api import Validator, lint
from comfylint.catalog import Catalog
from comfylint.rules import all_rules
from comfylint.rules.needs import NEEDS


def bare_graph(document):
    graph = document.get("prompt") if isinstance(document.get("prompt"), dict) else document
    return isinstance(graph, dict) and not isinstance(graph.get("nodes"), list) and "input" not in graph


labels = []
def mark(label):  # ends the piece of work `label` names (callgrind dumps on getppid)
    os.getppid()
    labels.append(label)


def wrap(function, label):
    def wrapped(*args, **kwargs):
        result = function(*args, **kwargs)
        mark(label)
        return result
    return wrapped


def rule_check(check, code):
    def wrapped(ctx):
        found = list(check(ctx))
        mark(code)
        return found
    return wrapped


catalog = Catalog.stock() if {stock} else Catalog.from_object_info(OBJECT_INFO)
documents = [doc for _path, doc in corpus_documents("api") if bare_graph(doc)][:{files}]
for doc in documents:
    lint(doc, catalog)
Validator.load = wrap(Validator.load, "load (parse, envelope)")
engine._attach_view = wrap(engine._attach_view, "graph build")
engine._applicable = wrap(engine._applicable, "engine (rules chosen)")
engine._suppressed = wrap(engine._suppressed, "engine (suppressions)")
engine._mask_secrets = wrap(engine._mask_secrets, "engine (secrets masked)")
for rule in all_rules():
    rule.check = rule_check(rule.check, rule.code)
for name, test in NEEDS.items():  # (a rule's precondition: what it costs to skip the rule)
    NEEDS[name] = wrap(test, "needs " + name)
for doc in documents:
    mark("between documents")
    lint(doc, catalog)
    mark("engine (the rest)")
print("\n".join(labels))
"""

IMPORT = PRELOAD_THIRD_PARTY + r"""
os.getppid()
for name in modules:
    if name.startswith("comfylint"):
        importlib.import_module(name)
os.getppid()
"""


def callgrind(script: str, *args: str) -> tuple[list[int], str]:
    """The instructions of each piece between os.getppid() calls, and the program's stdout."""
    with tempfile.TemporaryDirectory(prefix="comfylint-callgrind-") as temporary:
        out = Path(temporary) / "callgrind.out"
        program = Path(temporary) / "measured.py"
        program.write_text(script, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run([sys.executable, str(program), *args], capture_output=True, env=env,
                       check=False)  # bytecode written once, outside the measure
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--dump-before=getppid", "--dump-instr=no",
             f"--callgrind-out-file={out}", sys.executable, str(program), *args],
            capture_output=True, text=True, env=env, check=False)
        if done.returncode:
            raise SystemExit(done.stderr[-2000:])
        dumps = sorted(Path(temporary).glob("callgrind.out.*"),
                       key=lambda p: int(p.suffix[1:]))
        counts = []
        for dump in dumps:
            found = re.search(r"^totals: (\d+)", dump.read_text(encoding="utf-8"), re.M)
            counts.append(int(found.group(1)) if found else 0)
        return counts[1:], done.stdout  # the first dump is everything before the first piece


def _catalog_name(stock: bool) -> str:
    return "the bundled (stock) catalog" if stock else "object_info.core.json"


def core(files: int, stock: bool) -> None:
    counts, stdout = callgrind(CORE.format(here=str(HERE), files=files, stock=stock))
    sizes = [int(n) for n in stdout.split()]
    counts = counts[:len(sizes)]
    print(f"per workflow, warm, all rules, {_catalog_name(stock)}: {len(counts)} corpus API files "
          f"(median {statistics.median(sizes)} nodes)")
    print(f"  instructions per workflow: median {statistics.median(counts) / 1e6:.3f} M, "
          f"mean {statistics.mean(counts) / 1e6:.3f} M, total {sum(counts) / 1e6:.1f} M")


def growth() -> None:
    counts, _ = callgrind(GROWTH.format(here=str(HERE)))
    measured = counts[0::2]  # (odd dumps: the warm-up lint of the next shape)
    print("growth, instructions per lint (object_info.core.json):")
    for (shape, size), count in zip([(s, n) for s in ("chain", "fan_out") for n in (1000, 10000)],
                                    measured):
        print(f"  {shape:7} {size:>6} nodes: {count / 1e6:8.1f} M ({count / size:,.0f} per node)")


def stages(files: int, stock: bool) -> None:
    counts, stdout = callgrind(STAGES.format(here=str(HERE), files=files, stock=stock))
    labels = stdout.split("\n")
    per_document: list[dict[str, int]] = [{}]  # label -> its instructions in one document
    for label, count in zip(labels[1:], counts):  # (dumps end at marks: the first one is
        #                                          everything before the first document)
        if label == "between documents":
            per_document.append({})
        else:
            spent = per_document[-1]
            spent[label] = spent.get(label, 0) + count  # (a precondition may be asked twice)
    documents = len(per_document) or 1
    every = {label for spent in per_document for label in spent}
    totals = {label: [spent.get(label, 0) for spent in per_document] for label in every}
    total = sum(sum(found) for found in totals.values())
    print(f"where the instructions go, per workflow ({documents} corpus API files, "
          f"{_catalog_name(stock)}; "
          f"{total / documents / 1e6:.3f} M in all on average, the markers' own cost included):")
    print(f"  {'':36} {'mean':>9} {'median':>9}")
    for label, found in sorted(totals.items(), key=lambda item: -sum(item[1])):
        print(f"  {label:36} {sum(found) / documents / 1e3:8.1f}k "
              f"{statistics.median(found) / 1e3:8.1f}k")


def own_import() -> None:
    example = ROOT / "examples" / "api" / "txt2img.json"
    listed = subprocess.run([sys.executable, "-c", OWN_IMPORT, str(example)], check=False,
                            capture_output=True, text=True, env=user_env()).stdout.split("\n")
    modules = [m for m in listed if m and " " not in m and not m.startswith("All")]
    counts, _ = callgrind(IMPORT, ",".join(modules))
    own = [m for m in modules if m.startswith("comfylint")]
    print(f"comfylint's own import (the {len(own)} comfylint modules a one-file check loads, "
          f"third-party preloaded): {counts[0] / 1e6:.1f} M instructions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="core,stages,growth,import")
    parser.add_argument("--files", type=int, default=1000, help="at most this many corpus files")
    parser.add_argument("--stock", action="store_true",
                        help="core and stages with the bundled catalog (default: object_info.core.json)")
    args = parser.parse_args()
    sections = {"core": lambda: core(args.files, args.stock), "growth": growth,
                "import": own_import, "stages": lambda: stages(args.files, args.stock)}
    for name in args.only.split(","):
        sections[name.strip()]()


if __name__ == "__main__":
    main()
