"""Opt-in: error-level findings of `check` on the official workflow templates, per rule.

The templates (pip package comfyui-workflow-templates-json) are real, valid UI workflows, so an
error on a template whose nodes the catalog knows is either a real incompatibility with that
catalog's server (a newer model option, a node that changed since) or a false positive. Run it
with a current server's catalog to see v3 dynamic inputs at work:

    python benchmarks/template_findings.py --object-info object_info.json [--show CODE ...]

The templates are never part of the repository.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from comfylint.catalog import Catalog
from comfylint.diagnostics import Severity
from comfylint.api import lint_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ui_exactness import known_to  # noqa: E402


def template_files() -> list[Path]:
    """The official templates' workflow files (exits saying how to get them when missing)."""
    try:
        import comfyui_workflow_templates_json as templates
    except ImportError:
        print("pip install comfyui-workflow-templates-json first", file=sys.stderr)
        raise SystemExit(2) from None

    folder = Path(templates.__file__).parent / "templates"
    return sorted(p for p in folder.glob("*.json") if not p.name.startswith(("index", "fuse")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--object-info", help="a server's /object_info (default: bundled core)")
    parser.add_argument("--show", nargs="*", default=[], metavar="CODE",
                        help="print these rules' findings on templates the catalog knows")
    args = parser.parse_args(argv)
    files = template_files()
    catalog = Catalog.from_object_info(args.object_info) if args.object_info \
        else Catalog.stock()
    every, known_only = Counter(), Counter()
    known_files = 0
    for path in files:
        workflow = json.loads(path.read_text(encoding="utf-8"))
        known = isinstance(workflow, dict) and known_to(catalog, workflow)
        known_files += known
        for finding in lint_file(path, catalog=catalog):
            if finding.severity != Severity.ERROR:
                continue
            every[finding.code] += 1
            if known:
                known_only[finding.code] += 1
                if finding.code in args.show:
                    print(f"{path.name}: {finding.code} {finding.message}")
    print(f"{len(files)} templates, {known_files} with every node known to {catalog.source}")
    print("errors, all templates:  ", dict(sorted(every.items())))
    print("errors, known templates:", dict(sorted(known_only.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
