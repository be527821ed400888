"""Opt-in: the newest official templates against each bundled ComfyUI release and a model-less capture.

What a new user sees running `comfylint check` on the official templates (pip package
comfyui-workflow-templates-json; never part of the repository), per catalog:

- node types the catalog does not know (N201), and how many of them stock v0.26.0 has;
- files with error findings, and the errors per rule;
- the UI -> API conversion grades (exact / heuristic / refused), and whether every refusal is
  for node types that no bundled release has;
- with a server capture given (--object-info, e.g. the stock v0.26.0 one, captured without
  models), the templates dated up to its capture that need no newer server (index.json: `date`,
  `minComfyUIVersion`): their errors other than model presence, and the run's catalog notes.

    python benchmarks/template_versions.py [--object-info FILE --captured YYYY-MM-DD
                                            --comfyui-version X] [--show]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from comfylint.api import lint_file
from comfylint.catalog import Catalog
from comfylint.catalog.releases import bundled_versions, core_release_of, parse_version
from comfylint.diagnostics import Severity
from comfylint.rules.node.saved_by import saved_by_newer
from comfylint.ui import REFUSED, to_api
from comfylint.ui.document import VIRTUAL_TYPES

sys.path.insert(0, str(Path(__file__).resolve().parent))
from template_findings import template_files

PRESENCE = {"M401", "M402"}  # model and input-file presence: server state, not the workflow


def node_types(workflow: dict) -> set[str]:
    graphs = [workflow] + list((workflow.get("definitions") or {}).get("subgraphs") or [])
    subgraphs = {g.get("id") for g in graphs[1:]}
    return {n.get("type") for g in graphs for n in g.get("nodes", [])
            if isinstance(n.get("type"), str) and n.get("type") not in subgraphs
            and n.get("type") not in VIRTUAL_TYPES}


def survey(catalog: Catalog, files: list[Path], show: bool) -> None:
    stock = Catalog.stock("0.26.0")
    unknown, unknown_stock, errors = Counter(), Counter(), Counter()
    grades: Counter = Counter()
    refused_known = []  # refused although every unknown type is in some bundled release
    error_files = []
    for path in files:
        workflow = json.loads(path.read_text(encoding="utf-8"))
        result = to_api(workflow, catalog)
        grades[result.grade] += 1
        missing = {t for t in node_types(workflow) if t not in catalog}
        if result.grade == REFUSED and (not missing or any(core_release_of(t) for t in missing)):
            refused_known.append(path.name)
        found = lint_file(path, catalog=catalog)
        for diag in found:
            if diag.code == "N201" and diag.class_type:
                unknown[diag.class_type] += 1
                if diag.class_type in stock:
                    unknown_stock[diag.class_type] += 1
        bad = sorted({d.code for d in found if d.severity == Severity.ERROR})
        errors.update(d.code for d in found if d.severity == Severity.ERROR)
        if bad:
            error_files.append(f"{path.name} ({', '.join(bad)})")
    print(f"  N201: {len(unknown)} unknown node types ({sum(unknown.values())} nodes); of them in "
          f"stock v0.26.0: {len(unknown_stock)} types ({sum(unknown_stock.values())} nodes)")
    print(f"  files with error findings: {len(error_files)}; errors per rule "
          f"{dict(sorted(errors.items()))}")
    if show:
        for line in error_files:
            print(f"    {line}")
    print(f"  conversion: exact {grades['exact']} / heuristic {grades['heuristic']} / refused "
          f"{grades['refused']}; refused with a node type some bundled release has: "
          f"{len(refused_known)}" + (f" ({', '.join(refused_known[:5])})" if refused_known else ""))


def capture_survey(catalog: Catalog, files: list[Path], captured: str, show: bool) -> None:
    index = {t["name"]: t for category in json.loads((files[0].parent / "index.json").read_text())
             for t in category.get("templates", [])}
    version = parse_version(catalog.comfyui_version)
    chosen, newer, custom = [], 0, 0
    for path in files:
        entry = index.get(path.stem)
        needs = parse_version(entry.get("minComfyUIVersion")) if entry else None
        if not entry or entry.get("date", "9999") > captured or (needs and needs > version):
            continue
        workflow = json.loads(path.read_text(encoding="utf-8"))
        view = to_api(workflow, catalog).prompt
        if saved_by_newer(catalog, view, workflow, str(path)) is not None:
            newer += 1  # the file itself says a newer ComfyUI saved it
        elif any(t not in catalog and core_release_of(t) is None for t in node_types(workflow)):
            custom += 1  # it needs custom nodes the stock server lacks
        else:
            chosen.append(path)
    print(f"  templates dated up to {captured} with minComfyUIVersion <= {catalog.comfyui_version}: "
          f"{len(chosen) + newer + custom}; of them saved by a newer ComfyUI (the files say so): "
          f"{newer}; needing custom nodes: {custom}")
    errors, presence = Counter(), Counter()
    error_files = []
    for path in chosen:
        found = [d for d in lint_file(path, catalog=catalog) if d.severity == Severity.ERROR]
        presence.update(d.code for d in found if d.code in PRESENCE)
        other = [d for d in found if d.code not in PRESENCE]
        errors.update(d.code for d in other)
        if other:
            error_files.append(f"{path.name} ({', '.join(sorted({d.code for d in other}))})")
    print(f"  the rest, needing no newer server and nothing but stock nodes: {len(chosen)}")
    print(f"  errors beyond model presence: {sum(errors.values())} in {len(error_files)} files "
          f"{dict(sorted(errors.items()))}; model/input presence errors: {sum(presence.values())}")
    if show:
        for line in error_files:
            print(f"    {line}")
    notes = catalog.notes()
    print(f"  catalog notes for the run: {len(notes)}" + (f": {notes[0][:110]}…" if notes else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--object-info", help="a server capture to survey as well")
    parser.add_argument("--comfyui-version", default="0.26.0", help="the capture's version")
    parser.add_argument("--captured", default="2026-06-29", help="the capture's date")
    parser.add_argument("--show", action="store_true", help="name the files with errors")
    args = parser.parse_args(argv)
    files = template_files()
    print(f"{len(files)} official templates")
    for version in reversed(bundled_versions()):
        default = " (the default: no flags)" if version == bundled_versions()[-1] else ""
        print(f"bundled catalog, ComfyUI {version}{default}:")
        survey(Catalog.stock(version), files, args.show)
    if args.object_info:
        catalog = Catalog.from_object_info(args.object_info, comfyui_version=args.comfyui_version)
        print(f"{args.object_info} as ComfyUI {args.comfyui_version}:")
        capture_survey(catalog, files, args.captured, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
