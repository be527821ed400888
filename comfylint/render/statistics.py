"""`--statistics`: findings counted per rule across the run, and each file's status."""
from __future__ import annotations

import json
from collections import Counter
from typing import TextIO


def rule_counts(results) -> list[dict]:
    counts: Counter = Counter()
    info: dict[str, tuple] = {}
    for result in results:
        for diag in result.diagnostics:
            counts[diag.code] += 1
            fixable = diag.fix is not None and diag.fix.safe
            previous = info.get(diag.code, (diag.name, diag.severity.label, False))
            info[diag.code] = (diag.name, previous[1], previous[2] or fixable)
    return [{"code": code, "name": info[code][0], "severity": info[code][1], "count": count,
             "fixable": info[code][2]}
            for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def file_statuses(results) -> dict[str, int]:
    statuses = Counter(result.status for result in results)
    return {status: statuses.get(status, 0) for status in ("ok", "findings", "error", "skipped")}


def render(results, stream: TextIO, as_json: bool, suppressed: int = 0, cached: int = 0) -> None:
    rows = rule_counts(results)
    statuses = file_statuses(results)
    if as_json:
        json.dump({"rules": rows, "files": statuses, "suppressed": suppressed, "cached": cached},
                  stream, indent=2)
        stream.write("\n")
        return
    width = max([len(str(row["count"])) for row in rows] + [1])
    for row in rows:
        mark = "[*]" if row["fixable"] else "   "
        stream.write(f"{row['count']:>{width}}  {row['code']}  {mark} {row['name']} "
                     f"({row['severity']})\n")
    checked = statuses["ok"] + statuses["findings"] + statuses["error"]
    stream.write(f"files: {checked} checked: {statuses['ok']} ok, {statuses['findings']} with "
                 f"findings, {statuses['error']} unreadable; {statuses['skipped']} skipped "
                 f"(not workflows)")
    extras = [f"{suppressed} finding(s) suppressed" if suppressed else "",
              f"{cached} from cache" if cached else ""]
    extras = [e for e in extras if e]
    stream.write(("; " + ", ".join(extras) if extras else "") + "\n")
    if any(row["fixable"] for row in rows):
        stream.write("[*] fixable with `comfylint check --fix`\n")
