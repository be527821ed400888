"""Node-level suppressions (API `_meta.comfylint`, UI `properties.comfylint`), the baseline, and
C001 for suppressions that match nothing."""
from __future__ import annotations

import json

import comfylint
from ci_support import comfylint as run_cli
from ci_support import findings, variant, write

BELOW_MIN = variant(**{"3": {"steps": 0}})


def _suppressed(workflow: dict, node_id: str, entry) -> dict:
    workflow = json.loads(json.dumps(workflow))
    workflow[node_id]["_meta"] = {"title": "x", "comfylint": entry}
    return workflow


def test_api_node_suppression_with_reason_hides_the_finding():
    workflow = _suppressed(BELOW_MIN, "3", {"ignore": ["T304"], "reason": "patched at run time"})
    assert comfylint.lint(workflow) == []
    by_name = _suppressed(BELOW_MIN, "3", {"ignore": "value-below-min", "reason": "patched"})
    assert comfylint.lint(by_name) == []


def test_suppression_covers_only_its_own_node_and_rules():
    workflow = variant(**{"3": {"steps": 0}, "5": {"width": 0}})
    workflow = _suppressed(workflow, "3", {"ignore": ["T305"], "reason": "r"})
    codes = sorted((d.code, d.node_id) for d in comfylint.lint(workflow))
    assert codes == [("C001", "3"), ("T304", "3"), ("T304", "5")]


def test_suppression_without_reason_is_not_applied():
    workflow = _suppressed(BELOW_MIN, "3", {"ignore": ["T304"]})
    found = {d.code: d for d in comfylint.lint(workflow)}
    assert set(found) == {"T304", "C001"}
    assert "reason" in found["C001"].message
    assert found["C001"].pointer == "/3/_meta/comfylint"


def test_malformed_and_unknown_suppressions_are_c001():
    unknown = _suppressed(BELOW_MIN, "3", {"ignore": ["T999", "T304"], "reason": "r"})
    found = comfylint.lint(unknown)
    assert [d.code for d in found] == ["C001"] and "T999" in found[0].message
    malformed = _suppressed(BELOW_MIN, "3", ["T304"])
    assert sorted(d.code for d in comfylint.lint(malformed)) == ["C001", "T304"]


def test_unused_suppression_is_not_reported_for_rules_not_selected():
    from comfylint.rules.selection import resolve_selector

    workflow = _suppressed(variant(), "3", {"ignore": ["T304"], "reason": "r"})
    selected = resolve_selector("C001") + resolve_selector("G1")
    assert comfylint.lint(workflow, select=selected) == []


def test_ui_node_suppression(tmp_path):
    ui = {"last_node_id": 2, "last_link_id": 1, "version": 0.4,
          "links": [[1, 1, 0, 2, 0, "IMAGE"]],
          "nodes": [
              {"id": 1, "type": "EmptyImage", "inputs": [],
               "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [1]}],
               "widgets_values": [0, 64, 1, 0]},
              {"id": 2, "type": "PreviewImage",
               "inputs": [{"name": "images", "type": "IMAGE", "link": 1}], "outputs": []}]}
    path = write(tmp_path / "ui.json", ui)
    assert [d.code for d in comfylint.lint_file(path)] == ["T304"]
    ui["nodes"][0]["properties"] = {"comfylint": {"ignore": ["T304"], "reason": "width set later"}}
    write(path, ui)
    assert comfylint.lint_file(path) == []


def test_baseline_adoption_flow(tmp_path):
    write(tmp_path / "legacy" / "a.json", BELOW_MIN)
    write(tmp_path / "legacy" / "b.json", variant(**{"5": {"width": 0}}))
    write(tmp_path / "clean.json", variant())
    assert run_cli("check", ".", cwd=tmp_path).returncode == 1
    done = run_cli("baseline", "write", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    baseline = json.loads((tmp_path / "comfylint-baseline.json").read_text())
    assert {(e["file"], e["code"], e["node_id"], e["input"]) for e in baseline["entries"]} == {
        ("legacy/a.json", "T304", "3", "steps"), ("legacy/b.json", "T304", "5", "width")}
    assert all("line" not in e for e in baseline["entries"])
    assert run_cli("check", ".", cwd=tmp_path).returncode == 0

    # Reformatting moves every line: the baseline still matches (no line numbers in it).
    write(tmp_path / "legacy" / "a.json", BELOW_MIN, indent=8)
    assert run_cli("check", ".", cwd=tmp_path).returncode == 0

    # A new finding fails; only it is reported.
    write(tmp_path / "clean.json", variant(**{"3": {"cfg": -1}}))
    done = run_cli("check", ".", "--output-format", "json", cwd=tmp_path)
    assert done.returncode == 1 and findings(done) == [("clean.json", "T304")]
    assert run_cli("check", ".", "--no-baseline", cwd=tmp_path).stdout.count("T304") == 3

    # Fixing a baselined finding leaves a stale entry: C001 until pruned.
    write(tmp_path / "clean.json", variant())
    write(tmp_path / "legacy" / "a.json", variant())
    done = run_cli("check", ".", "--output-format", "json", cwd=tmp_path)
    assert findings(done) == [("a.json", "C001")] and done.returncode == 0  # a warning
    assert "prune" in done.stdout
    assert run_cli("baseline", "prune", cwd=tmp_path).returncode == 0
    baseline = json.loads((tmp_path / "comfylint-baseline.json").read_text())
    assert [e["file"] for e in baseline["entries"]] == ["legacy/b.json"]
    done = run_cli("check", ".", "--output-format", "json", cwd=tmp_path)
    assert findings(done) == []


def test_baseline_entries_for_files_not_checked_are_kept_and_not_reported(tmp_path):
    write(tmp_path / "a.json", BELOW_MIN)
    write(tmp_path / "b.json", BELOW_MIN)
    assert run_cli("baseline", "write", cwd=tmp_path).returncode == 0
    done = run_cli("check", "a.json", "--output-format", "json", cwd=tmp_path)
    assert findings(done) == []
    assert run_cli("baseline", "prune", "a.json", cwd=tmp_path).returncode == 0
    entries = json.loads((tmp_path / "comfylint-baseline.json").read_text())["entries"]
    assert sorted(e["file"] for e in entries) == ["a.json", "b.json"]


def test_a_broken_baseline_file_exits_2(tmp_path):
    write(tmp_path / "a.json", BELOW_MIN)
    (tmp_path / "comfylint-baseline.json").write_text("[1, 2]", encoding="utf-8")
    done = run_cli("check", ".", cwd=tmp_path)
    assert done.returncode == 2 and "not a comfylint baseline" in done.stderr
