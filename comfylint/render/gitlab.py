"""GitLab Code Quality (a JSON array of issues; `artifacts: reports: codequality`)."""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import TextIO

from ..diagnostics import Severity
from . import RenderOptions

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def issues(results) -> list[dict]:
    from ..diagnostics import fingerprint

    seen: Counter = Counter()
    out = []
    for result in results:
        for diag in result.diagnostics:
            path = Path(os.path.relpath(os.path.abspath(diag.file or result.path))).as_posix()
            base = fingerprint(diag, path)
            seen[base] += 1  # GitLab needs unique fingerprints: number repeats of the same identity
            out.append({
                "description": f"{diag.code} {diag.message}",
                "check_name": f"{diag.code} {diag.name}",
                "fingerprint": base if seen[base] == 1 else f"{base}-{seen[base]}",
                "severity": SEVERITIES[diag.severity],
                "location": {"path": path, "lines": {"begin": max(diag.line or 1, 1)}},
            })
    return out


def render(results, stream: TextIO, options: RenderOptions) -> None:
    json.dump(issues(results), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
