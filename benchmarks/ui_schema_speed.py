"""U001's schema check: jsonschema vs the compiled check (`comfylint/ui/schema_check.py`).

    python benchmarks/ui_schema_speed.py [UI_WORKFLOW.json ...]

Without arguments it measures the official templates with 25-35 nodes (pip package
comfyui-workflow-templates-json) or, when that is not installed, the project's own UI fixture.
Prints the median time per document of: jsonschema's validation, the compiled check, and a whole
`lint` of the file (bundled catalog).
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from comfylint.api import lint
from comfylint.resources import validator
from comfylint.rules.ui.u001_ui_schema_invalid import schema_name
from comfylint.schema_check import plainly_valid

ROOT = Path(__file__).resolve().parents[1]


def template_documents() -> list[dict]:
    try:
        import comfyui_workflow_templates_json as templates
    except ImportError:
        return [json.loads((ROOT / "tests/fixtures/ui/txt2img.json").read_text())]
    found = []
    for path in sorted((Path(templates.__file__).parent / "templates").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(document, dict) and isinstance(document.get("nodes"), list) \
                and 25 <= len(document["nodes"]) <= 35:
            found.append(document)
    return found


def per_document_ms(function, documents: list[dict], repeat: int = 5) -> float:
    times = []
    for document in documents:
        function(document)  # warm caches (compiled validators, catalog)
        start = time.perf_counter()
        for _ in range(repeat):
            function(document)
        times.append((time.perf_counter() - start) * 1000 / repeat)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    documents = [json.loads(Path(p).read_text(encoding="utf-8")) for p in argv] or template_documents()
    print(f"{len(documents)} UI workflows, median per document:")
    slow = per_document_ms(lambda d: validator(schema_name(d)).is_valid(d), documents)
    fast = per_document_ms(lambda d: plainly_valid(d, schema_name(d)), documents)
    whole = per_document_ms(lint, documents, repeat=3)
    print(f"  jsonschema validation   {slow:8.3f} ms")
    print(f"  compiled schema check   {fast:8.3f} ms   ({slow / fast:.0f}x faster)")
    print(f"  whole lint (U001 now uses the compiled check) {whole:8.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
