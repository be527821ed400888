"""The JSON output: a public contract (schemas/output.schema.json). Add keys; never rename."""
from __future__ import annotations

import json
from typing import TextIO

from . import RenderOptions, counts

OUTPUT_VERSION = 1


def as_document(results) -> dict:
    return {
        "version": OUTPUT_VERSION,
        "files": [r.to_dict() for r in results if not r.skipped],
        "diagnostics": [d.to_dict() for r in results for d in r.diagnostics],
        "summary": counts(results),
    }


def render(results, stream: TextIO, options: RenderOptions) -> None:
    stream.write(json.dumps(as_document(results), indent=2, ensure_ascii=False, default=_jsonable)
                 + "\n")


def _jsonable(value):
    """Fix values and other extras may hold NaN-free but non-JSON objects (sets, bytes)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return repr(value)
