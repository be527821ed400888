"""Print (or, with --write, refresh in README.md) the rule table from the rule registry.

    python tools/rule_table.py --write
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def table() -> str:
    from comfylint.rules import all_rules

    rows = ["| code | name | default | fix | server error it mirrors | what |",
            "|---|---|---|---|---|---|"]
    for rule in all_rules():
        server = f"`{rule.server_error_type}`" if rule.server_error_type else "—"
        fix = "yes" if rule.fixable else ""
        rows.append(f"| {rule.code} | {rule.name} | {rule.severity.label} | {fix} | {server} | "
                    f"{rule.summary.replace('|', '/')} |")
    return "\n".join(rows)


def refreshed(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table()}\n{END}{tail}"


if __name__ == "__main__":
    path = ROOT / "README.md"
    if "--write" in sys.argv:
        path.write_text(refreshed(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(table())
