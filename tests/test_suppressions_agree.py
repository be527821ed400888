"""Node-level suppressions, per-file-ignores and the baseline agree: UI-only findings (U002, U003,
G108) carry node ids, so a node's suppression covers them and C001 does not call it unused; a
baseline entry whose rule did not run on its file (per-file-ignores, deselected) is neither
reported unused nor pruned."""
from __future__ import annotations

import copy
import json

from ci_support import comfylint, variant, write
from comfylint import lint
from test_ui_convert import Ui, _subgraph
from test_ui_lint import KSAMPLER, WORKFLOW

DRIFTED = [42, "fixed", 20, "euler", 8, "normal", 1]  # values shifted: U003 on node 3


def _suppress(node: dict, *codes: str) -> None:
    node.setdefault("properties", {})["comfylint"] = {"ignore": list(codes), "reason": "known"}


def _codes(findings) -> list[str]:
    return sorted(d.code for d in findings)


def test_ui_only_findings_name_their_node():
    workflow = copy.deepcopy(WORKFLOW)
    workflow["nodes"][KSAMPLER]["widgets_values"] = DRIFTED
    workflow["nodes"][6]["inputs"][0]["link"] = 77  # names a link that is not there
    found = [d for d in lint(workflow) if d.code in ("U003", "G108")]
    assert {(d.code, d.node_id) for d in found} == {
        ("U003", "3"), ("G108", str(workflow["nodes"][6]["id"]))}


def test_a_node_suppression_covers_ui_only_findings_and_is_used():
    workflow = copy.deepcopy(WORKFLOW)
    workflow["nodes"][KSAMPLER]["widgets_values"] = DRIFTED
    workflow["nodes"][6]["inputs"][0]["link"] = 77
    _suppress(workflow["nodes"][KSAMPLER], "U003")
    _suppress(workflow["nodes"][6], "ui-link-inconsistent")
    left = _codes(lint(workflow))  # the shifted values' API findings (T303, T306) stay
    assert not {"U003", "G108", "C001"} & set(left), left


def test_ui_findings_inside_a_subgraph_follow_the_instance_and_the_inner_node():
    ui = Ui()
    definition = _subgraph(ui)
    definition["nodes"][0]["widgets_values"] = ["wide", 256, 1]  # a string where an INT goes
    ui.node(12, definition["id"], [640])
    ui.node(13, "VAEDecode")
    ui.link(12, 0, 13, "samples", "LATENT")
    doc = ui.doc()
    assert [(d.code, d.node_id) for d in lint(doc) if d.code == "U003"] == [("U003", "12:5")]
    by_instance = copy.deepcopy(doc)
    _suppress(by_instance["nodes"][0], "U003")  # the instance node 12
    assert "U003" not in _codes(lint(by_instance)) and "C001" not in _codes(lint(by_instance))
    by_inner = copy.deepcopy(doc)
    _suppress(by_inner["definitions"]["subgraphs"][0]["nodes"][0], "U003")  # node 5 inside
    assert "U003" not in _codes(lint(by_inner)) and "C001" not in _codes(lint(by_inner))


def _baselined_project(tmp_path):
    write(tmp_path / "a.json", variant(**{"3": {"steps": 0}}))  # T304
    write(tmp_path / "b.json", variant(**{"3": {"cfg": -1}}))  # T304 too
    assert comfylint("baseline", "write", cwd=tmp_path).returncode == 0
    return json.loads((tmp_path / "comfylint-baseline.json").read_text())


def test_baseline_entries_hidden_by_per_file_ignores_are_not_unused_nor_pruned(tmp_path):
    before = _baselined_project(tmp_path)
    (tmp_path / "comfylint.toml").write_text(
        'fail-on = "warning"\n[per-file-ignores]\n"a.json" = ["T304"]\n', encoding="utf-8")
    done = comfylint("check", ".", "--output-format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["diagnostics"] == []
    assert comfylint("baseline", "prune", cwd=tmp_path).returncode == 0
    after = json.loads((tmp_path / "comfylint-baseline.json").read_text())
    assert after["entries"] == before["entries"]


def test_baseline_entries_of_rules_not_run_are_not_unused(tmp_path):
    _baselined_project(tmp_path)
    for args in (["--ignore", "T304"], ["--select", "C001,G"]):
        done = comfylint("check", ".", "--fail-on", "info", *args, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stdout)


def test_a_baseline_entry_whose_finding_is_gone_is_still_unused(tmp_path):
    _baselined_project(tmp_path)
    write(tmp_path / "a.json", variant())  # fixed
    done = comfylint("check", ".", "--output-format", "json", cwd=tmp_path)
    codes = [(d["file"].rsplit("/", 1)[-1], d["code"]) for d in json.loads(done.stdout)["diagnostics"]]
    assert codes == [("a.json", "C001")]
