"""A current ComfyUI server's catalog: v3 dynamic inputs, hidden inputs as lists, new node fields.

The fixture (tests/fixtures/object_info.v3_dynamic.json) is our own, written in the shapes a
v0.26 server sends. The last tests run on a real v0.26 `/object_info` only when
COMFYLINT_NEWER_OBJECT_INFO names one (third-party data, never committed).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from comfylint import Catalog, lint, lint_file
from comfylint.diagnostics import Severity

FIXTURE = Path(__file__).parent / "fixtures" / "object_info.v3_dynamic.json"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_object_info(FIXTURE)


def valid_workflow() -> dict:
    return {
        "1": {"class_type": "FixtureLoadPicture", "inputs": {"image": "cat.png"}},
        "2": {"class_type": "FixtureResize", "inputs": {
            "input": ["1", 0], "mode": "by size", "mode.width": 640, "mode.fit": "pad",
            "method": "area"}},
        "3": {"class_type": "FixtureStack", "inputs": {"images.image0": ["2", 0],
                                                       "images.image1": ["1", 0]}},
        "4": {"class_type": "FixtureApiGenerate", "inputs": {
            "prompt": "a cat", "model": "Painter 2", "model.images.image_1": ["3", 0],
            "model.quality": "low", "seed": 7}},
        "5": {"class_type": "FixtureSwitch", "inputs": {"switch": True, "on_false": ["3", 0],
                                                        "on_true": ["4", 0]}},
        "6": {"class_type": "FixtureSave", "inputs": {"images": ["5", 0], "filename_prefix": "x"}},
        "7": {"class_type": "FixtureFormat", "inputs": {"values.a": 2, "values.b": ["7b", 1],
                                                        "expression": "a * b"}},
        "7b": {"class_type": "FixtureFormat", "inputs": {"expression": "3"}},
        "8": {"class_type": "FixtureTags", "inputs": {"tags": {"__value__": ["red", "blue"]},
                                                      "voice": "Anything", "color": "#ff0000"}},
        "9": {"class_type": "FixturePreviewText", "inputs": {"source": ["8", 0]}},
        "10": {"class_type": "FixturePreviewText", "inputs": {"source": ["7", 0]}},
    }


def findings(workflow: dict, catalog: Catalog) -> list[tuple[str, str | None, str | None]]:
    """(code, node, input) of every warning and error."""
    return sorted((d.code, d.node_id, d.input) for d in lint(workflow, catalog=catalog)
                  if d.severity != Severity.INFO)


def test_reads_a_current_servers_shapes(catalog):
    save = catalog.get("FixtureSave")
    assert save.hidden == {"prompt", "extra_pnginfo"}  # hidden inputs sent as one-element lists
    assert catalog.get("FixturePreviewText").hidden == {"prompt"}  # ... or as a bare string
    api = catalog.get("FixtureApiGenerate")
    assert set(api.inputs) == {"prompt", "model", "seed"} and api.has_dynamic_inputs
    assert "unique_id" in api.hidden


def test_a_valid_dynamic_workflow_has_no_finding(catalog):
    assert findings(valid_workflow(), catalog) == []


def test_nested_dynamic_combo_inputs_are_validated(catalog):
    workflow = valid_workflow()
    inputs = workflow["2"]["inputs"]
    del inputs["mode.fit"]
    inputs["mode.width"] = 9000
    workflow["4"]["inputs"]["model.quality"] = "ultra"
    result = {(d.code, d.input): d for d in lint(workflow, catalog=catalog)}
    assert set(result) == {("T301", "mode.fit"), ("T305", "mode.width"),
                           ("T306", "model.quality"), ("G106", None)}
    assert "which 'mode' calls for" in result["T301", "mode.fit"].message
    assert result["T306", "model.quality"].server_error_type == "value_not_in_list"


def test_a_dynamic_combo_key_is_checked_and_its_inputs_are_not_guessed(catalog):
    workflow = valid_workflow()
    workflow["2"]["inputs"]["mode"] = "by sise"
    found = [d for d in lint(workflow, catalog=catalog) if d.node_id == "2"]
    assert [(d.code, d.input) for d in found] == [("T306", "mode")]
    assert found[0].server_error_type is None  # the server drops it silently
    assert "did you mean 'by size'?" in found[0].message
    assert found[0].fix is not None


def test_inputs_of_another_option_are_unknown(catalog):
    workflow = valid_workflow()
    workflow["2"]["inputs"]["mode.factor"] = 2.0
    assert findings(workflow, catalog) == [("N205", "2", "mode.factor")]


def test_autogrow_slots(catalog):
    workflow = valid_workflow()
    stack = workflow["3"]["inputs"]
    stack["images.image1"] = ["7", 1]  # an INT into an IMAGE slot
    stack["images.image4"] = ["1", 0]  # past max=4 (image0..image3)
    del stack["images.image0"]  # the first `min` slots are required
    assert findings(workflow, catalog) == [
        ("G106", "6", None), ("N205", "3", "images.image4"), ("T301", "3", "images.image0"),
        ("T302", "3", "images.image1")]


def test_autogrow_nested_in_a_dynamic_combo(catalog):
    workflow = valid_workflow()
    inputs = workflow["4"]["inputs"]
    inputs["model.images.image_2"] = inputs.pop("model.images.image_1")
    assert ("T301", "4", "model.images.image_1") in findings(workflow, catalog)
    inputs["model"] = "Painter 1"  # this option has no inputs: the other's become unknown
    assert findings(workflow, catalog) == [("N205", "4", "model.images.image_2"),
                                           ("N205", "4", "model.quality")]


def test_match_type_links_always_pass_and_required_ones_are_required(catalog):
    workflow = valid_workflow()
    workflow["5"]["inputs"]["on_false"] = ["7", 0]  # FLOAT into an IMAGE-or-MASK template
    assert findings(workflow, catalog) == []
    del workflow["5"]["inputs"]["on_false"]
    assert findings(workflow, catalog) == [("G106", "6", None), ("T301", "5", "on_false")]


def test_multiselect_combo_is_checked_element_wise(catalog):
    workflow = valid_workflow()
    workflow["8"]["inputs"]["tags"] = {"__value__": ["red", "purple"]}
    found = [d for d in lint(workflow, catalog=catalog) if d.code == "T306"]
    assert [(d.node_id, d.input) for d in found] == [("8", "tags")]
    assert "'purple'" in found[0].message and "'red'" not in found[0].message
    workflow["8"]["inputs"]["tags"] = "green"  # a single value is checked as one
    assert findings(workflow, catalog) == []


def test_literals_for_widget_only_and_primitive_union_inputs(catalog):
    workflow = valid_workflow()
    workflow["7"]["inputs"]["values.c"] = True  # "FLOAT,INT,BOOLEAN": a literal reaches the node
    workflow["8"]["inputs"]["color"] = "#000000"  # COLOR is socketless: a widget, not a socket
    assert findings(workflow, catalog) == []


def test_a_list_typed_output_may_feed_a_v3_combo(catalog):
    workflow = valid_workflow()
    workflow["11"] = {"class_type": "FixtureChoices", "inputs": {}}
    workflow["2"]["inputs"]["method"] = ["11", 0]
    assert findings(workflow, catalog) == []


def test_unknown_dynamic_kinds_stay_unjudged():
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    raw["FixtureGroup"] = dict(raw["FixtureSave"], name="FixtureGroup", input={"required": {
        "rows": ["COMFY_DYNAMICGROUP_V3", {"template": {"required": {"w": ["INT", {}]}}}],
        "images": ["IMAGE", {}]}}, output_node=True)
    catalog = Catalog.from_object_info(raw)
    workflow = {"1": {"class_type": "FixtureLoadPicture", "inputs": {"image": "cat.png"}},
                "2": {"class_type": "FixtureGroup", "inputs": {"images": ["1", 0], "rows.0.w": 3,
                                                               "typo": 1}}}
    assert findings(workflow, catalog) == [("N205", "2", "typo")]


# -- the real thing, opt-in ----------------------------------------------------------------------

NEWER = os.environ.get("COMFYLINT_NEWER_OBJECT_INFO")
needs_newer = pytest.mark.skipif(not NEWER, reason="set COMFYLINT_NEWER_OBJECT_INFO to a v0.26 "
                                                   "/object_info to run")


@pytest.fixture(scope="module")
def newer() -> Catalog:
    return Catalog.from_object_info(NEWER)


@needs_newer
def test_real_newer_catalog_loads():
    """Every class of the real newer catalog decodes (its speed: benchmarks/big_object_info.py)."""
    catalog = Catalog.from_object_info(NEWER)
    names = list(catalog.names())
    for name in names:
        assert catalog.get(name) is not None
    assert len(names) > 700


def _corpus_api_files() -> list[Path]:
    corpus = Path(os.environ.get("COMFYLINT_CORPUS_DIR",
                                 Path(__file__).resolve().parents[2] / "shared" / "corpus"))
    index = corpus / "index.jsonl"
    if not index.is_file():
        return []
    rows = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines() if line]
    return [corpus / row["path"] for row in rows if row.get("format") in ("api", "api-envelope")]


def _template_files() -> list[Path]:
    try:
        import comfyui_workflow_templates_json as templates
    except ImportError:
        return []
    folder = Path(templates.__file__).parent / "templates"
    return sorted(p for p in folder.glob("*.json") if not p.name.startswith(("index", "fuse")))


def _no_false_dynamic_findings(files: list[Path], catalog: Catalog) -> None:
    """No rule crashes, and nothing is flagged on a dynamic node's nested names except real
    value problems (a rule that does not know dynamic inputs flags them as unknown/missing)."""
    for path in files:
        for finding in lint_file(path, catalog=catalog):
            assert finding.code != "C002", (path, finding.message)
            if finding.input and "." in finding.input and finding.severity == Severity.ERROR:
                assert finding.code in ("T303", "T304", "T305", "T306", "T302"), (path, finding)


@needs_newer
def test_real_newer_catalog_on_the_corpus_api_workflows(newer):
    files = _corpus_api_files()
    if not files:
        pytest.skip("no corpus (COMFYLINT_CORPUS_DIR)")
    _no_false_dynamic_findings(files, newer)


@needs_newer
def test_real_newer_catalog_on_the_official_templates(newer):
    files = _template_files()
    if not files:
        pytest.skip("comfyui-workflow-templates-json is not installed")
    _no_false_dynamic_findings(files, newer)
