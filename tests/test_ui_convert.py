"""UI → API conversion: each rule of the frontend's Export (API), on small workflows of our own."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from ci_support import comfylint
from comfylint.ui import EXACT, HEURISTIC, REFUSED, to_api
from conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "ui"


class Ui:
    """A tiny UI-workflow builder: nodes by id, links as (origin, slot, target, input name)."""

    def __init__(self) -> None:
        self.nodes: list[dict] = []
        self.links: list[list] = []
        self.subgraphs: list[dict] = []

    def node(self, node_id, node_type, widgets=None, mode=0, **extra) -> dict:
        node = {"id": node_id, "type": node_type, "pos": [0, 0], "size": [100, 100], "flags": {},
                "order": len(self.nodes), "mode": mode, "inputs": [], "outputs": [],
                "properties": {}}
        if widgets is not None:
            node["widgets_values"] = widgets
        node.update(extra)
        self.nodes.append(node)
        return node

    def link(self, origin, slot, target, name, link_type="*", graph=None) -> int:
        graph = graph or self.__dict__
        link_id = len(self.links) + sum(len(s["links"]) for s in self.subgraphs) + 1
        nodes = {n["id"]: n for n in graph["nodes"]}
        if target in nodes:
            target_node = nodes[target]
            target_node["inputs"].append({"name": name, "type": link_type, "link": link_id})
            target_slot = len(target_node["inputs"]) - 1
        else:
            target_slot = name  # a subgraph output index
        if graph is self.__dict__:
            graph["links"].append([link_id, origin, slot, target, target_slot, link_type])
        else:
            graph["links"].append({"id": link_id, "origin_id": origin, "origin_slot": slot,
                                   "target_id": target, "target_slot": target_slot,
                                   "type": link_type})
        return link_id

    def doc(self) -> dict:
        doc = {"last_node_id": 99, "last_link_id": 99, "nodes": self.nodes, "links": self.links,
               "version": 0.4}
        if self.subgraphs:
            doc["definitions"] = {"subgraphs": self.subgraphs}
        return doc


def sampler_chain(ui: Ui, ksampler_widgets=None) -> None:
    ui.node(4, "CheckpointLoaderSimple", ["m.safetensors"])
    ui.node(6, "CLIPTextEncode", ["cat"])
    ui.node(5, "EmptyLatentImage", [512, 512, 1])
    ui.node(3, "KSampler", ksampler_widgets or [7, "randomize", 20, 8.0, "euler", "normal", 1.0])
    ui.link(4, 1, 6, "clip", "CLIP")
    ui.link(4, 0, 3, "model", "MODEL")
    ui.link(6, 0, 3, "positive", "CONDITIONING")
    ui.link(6, 0, 3, "negative", "CONDITIONING")
    ui.link(5, 0, 3, "latent_image", "LATENT")


def test_fixture_converts_to_its_golden_api_file_exactly_and_in_key_order():
    result = to_api(json.loads((FIXTURES / "txt2img.json").read_text()))
    expected = json.loads((FIXTURES / "txt2img.api.json").read_text())
    assert result.grade == EXACT, result.reasons
    assert result.prompt == expected
    assert list(result.prompt["3"]["inputs"]) == list(expected["3"]["inputs"])  # widgets, then links


def test_widget_order_follows_input_order_and_companions_are_not_sent():
    ui = Ui()
    sampler_chain(ui)
    inputs = to_api(ui.doc()).prompt["3"]["inputs"]
    assert list(inputs)[:6] == ["seed", "steps", "cfg", "sampler_name", "scheduler", "denoise"]
    assert "control_after_generate" not in inputs and inputs["seed"] == 7


def test_upload_button_value_is_stored_but_not_sent():
    ui = Ui()
    ui.node(1, "LoadImage", ["cat.png", "image"])
    result = to_api(ui.doc())
    assert result.prompt["1"]["inputs"] == {"image": "cat.png"}
    assert result.grade == EXACT


def test_sparse_widgets_values_with_null_holes_are_read_like_dense_ones():
    ui = Ui()
    ui.node(1, "LoadAudio", ["a.wav", None, ""])  # audioUI leaves a hole in old files
    assert to_api(ui.doc()).prompt["1"]["inputs"] == {"audio": "a.wav"}


def test_a_link_overrides_the_widget_value_of_a_widget_input():
    ui = Ui()
    sampler_chain(ui)
    ui.node(10, "PrimitiveInt", [99, "fixed"])
    ui.link(10, 0, 3, "steps", "INT")
    inputs = to_api(ui.doc()).prompt["3"]["inputs"]
    assert inputs["steps"] == ["10", 0]
    assert list(inputs).index("steps") == 1  # keeps its widget position


def test_muted_nodes_are_dropped_and_a_widget_fed_by_them_keeps_its_stored_value():
    ui = Ui()
    sampler_chain(ui)
    ui.node(10, "PrimitiveInt", [99, "fixed"], mode=2)
    ui.link(10, 0, 3, "steps", "INT")
    ui.node(11, "VAEDecode", mode=2)
    ui.link(3, 0, 11, "samples", "LATENT")
    prompt = to_api(ui.doc()).prompt
    assert "10" not in prompt and "11" not in prompt
    assert prompt["3"]["inputs"]["steps"] == 20


def test_a_socket_fed_by_a_muted_node_is_removed():
    ui = Ui()
    sampler_chain(ui)
    ui.nodes[0]["mode"] = 2
    inputs = to_api(ui.doc()).prompt["3"]["inputs"]
    assert "model" not in inputs and "clip" not in to_api(ui.doc()).prompt["6"]["inputs"]


def test_bypassed_node_passes_the_input_of_the_consumers_type_through():
    ui = Ui()
    sampler_chain(ui)
    ui.node(20, "LatentUpscale", ["nearest-exact", 1024, 1024, "disabled"], mode=4)
    ui.link(3, 0, 20, "samples", "LATENT")
    ui.node(21, "VAEDecode")
    ui.link(20, 0, 21, "samples", "LATENT")
    ui.link(4, 2, 21, "vae", "VAE")
    prompt = to_api(ui.doc()).prompt
    assert "20" not in prompt
    assert prompt["21"]["inputs"]["samples"] == ["3", 0]


def test_bypass_with_no_input_of_the_wanted_type_leaves_the_input_out():
    ui = Ui()
    ui.node(1, "EmptyLatentImage", [512, 512, 1], mode=4)
    ui.node(2, "VAEDecode")
    ui.link(1, 0, 2, "samples", "LATENT")
    result = to_api(ui.doc())
    assert "samples" not in result.prompt["2"]["inputs"]
    assert result.grade == HEURISTIC  # the frontend drops it too, but the result is lossy


def test_reroute_chains_are_followed_and_reroutes_are_not_emitted():
    ui = Ui()
    sampler_chain(ui)
    ui.node(30, "Reroute")
    ui.node(31, "Reroute")
    ui.node(32, "VAEDecode")
    ui.link(3, 0, 30, "", "*")
    ui.link(30, 0, 31, "", "*")
    ui.link(31, 0, 32, "samples", "LATENT")
    prompt = to_api(ui.doc()).prompt
    assert prompt["32"]["inputs"] == {"samples": ["3", 0]}
    assert "30" not in prompt and "31" not in prompt


def muted_reroute(stamp: str | None = None) -> Ui:
    """KSampler -> a muted Reroute -> VAEDecode, saved by an unstamped (or `stamp`) frontend."""
    ui = Ui()
    sampler_chain(ui)
    ui.node(30, "Reroute", mode=2)
    ui.node(32, "VAEDecode")
    ui.link(3, 0, 30, "", "*")
    ui.link(30, 0, 32, "samples", "LATENT")
    ui.link(4, 2, 32, "vae", "VAE")
    if stamp:
        ui.__dict__.setdefault("extra", {})["frontendVersion"] = stamp
    return ui


def doc_of(ui: Ui) -> dict:
    doc = ui.doc()
    if "extra" in ui.__dict__:
        doc["extra"] = ui.__dict__["extra"]
    return doc


def test_a_muted_reroute_passed_the_link_on_in_the_frontend_that_saved_the_file():
    saved = to_api(doc_of(muted_reroute()), as_saved=True)  # unstamped: before 1.42
    assert saved.grade == EXACT and saved.prompt["32"]["inputs"]["samples"] == ["3", 0]
    today = to_api(doc_of(muted_reroute()))
    assert today.prompt["32"]["inputs"]["samples"] == ["3", 0]
    assert today.grade == HEURISTIC and "newer frontends cut it" in today.reasons[0]


def test_a_muted_reroute_cuts_the_link_since_frontend_1_42():
    for as_saved in (False, True):
        result = to_api(doc_of(muted_reroute("1.42.3")), as_saved=as_saved)
        assert result.grade == EXACT and "samples" not in result.prompt["32"]["inputs"]
        assert result.cut[("32", "samples")] == "#30 Reroute is muted (mode 2)"
    older = to_api(doc_of(muted_reroute("1.27.10")))
    assert older.prompt["32"]["inputs"]["samples"] == ["3", 0]


def test_an_input_fed_by_a_muted_node_is_reported_naming_that_node():
    from comfylint import lint

    ui = muted_reroute("1.42.3")
    ui.node(33, "SaveImage", ["fox"])
    ui.link(32, 0, 33, "images", "IMAGE")
    [diag] = [d for d in lint(doc_of(ui)) if d.code == "T301"]
    assert diag.severity.label == "error" and "#30 Reroute is muted" in diag.message
    assert "connect" not in diag.help.lower() and diag.pointer == "/nodes/5/inputs/0"
    ui.nodes[4]["mode"] = 0  # the Reroute runs; VAEDecode is muted instead
    ui.nodes[5]["mode"] = 2
    [diag] = [d for d in lint(doc_of(ui)) if d.code == "T301"]
    assert "#32 VAEDecode is muted" in diag.message and diag.input == "images"


def test_a_bypassed_match_type_node_passes_on_the_input_its_saved_slot_types_match():
    from comfylint.catalog import Catalog

    catalog = Catalog.from_object_info(ROOT / "tests" / "fixtures" / "object_info.v3_dynamic.json")
    ui = Ui()
    ui.node(1, "FixtureLoadPicture", ["cat.png", "image"])
    resize = ui.node(2, "FixtureResize", ["by size", 640, "pad", "area"], mode=4)
    ui.node(3, "FixtureSave", ["out", ""])
    ui.link(1, 0, 2, "input", "IMAGE")
    resize["inputs"][0]["type"] = "IMAGE,MASK"  # the template's allowed types, as saved
    resize["outputs"] = [{"name": "COMFY_MATCHTYPE_V3", "type": "IMAGE", "links": [2]}]
    ui.link(2, 0, 3, "images", "IMAGE")
    result = to_api(ui.doc(), catalog)
    assert result.prompt["3"]["inputs"]["images"] == ["1", 0]
    assert result.grade == EXACT and "2" not in result.prompt


def test_primitive_node_pushes_its_value_into_the_widget_it_feeds():
    ui = Ui()
    sampler_chain(ui)
    ui.node(40, "PrimitiveNode", [33, "fixed"])
    ui.nodes[-1]["outputs"] = [{"name": "INT", "type": "INT", "links": [99]}]
    ui.link(40, 0, 3, "steps", "INT")
    result = to_api(ui.doc())
    assert result.prompt["3"]["inputs"]["steps"] == 33 and "40" not in result.prompt
    assert result.sources[("3", "steps")] == "/nodes/4/widgets_values/0"


def test_notes_are_skipped_and_titles_go_to_meta():
    ui = Ui()
    ui.node(1, "Note", ["remember"])
    ui.node(2, "MarkdownNote", ["# hi"])
    ui.node(3, "EmptyLatentImage", [64, 64, 1], title="Small")
    ui.node(4, "EmptyLatentImage", [64, 64, 1], properties={"cnr_id": "comfy-core", "ver": "0.3.64"})
    prompt = to_api(ui.doc()).prompt
    assert list(prompt) == ["3", "4"]
    assert prompt["3"]["_meta"] == {"title": "Small"}
    assert prompt["4"]["_meta"] == {"title": "Empty Latent Image", "cnr_id": "comfy-core",
                                    "ver": "0.3.64"}


def test_array_values_are_wrapped():
    ui = Ui()
    ui.node(1, "CLIPTextEncode", [["a", "b"]])
    assert to_api(ui.doc()).prompt["1"]["inputs"]["text"] == {"__value__": ["a", "b"]}


def test_inputs_pointing_at_nodes_that_are_not_emitted_are_removed():
    ui = Ui()
    ui.node(1, "PrimitiveNode", [1])
    ui.node(2, "VAEDecode")
    ui.link(1, 0, 2, "samples", "LATENT")
    assert to_api(ui.doc()).prompt["2"]["inputs"] == {}


def _subgraph(ui: Ui) -> dict:
    definition = {"id": "aaaaaaaa-0000-4000-8000-000000000001", "name": "Latent", "version": 1,
                  "nodes": [], "links": [],
                  "inputs": [{"id": "i1", "name": "width", "type": "INT"}],
                  "outputs": [{"id": "o1", "name": "LATENT", "type": "LATENT"}]}
    ui.subgraphs.append(definition)
    definition["nodes"].append({"id": 5, "type": "EmptyLatentImage", "mode": 0, "order": 0,
                                "inputs": [], "outputs": [], "widgets_values": [256, 256, 1]})
    ui.link(-10, 0, 5, "width", "INT", graph=definition)
    ui.link(5, 0, -20, 0, "LATENT", graph=definition)
    return definition


def test_subgraphs_flatten_to_colon_ids_with_the_instance_host_value():
    ui = Ui()
    definition = _subgraph(ui)
    ui.node(12, definition["id"], [640])
    ui.node(13, "VAEDecode")
    ui.link(12, 0, 13, "samples", "LATENT")
    result = to_api(ui.doc())
    assert result.grade == EXACT
    assert result.prompt["12:5"]["inputs"] == {"width": 640, "height": 256, "batch_size": 1}
    assert result.prompt["13"]["inputs"] == {"samples": ["12:5", 0]}
    assert result.sources[("12:5", "width")] == "/nodes/0/widgets_values/0"
    assert result.nodes["12:5"].pointer == "/definitions/subgraphs/0/nodes/0"


def test_a_link_into_the_instance_wins_over_its_host_value():
    ui = Ui()
    definition = _subgraph(ui)
    ui.node(12, definition["id"], [640])
    ui.node(14, "PrimitiveInt", [320])
    ui.link(14, 0, 12, "width", "INT")
    assert to_api(ui.doc()).prompt["12:5"]["inputs"]["width"] == ["14", 0]


def test_a_muted_subgraph_instance_is_not_expanded():
    ui = Ui()
    definition = _subgraph(ui)
    ui.node(12, definition["id"], [640], mode=2)
    assert to_api(ui.doc()).prompt == {}


@pytest.mark.parametrize("node_type, reason", [("MyCustomNode", "does not know"),
                                               ("workflow>Group", "legacy group node")])
def test_unknown_and_legacy_group_nodes_are_refused_with_a_reason(node_type, reason):
    ui = Ui()
    ui.node(1, node_type, [1])
    result = to_api(ui.doc())
    assert result.grade == REFUSED and reason in result.reasons[0]
    assert result.prompt["1"]["class_type"] == node_type  # still linted as an unknown node


def test_muted_unknown_nodes_do_not_refuse_the_conversion():
    ui = Ui()
    ui.node(1, "MyCustomNode", [1], mode=2)
    assert to_api(ui.doc()).grade == EXACT


def test_values_that_do_not_fit_the_widgets_grade_the_conversion_heuristic():
    ui = Ui()
    ui.node(1, "EmptyLatentImage", [512, 512])
    result = to_api(ui.doc())
    assert result.grade == HEURISTIC
    assert result.prompt["1"]["inputs"]["batch_size"] == 1  # the frontend keeps the default


def test_legacy_force_input_dummy_slots_are_dropped():
    from comfylint.catalog import Catalog

    object_info = {"Join": {"input": {"required": {
        "a": ["STRING", {"forceInput": True}], "sep": ["STRING", {"default": ","}]}},
        "input_order": {"required": ["a", "sep"]}, "output": ["STRING"], "name": "Join"}}
    ui = Ui()
    ui.node(1, "Join", [None, ";"])  # pre-1.16 files kept a slot for the forceInput input
    result = to_api(ui.doc(), Catalog.from_object_info(object_info))
    assert result.prompt["1"]["inputs"] == {"sep": ";"}


def test_convert_command_writes_a_prompt_envelope(tmp_path: Path):
    target = tmp_path / "api.json"
    run = comfylint("convert", str(FIXTURES / "txt2img.json"), "-o", str(target), "--envelope", "prompt")
    assert run.returncode == 0, run.stderr
    expected = json.loads((FIXTURES / "txt2img.api.json").read_text())
    assert json.loads(target.read_text()) == {"prompt": expected}


def test_convert_command_refuses_an_api_file(tmp_path: Path):
    source = tmp_path / "api.json"
    source.write_text((FIXTURES / "txt2img.api.json").read_text())
    run = comfylint("convert", str(source))
    assert run.returncode == 2 and "already in the API format" in run.stderr


@pytest.mark.skipif(not os.environ.get("COMFYLINT_CORPUS"), reason="set COMFYLINT_CORPUS to a "
                    "folder of X.png.workflow.json / X.png.prompt.json pairs")
def test_corpus_pairs_differ_only_for_explained_causes():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import ui_exactness

    assert ui_exactness.main([os.environ["COMFYLINT_CORPUS"]]) == 0
