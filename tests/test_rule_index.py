"""The rule registry's index (comfylint/rules/index.json) matches the rule modules, and a run
imports only the rule modules it uses.

The index is generated (`python tools/rule_index.py --write`); it lets selection and the engine
work from data instead of importing all 43 rule modules on every run.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import rule_index  # noqa: E402

from comfylint.rules import all_rules, rule_index as index  # noqa: E402


def test_the_index_matches_the_rule_modules():
    assert rule_index.render(rule_index.scan()) == rule_index.INDEX.read_text(encoding="utf-8"), \
        "the rule index is stale: run python tools/rule_index.py --write"


def test_every_indexed_rule_loads_as_declared():
    for rule in all_rules():
        entry = index()[rule.code]
        assert (entry.name, entry.formats, entry.phase, entry.loader_findings, entry.needs) == \
            (rule.name, tuple(rule.formats), rule.phase, rule.loader_findings, tuple(rule.needs))
        assert type(rule).__module__ == f"comfylint.rules.{entry.module}"


RUN = """
import sys
from comfylint.api import lint
from comfylint.rules.selection import select_rules
select_rules(["T304", "missing-class-type", "G1"], ignore=["G107"])
{run}
print(sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("comfylint.rules.")
             and m.count(".") == 3))
"""


def imported_rule_modules(run: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", RUN.format(run=run)], capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return eval(done.stdout)  # a printed list of module names


def test_selecting_rules_imports_none_and_a_run_only_those_it_runs():
    assert imported_rule_modules("") == []
    api = imported_rule_modules(
        'lint({"1": {"class_type": "KSampler", "inputs": {"steps": 0}}}, select="T304")')
    assert api == ["t304_value_below_min"]


def test_a_run_imports_only_the_rules_that_may_find_something():
    """A rule whose precondition (`needs`) the document does not meet is not imported."""
    clean = imported_rule_modules('lint({"1": {"class_type": "KSampler", "inputs": {}}}, '
                                  'select="T304")')
    assert clean == []
    modules = imported_rule_modules('lint({"1": {"class_type": "SaveImage", "inputs": {}}})')
    assert "t301_required_input_missing" in modules  # (images is missing)
    assert "g101_dangling_link" not in modules  # (no link at all)


def test_an_api_document_does_not_import_the_ui_rules():
    modules = imported_rule_modules(
        'lint({"1": {"class_type": "SaveImage", "inputs": {"images": ["9", 0]}}})')
    assert "g101_dangling_link" in modules
    assert not [m for m in modules if m.startswith("u0")]
