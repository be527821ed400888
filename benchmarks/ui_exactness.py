"""Opt-in: how exactly `comfylint.ui.to_api` reproduces the frontend on real (UI, API) PNG pairs.

Every `X.png.workflow.json` with a sibling `X.png.prompt.json` came out of one frontend
`graphToPrompt` call. For each pair whose nodes the catalog knows, convert the UI half and compare
with the API half. Seeds the frontend randomised after queueing cannot be reproduced and are
ignored (a seed-like input whose value differs while the node's `control_after_generate` is not
"fixed"); `_meta` is compared only where the reference prompt has it (older frontends omitted it).

    python benchmarks/ui_exactness.py [CORPUS_DIR] [--object-info FILE] [-v]

CORPUS_DIR defaults to ../shared/corpus/comfyanonymous+ComfyUI_examples (the corpus is never part
of the repository).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from comfylint.catalog import Catalog
from comfylint.ui import to_api
from comfylint.ui.document import VIRTUAL_TYPES

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/comfyanonymous+ComfyUI_examples"
SEED_NAMES = ("seed", "noise_seed")


def known_to(catalog: Catalog, workflow: dict) -> bool:
    graphs = [workflow] + list((workflow.get("definitions") or {}).get("subgraphs") or [])
    subgraph_ids = {g.get("id") for g in graphs[1:]}
    return all(n.get("type") in catalog or n.get("type") in VIRTUAL_TYPES
               or n.get("type") in subgraph_ids for g in graphs for n in g.get("nodes", []))


LEGACY_UPLOAD_NAMES = ("upload", "choose file to upload")


def differences(expected: dict, actual: dict, workflow: dict, catalog: Catalog) -> list[tuple[str, str]]:
    """(category, text) per difference; category "unexplained" unless a known cause fits."""
    found = []
    legacy_frontend = "frontendVersion" not in (workflow.get("extra") or {})
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
            cause = ("catalog display name" if node_def is not None
                     and node_def.raw.get("display_name") is None else "unexplained")
            found.append((cause, f"{node_id}: _meta {want['_meta']} != {got.get('_meta')}"))
        want_inputs, got_inputs = want.get("inputs", {}), got.get("inputs", {})
        for name in sorted(set(want_inputs) | set(got_inputs)):
            if want_inputs.get(name, "<absent>") == got_inputs.get(name, "<absent>"):
                continue
            if name in SEED_NAMES and name in want_inputs and name in got_inputs:
                continue  # randomised after queueing (control_after_generate)
            text = (f"{node_id}.{name}: {json.dumps(want_inputs.get(name, '<absent>'))[:80]} != "
                    f"{json.dumps(got_inputs.get(name, '<absent>'))[:80]}")
            found.append((_cause(name, want_inputs, got_inputs, node_def, legacy_frontend), text))
        if not any(t.startswith(f"{node_id}.") for _, t in found) and list(want_inputs) != list(
                got_inputs) and "_meta" in want:
            found.append(("input order", f"{node_id}: {list(want_inputs)} != {list(got_inputs)}"))
    return found


def _cause(name, want_inputs, got_inputs, node_def, legacy_frontend) -> str:
    if name in LEGACY_UPLOAD_NAMES and name not in got_inputs and legacy_frontend:
        return "legacy frontend sent the upload button"
    if name not in want_inputs and node_def is not None and name in node_def.inputs:
        return "node definition grew since the file was saved"
    if name not in got_inputs and node_def is not None and name not in node_def.inputs:
        return "frontend-only widget value of that frontend version"
    return "unexplained"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--object-info")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    catalog = Catalog.from_object_info(args.object_info) if args.object_info else Catalog.bundled_core()
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
        result = to_api(workflow, catalog)
        grades[result.grade] = grades.get(result.grade, 0) + 1
        diffs = differences(json.loads(api_path.read_text(encoding="utf-8")), result.prompt,
                            workflow, catalog)
        identical += not diffs
        identical_explained += all(cause != "unexplained" for cause, _ in diffs)
        for cause in {cause for cause, _ in diffs}:
            causes[cause] = causes.get(cause, 0) + 1
        if diffs or args.verbose:
            version = (workflow.get("extra") or {}).get("frontendVersion")
            print(f"{ui_path.relative_to(corpus)} [{result.grade}; frontend {version}]")
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
