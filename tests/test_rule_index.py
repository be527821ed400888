"""The rule registry's index (comfylint/rules/index.json) matches the rule modules, and a run
imports only the rule modules it uses.

The index is generated (`python tools/rule_index.py --write`); it lets selection and the engine
work from data instead of importing all 43 rule modules on every run.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


# Each run in a fresh process after the same selection: one interpreter makes the selection,
# then a forked copy of it does each run (a new interpreter per run imported and compiled
# comfylint again: ~0.06 s of CPU each); where there is no fork, one interpreter per run.
RUNS = {
    "nothing": "",
    "T304 on a KSampler with steps 0":
        'lint({"1": {"class_type": "KSampler", "inputs": {"steps": 0}}}, select="T304")',
    "T304 on a KSampler with no inputs":
        'lint({"1": {"class_type": "KSampler", "inputs": {}}}, select="T304")',
    "a SaveImage with no inputs": 'lint({"1": {"class_type": "SaveImage", "inputs": {}}})',
    "a SaveImage linked to a missing node":
        'lint({"1": {"class_type": "SaveImage", "inputs": {"images": ["9", 0]}}})',
}
SCRIPT = """
import os, sys
from comfylint.api import lint
from comfylint.rules.selection import select_rules
select_rules(["T304", "missing-class-type", "G1"], ignore=["G107"])


def report(run):
    exec(run)
    print(sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("comfylint.rules.")
                 and m.count(".") == 3), flush=True)


runs = {runs!r}
if len(runs) == 1:
    report(runs[0])
else:
    for run in runs:
        child = os.fork()
        if child == 0:  # a copy of this process, as fresh as it: it reports, then ends
            try:
                report(run)
            except BaseException:
                import traceback
                traceback.print_exc()
                os._exit(1)
            os._exit(0)
        if os.waitpid(child, 0)[1]:
            sys.exit(1)
"""


@pytest.fixture(scope="module")
def imported() -> dict[str, list[str]]:
    """run name -> the rule modules a fresh process imported for it."""
    batches = [list(RUNS)] if hasattr(os, "fork") else [[name] for name in RUNS]
    found = {}
    for names in batches:
        done = subprocess.run([sys.executable, "-c", SCRIPT.format(runs=[RUNS[n] for n in names])],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        found.update(zip(names, map(eval, done.stdout.splitlines())))  # printed lists of names
    return found


def test_selecting_rules_imports_none_and_a_run_only_those_it_runs(imported):
    assert imported["nothing"] == []
    assert imported["T304 on a KSampler with steps 0"] == ["t304_value_below_min"]


def test_a_run_imports_only_the_rules_that_may_find_something(imported):
    """A rule whose precondition (`needs`) the document does not meet is not imported."""
    assert imported["T304 on a KSampler with no inputs"] == []
    modules = imported["a SaveImage with no inputs"]
    assert "t301_required_input_missing" in modules  # (images is missing)
    assert "g101_dangling_link" not in modules  # (no link at all)


def test_an_api_document_does_not_import_the_ui_rules(imported):
    modules = imported["a SaveImage linked to a missing node"]
    assert "g101_dangling_link" in modules
    assert not [m for m in modules if m.startswith("u0")]
