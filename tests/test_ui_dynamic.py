"""UI files with v3 dynamic inputs (newer servers): what the current frontend stores and exports.

The frontend shows a dynamic combo `X` as a widget followed by the widgets of its selected
option, named `X.<input>`, and stores their values in that order; autogrow inputs are sockets
`X.<name>`. Export (API) sends exactly those names. The fixtures are our own, in v0.26 shapes
(tests/fixtures/object_info.v3_dynamic.json and tests/fixtures/ui/dynamic_inputs*.json).
"""
from __future__ import annotations

import copy
import json

import pytest

from comfylint import Catalog, lint
from comfylint.ui import EXACT, HEURISTIC, to_api
from conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
UI_FILE = FIXTURES / "ui" / "dynamic_inputs.json"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_object_info(FIXTURES / "object_info.v3_dynamic.json")


def ui_workflow() -> dict:
    return json.loads(UI_FILE.read_text(encoding="utf-8"))


def node_of(workflow: dict, node_id: int) -> dict:
    return next(n for n in workflow["nodes"] if n["id"] == node_id)


def test_fixture_converts_to_its_golden_api_file_exactly_and_in_key_order(catalog):
    result = to_api(ui_workflow(), catalog)
    expected = json.loads((FIXTURES / "ui" / "dynamic_inputs.api.json").read_text())
    assert result.grade == EXACT, result.reasons
    assert result.prompt == expected
    for node_id, entry in expected.items():
        assert list(result.prompt[node_id]["inputs"]) == list(entry["inputs"])


def test_option_widgets_follow_the_combo_and_later_widgets_keep_their_values(catalog):
    prompt = to_api(ui_workflow(), catalog).prompt
    assert prompt["2"]["inputs"] == {"mode": "by size", "mode.width": 640, "mode.fit": "pad",
                                     "method": "area", "input": ["1", 0]}
    assert prompt["6"]["inputs"] == {"mode": "by factor", "mode.factor": 2.0,
                                     "method": "bicubic", "input": ["1", 0]}
    generate = prompt["4"]["inputs"]  # the seed's control_after_generate is stored, not sent
    assert generate["seed"] == 7 and generate["model.quality"] == "low"
    assert generate["model.images.image_1"] == ["3", 0]


def test_the_valid_fixture_has_no_findings(catalog):
    assert lint(ui_workflow(), catalog, path="dynamic_inputs.json") == []


def test_a_finding_on_an_option_value_points_at_its_stored_value(catalog):
    workflow = ui_workflow()
    node_of(workflow, 2)["widgets_values"][1] = 0  # mode.width below its minimum of 1
    findings = [d for d in lint(workflow, catalog, path="w.json") if d.code == "T304"]
    assert [(d.input, d.pointer) for d in findings] == [("mode.width", "/nodes/1/widgets_values/1")]


def test_a_missing_nested_required_input_is_reported_on_ui_files(catalog):
    workflow = ui_workflow()
    workflow["links"] = [link for link in workflow["links"] if link[0] != 4]
    node_of(workflow, 4)["inputs"][0]["link"] = None
    found = [d for d in lint(workflow, catalog, path="w.json") if d.code == "T301"]
    assert [(d.input, d.pointer) for d in found] == [("model.images.image_1", "/nodes/3/inputs/0")]
    assert "which 'model.images' calls for" in found[0].message


def test_a_selection_without_sub_widgets_shifts_nothing(catalog):
    workflow = ui_workflow()
    node_of(workflow, 4)["widgets_values"] = ["a cat", "Painter 1", 9, "fixed"]
    result = to_api(workflow, catalog)
    assert result.prompt["4"]["inputs"]["seed"] == 9
    assert "model.quality" not in result.prompt["4"]["inputs"]


def test_values_of_an_option_the_catalog_does_not_know_are_skipped(catalog):
    """A file saved with a newer server: the option (and its values) is unknown here. The
    widgets after the combo take the values that fit them; the key itself is the finding."""
    workflow = ui_workflow()
    node_of(workflow, 4)["widgets_values"] = ["a cat", "Painter 3", "ultra", 2, 11, "fixed"]
    result = to_api(workflow, catalog)
    assert result.grade == HEURISTIC
    assert "'Painter 3'" in " ".join(result.reasons)
    assert result.prompt["4"]["inputs"]["seed"] == 11
    codes = {d.code for d in lint(workflow, catalog, path="w.json") if d.severity.value == "error"}
    assert "T303" not in codes


NESTED = {"Grader": {
    "input": {"required": {
        "look": ["COMFY_DYNAMICCOMBO_V3", {"options": [
            {"key": "film", "inputs": {"required": {
                "stock": ["COMFY_DYNAMICCOMBO_V3", {"options": [
                    {"key": "color", "inputs": {"required": {"saturation": ["FLOAT", {"default": 1.0}]}}},
                    {"key": "mono", "inputs": {"required": {}}}]}],
                "grain_seed": ["INT", {"default": 0, "control_after_generate": True}]},
                "optional": {"mask": ["MASK", {}]}}},
            {"key": "plain", "inputs": {"required": {}}}]}],
        "strength": ["FLOAT", {"default": 0.5}]}},
    "input_order": {"required": ["look", "strength"]}, "output": ["IMAGE"], "name": "Grader"}}


@pytest.mark.parametrize("stored, expected", [
    (["film", "color", 1.4, 3, "randomize", 0.8],
     {"look": "film", "look.stock": "color", "look.stock.saturation": 1.4,
      "look.grain_seed": 3, "strength": 0.8}),
    (["film", "mono", 3, "fixed", 0.8],
     {"look": "film", "look.stock": "mono", "look.grain_seed": 3, "strength": 0.8}),
    (["plain", 0.8], {"look": "plain", "strength": 0.8}),
])
def test_nested_dynamic_combos_and_option_companions(stored, expected):
    workflow = {"nodes": [{"id": 1, "type": "Grader", "mode": 0, "inputs": [], "outputs": [],
                           "properties": {}, "widgets_values": stored}],
                "links": [], "version": 0.4}
    result = to_api(copy.deepcopy(workflow), Catalog.from_object_info(NESTED))
    assert result.grade == EXACT, result.reasons
    assert result.prompt["1"]["inputs"] == expected
