"""Opt-in: how often N201's "did you mean" speaks on real workflows, and whether it is a typo.

Lints every workflow of a corpus (default ../shared/corpus, the public third-party workflows; add
the official templates with --templates) against a catalog (default: the bundled core one) and,
for each distinct unknown node type, records the suggestion N201 made. A suggestion counts as
typo-sized when the two names differ by case only or by at most two edits (insert, delete,
replace, swap of neighbours; one for names under 8 characters), measured here by a plain full
edit-distance table, independently of the rule's own code. For comparison it prints what the
former rule (difflib ratio >= 0.8) would have suggested for the same types.

    python benchmarks/did_you_mean.py [CORPUS_DIR] [--object-info FILE | --comfyui-version V]
                                      [--templates] [-v]

The corpus is never part of the repository.
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

from comfylint.api import lint_file
from comfylint.catalog import Catalog

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus"
SUGGESTION = re.compile(r"did you mean '([^']+)'\?")


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance, the whole table (no shortcuts: the reference)."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        table[i][0] = i
    for j in range(len(b) + 1):
        table[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


def typo_sized(unknown: str, suggested: str) -> bool:
    return osa_distance(unknown.lower(), suggested.lower()) <= (1 if len(unknown) < 8 else 2)


def former_suggestion(unknown: str, names: list[str]) -> str | None:
    """What N201 suggested before: a case-insensitive match, else difflib at cutoff 0.8."""
    for name in names:
        if name.lower() == unknown.lower():
            return name
    close = difflib.get_close_matches(unknown, names, n=1, cutoff=0.8)
    return close[0] if close else None


def workflow_files(corpus: Path, templates: bool) -> list[Path]:
    files = sorted(p for p in corpus.rglob("*.json") if p.name != "index.jsonl")
    if templates:
        import comfyui_workflow_templates_json as package  # type: ignore[import-untyped]

        folder = Path(package.__file__).parent / "templates"
        files += sorted(p for p in folder.glob("*.json") if not p.name.startswith(("index", "fuse")))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--object-info", help="a server's /object_info (default: bundled)")
    parser.add_argument("--comfyui-version", help="a bundled release (default: the newest)")
    parser.add_argument("--templates", action="store_true",
                        help="also the official templates (pip comfyui-workflow-templates-json)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every suggestion")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    catalog = Catalog.from_object_info(args.object_info) if args.object_info \
        else Catalog.stock(args.comfyui_version)
    names = sorted(catalog.names())
    files = workflow_files(corpus, args.templates)
    suggested: dict[str, str | None] = {}  # unknown type -> what N201 suggested (None: nothing)
    findings = 0
    for path in files:
        for diag in lint_file(path, catalog):
            if diag.code != "N201" or not diag.class_type:
                continue
            findings += 1
            match = SUGGESTION.search(diag.message)
            suggested.setdefault(diag.class_type, match[1] if match else None)
    made = {t: s for t, s in suggested.items() if s is not None}
    typo = {t: s for t, s in made.items() if typo_sized(t, s)}
    former = {t: former_suggestion(t, names) for t in suggested}
    former_made = {t: s for t, s in former.items() if s is not None}
    former_typo = {t: s for t, s in former_made.items() if typo_sized(t, s)}
    print(f"{len(files)} files, {findings} unknown-node findings, {len(suggested)} distinct unknown "
          f"node types ({catalog.source})")
    print(f"did you mean: {len(made)} suggestions, {len(typo)} typo-sized "
          f"({len(made) - len(typo)} not)")
    print(f"former rule (difflib >= 0.8): {len(former_made)} suggestions, {len(former_typo)} "
          f"typo-sized ({len(former_made) - len(former_typo)} not)")
    shown = made if args.verbose else {t: s for t, s in made.items() if t not in typo}
    for unknown, suggestion in sorted(shown.items()):
        print(f"  {unknown} -> {suggestion}{'' if unknown in typo else '  (NOT typo-sized)'}")
    dropped = sorted((t, s) for t, s in former_made.items() if t not in made)
    if dropped:
        print(f"no longer suggested ({len(dropped)}), e.g.:")
        for unknown, suggestion in dropped[:15]:
            print(f"  {unknown} -> {suggestion}")
    return 0 if len(typo) == len(made) else 1


if __name__ == "__main__":
    sys.exit(main())
