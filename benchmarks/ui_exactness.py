"""Opt-in: how exactly `comfylint.ui.to_api` reproduces the frontend on real (UI, API) PNG pairs.

Every `X.png.workflow.json` with a sibling `X.png.prompt.json` came out of one frontend
`graphToPrompt` call. For each pair whose nodes the catalog knows, convert the UI half and compare
with the API half. Seeds the frontend randomised after queueing cannot be reproduced and are
ignored (a seed-like input whose value differs while the node's `control_after_generate` is not
"fixed"); `_meta` is compared only where the reference prompt has it (older frontends omitted it).
The conversion emulates the frontend that saved each file (`to_api(..., as_saved=True)`, see
`comfylint/ui/frontends.py`): what that editor exported, not what today's would.

    python benchmarks/ui_exactness.py [CORPUS_DIR] [--object-info FILE | --comfyui-version V] [-v]

The examples were saved by ComfyUI servers of their time, whose nodes' display names are the
exported `_meta.title` of untitled nodes. By default each pair is converted with the bundled
release of its editor's era (releases.release_of_frontend: the oldest release whose frontend
reaches the one that saved it); --comfyui-version V uses one release for all (with the newest,
today's display names differ: an explained difference).

CORPUS_DIR defaults to ../shared/corpus/comfyanonymous+ComfyUI_examples (the corpus is never part
of the repository).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from comfylint.catalog import Catalog
from comfylint.catalog.releases import release_of_frontend
from comfylint.ui import ConversionResult, to_api
from comfylint.ui.document import VIRTUAL_TYPES
from comfylint.ui.extensions import editor_only_node
from comfylint.ui.frontends import LEGACY_UPLOAD_NAME, UPLOAD_NAME

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/comfyanonymous+ComfyUI_examples"
SEED_NAMES = ("seed", "noise_seed")


def known_to(catalog: Catalog, workflow: dict) -> bool:
    graphs = [workflow] + list((workflow.get("definitions") or {}).get("subgraphs") or [])
    subgraph_ids = {g.get("id") for g in graphs[1:]}
    return all(n.get("type") in catalog or n.get("type") in VIRTUAL_TYPES
               or editor_only_node(n.get("type")) is not None
               or n.get("type") in subgraph_ids for g in graphs for n in g.get("nodes", []))


UPLOAD_NAMES = (UPLOAD_NAME, LEGACY_UPLOAD_NAME)


def differences(expected: dict, result: ConversionResult, catalog: Catalog) -> list[tuple[str, str]]:
    """(category, text) per difference; category "unexplained" unless a known cause fits."""
    found = []
    actual = result.prompt
    unstamped = result.saved_by is not None and result.saved_by.version is None
    for node_id in sorted(set(expected) | set(actual)):
        if node_id not in actual or node_id not in expected:
            side = "missing" if node_id not in actual else "extra"
            entry = expected.get(node_id) or actual.get(node_id)
            found.append(("unexplained", f"{node_id}: {side} ({entry.get('class_type')})"))
            continue
        want, got = expected[node_id], actual[node_id]
        node_def = catalog.get(got.get("class_type"))
        if want.get("class_type") != got.get("class_type"):
            found.append(("unexplained", f"{node_id}: class_type {want.get('class_type')} != "
                          f"{got.get('class_type')}"))
        if "_meta" in want and want["_meta"] != got.get("_meta"):
            untitled = node_id in result.nodes and "title" not in result.nodes[node_id].raw
            cause = ("display name of the saving server differs from the catalog's" if untitled
                     else "unexplained")
            found.append((cause, f"{node_id}: _meta {want['_meta']} != {got.get('_meta')}"))
        want_inputs, got_inputs = want.get("inputs", {}), got.get("inputs", {})
        for name in sorted(set(want_inputs) | set(got_inputs)):
            if want_inputs.get(name, "<absent>") == got_inputs.get(name, "<absent>"):
                continue
            if name in SEED_NAMES and name in want_inputs and name in got_inputs:
                continue  # randomised after queueing (control_after_generate)
            text = (f"{node_id}.{name}: {json.dumps(want_inputs.get(name, '<absent>'))[:80]} != "
                    f"{json.dumps(got_inputs.get(name, '<absent>'))[:80]}")
            found.append((_cause(name, want_inputs, got_inputs, node_def, unstamped), text))
        if not any(t.startswith(f"{node_id}.") for _, t in found) and list(want_inputs) != list(
                got_inputs) and "_meta" in want:
            found.append(("input order", f"{node_id}: {list(want_inputs)} != {list(got_inputs)}"))
    return found


def _cause(name, want_inputs, got_inputs, node_def, unstamped) -> str:
    if name in UPLOAD_NAMES and name not in want_inputs and unstamped:
        return ("unstamped frontend of early 2025 (v1.10 until the version stamp): the file cannot "
                "tell whether it still sent the upload button")
    if name not in got_inputs and node_def is not None and name not in node_def.inputs:
        return "widget the frontend adds once the node has run in the session (not in the file)"
    return "unexplained"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--object-info")
    parser.add_argument("--comfyui-version",
                        help="one bundled release for every pair (default: each pair's era)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    catalog = Catalog.from_object_info(args.object_info) if args.object_info \
        else Catalog.stock(args.comfyui_version)
    by_era = not args.object_info and not args.comfyui_version
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    total = identical = identical_explained = skipped = 0
    grades: dict[str, int] = {}
    causes: dict[str, int] = {}
    for ui_path in sorted(corpus.rglob("*.workflow.json")):
        api_path = ui_path.with_name(ui_path.name.replace(".workflow.json", ".prompt.json"))
        if not api_path.exists():
            continue
        workflow = json.loads(ui_path.read_text(encoding="utf-8"))
        if not known_to(catalog, workflow):
            skipped += 1
            continue
        total += 1
        result = to_api(workflow, catalog, as_saved=True)
        if by_era:  # again, with the server of the editor that saved it
            era = release_of_frontend(result.saved_by.version if result.saved_by else None)
            result = to_api(workflow, Catalog.stock(era.version), as_saved=True)
        grades[result.grade] = grades.get(result.grade, 0) + 1
        diffs = differences(json.loads(api_path.read_text(encoding="utf-8")), result, catalog)
        identical += not diffs
        identical_explained += all(cause != "unexplained" for cause, _ in diffs)
        for cause in {cause for cause, _ in diffs}:
            causes[cause] = causes.get(cause, 0) + 1
        if diffs or args.verbose:
            print(f"{ui_path.relative_to(corpus)} [{result.grade}; saved by "
                  f"{result.saved_by.label}: {result.saved_by.evidence}]")
            for reason in result.reasons:
                print(f"    reason: {reason}")
            for cause, text in diffs:
                print(f"    diff [{cause}]: {text}")
    share = 100.0 * identical / total if total else 0.0
    print(f"identical {identical}/{total} ({share:.1f}%); identical but for explained causes "
          f"{identical_explained}/{total}; skipped {skipped} pairs with nodes the catalog does not "
          f"know; grades {grades}")
    for cause, count in sorted(causes.items(), key=lambda item: -item[1]):
        print(f"  pairs with {cause}: {count}")
    return 0 if identical_explained == total else 1


if __name__ == "__main__":
    sys.exit(main())
