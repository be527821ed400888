"""Editor-only nodes (packs' browser-side virtual nodes): converted away the way the frontend does,
never reported as missing from a server; on workflows of our own."""
from __future__ import annotations

import json

import pytest
from ci_support import comfylint, write
from test_ui_convert import Ui, sampler_chain

from comfylint import Catalog, lint
from comfylint.ui import EXACT, HEURISTIC, to_api
from comfylint.ui.extensions import GET_BY_NAME, VIRTUAL, known_editor_only_nodes


def set_get_workflow(getter_name: str = "latent") -> Ui:
    """KSampler -> SetNode "latent" ... GetNode -> rgthree Reroute -> VAEDecode -> SaveImage, with
    rgthree's group muter and an mtb note lying around."""
    ui = Ui()
    sampler_chain(ui)
    ui.node(40, "SetNode", ["latent"])
    ui.link(3, 0, 40, "LATENT", "LATENT")
    ui.node(41, "GetNode", [getter_name])
    ui.node(42, "Reroute (rgthree)")
    ui.link(41, 0, 42, "", "*")
    decode_and_save(ui, 42, decoder=43)
    ui.node(45, "Fast Groups Muter (rgthree)", [])
    ui.node(46, "Note Plus (mtb)", ["remember"])
    return ui


def decode_and_save(ui: Ui, latent_from: int, decoder: int) -> None:
    """latent_from -> VAEDecode #decoder (the VAE of checkpoint #4) -> SaveImage #decoder+1."""
    ui.node(decoder, "VAEDecode")
    ui.link(latent_from, 0, decoder, "samples", "LATENT")
    ui.link(4, 2, decoder, "vae", "VAE")
    ui.node(decoder + 1, "SaveImage", ["fox"])
    ui.link(decoder, 0, decoder + 1, "images", "IMAGE")


def test_the_table_holds_only_types_no_server_has_with_their_provenance():
    table = known_editor_only_nodes()
    assert {"SetNode", "GetNode", "Reroute (rgthree)", "Fast Groups Muter (rgthree)",
            "PresetText"} <= set(table)  # (pysssss's name for PresetText|pysssss until June 2023)
    core = Catalog.stock()
    for entry in table.values():
        assert entry.type not in core and entry.kind in (VIRTUAL, GET_BY_NAME)
        assert entry.pack and entry.repository.startswith("https://github.com/")
    assert table["GetNode"].kind == GET_BY_NAME


def test_set_get_and_rgthree_nodes_are_resolved_like_the_frontend_and_not_sent():
    result = to_api(set_get_workflow().doc())
    assert result.grade == EXACT, result.reasons
    assert result.prompt["43"]["inputs"] == {"samples": ["3", 0], "vae": ["4", 2]}
    assert set(result.prompt) == {"3", "4", "5", "6", "43", "44"}


def test_a_ui_file_with_editor_only_nodes_lints_clean():
    assert lint(set_get_workflow().doc()) == []


def test_a_get_node_whose_name_no_set_node_sets_passes_nothing():
    result = to_api(set_get_workflow("nope").doc())
    assert "samples" not in result.prompt["43"]["inputs"]
    [diag] = [d for d in lint(set_get_workflow("nope").doc()) if d.code == "T301"]
    assert "GetNode reads 'nope', which no SetNode sets" in diag.message


def test_a_get_node_inside_a_subgraph_reads_the_set_node_outside():
    ui = set_get_workflow()
    definition = {"id": "bbbbbbbb-0000-4000-8000-000000000002", "name": "Decode", "version": 1,
                  "nodes": [], "links": [], "inputs": [],
                  "outputs": [{"id": "o1", "name": "IMAGE", "type": "IMAGE"}]}
    ui.subgraphs.append(definition)
    definition["nodes"] += [
        {"id": 1, "type": "GetNode", "mode": 0, "inputs": [], "outputs": [], "widgets_values": ["latent"]},
        {"id": 2, "type": "VAEDecode", "mode": 0, "inputs": [], "outputs": []}]
    ui.link(1, 0, 2, "samples", "LATENT", graph=definition)
    ui.link(2, 0, -20, 0, "IMAGE", graph=definition)
    ui.node(50, definition["id"])
    ui.node(51, "PreviewImage")
    ui.link(50, 0, 51, "images", "IMAGE")
    prompt = to_api(ui.doc()).prompt
    assert prompt["50:2"]["inputs"]["samples"] == ["3", 0]


def test_a_value_provider_without_an_input_grades_the_export_heuristic():
    ui = Ui()
    ui.node(1, "PresetText|pysssss", ["portrait"])
    ui.node(2, "CLIPTextEncode", ["stored text"])
    ui.link(1, 0, 2, "text", "STRING")
    result = to_api(ui.doc())
    assert result.prompt["2"]["inputs"]["text"] == "stored text"
    assert result.grade == HEURISTIC and "sets the target's value when queueing" in result.reasons[0]


def test_an_undeclared_browser_only_node_refuses_until_declared():
    ui = Ui()
    sampler_chain(ui)
    ui.node(60, "My Teleporter")
    ui.link(3, 0, 60, "", "*")
    ui.node(61, "VAEDecode")
    ui.link(60, 0, 61, "samples", "LATENT")
    assert to_api(ui.doc()).grade == "refused"
    declared = to_api(ui.doc(), editor_only=["My *"])
    assert declared.grade == EXACT and declared.prompt["61"]["inputs"]["samples"] == ["3", 0]


def test_the_config_declares_more_editor_only_nodes(tmp_path):
    ui = set_get_workflow()
    ui.nodes[-1]["type"] = "My Teleporter"  # instead of the mtb note
    write(tmp_path / "wf.json", ui.doc())
    done = comfylint("check", "wf.json", "--output-format", "json", cwd=tmp_path)
    assert [d["code"] for d in json.loads(done.stdout)["diagnostics"]] == ["N201"]
    (tmp_path / "comfylint.toml").write_text('editor-only-nodes = ["My *"]\n', encoding="utf-8")
    done = comfylint("check", "wf.json", "--output-format", "json", cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["diagnostics"] == []


def test_convert_does_not_refuse_editor_only_nodes(tmp_path):
    write(tmp_path / "ui.json", set_get_workflow().doc())
    done = comfylint("convert", "ui.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["43"]["inputs"]["samples"] == ["3", 0]


@pytest.mark.parametrize("catalog", [None, Catalog.stock().definitions()])
def test_an_editor_only_node_in_an_api_prompt_is_not_called_missing_from_the_server(catalog):
    workflow = {"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8,
                                                            "batch_size": 1, "color": 0}},
                "2": {"class_type": "Reroute (rgthree)", "inputs": {"": ["1", 0]}},
                "3": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}
    server = Catalog.from_object_info(catalog) if catalog is not None else None
    [diag] = lint(workflow, server)
    assert diag.code == "N201" and diag.severity.label == "error"
    assert "editor-only node (rgthree-comfy)" in diag.message and "not installed" not in diag.message
    assert "Export (API)" in diag.help


def test_inputs_use_everywhere_may_link_when_queued_are_not_called_unconnected():
    # "Anything Everywhere" is a server node; its extension links what feeds it to matching
    # unconnected inputs when the prompt is queued, which a file does not hold.
    ui = Ui()
    ui.node(4, "CheckpointLoaderSimple", ["m.safetensors"])
    ui.node(10, "Anything Everywhere")
    ui.link(4, 0, 10, "anything", "MODEL")
    ui.node(5, "EmptyLatentImage", [512, 512, 1])
    ui.node(3, "KSampler", [7, "fixed", 20, 8.0, "euler", "normal", 1.0])
    ui.link(5, 0, 3, "latent_image", "LATENT")
    decode_and_save(ui, 3, decoder=8)
    result = to_api(ui.doc())
    assert result.queue_time_linkers == ["#10 Anything Everywhere"]
    assert any("add links when the prompt is queued" in r for r in result.reasons)
    missing = [d for d in lint(ui.doc()) if d.code == "T301"]
    assert {d.input for d in missing} == {"model", "positive", "negative"}
    assert all(d.severity.label == "warning" and "#10 Anything Everywhere may link it" in d.message
               for d in missing)
    ui.nodes[1]["mode"] = 2  # muted: it links nothing
    assert {d.severity.label for d in lint(ui.doc()) if d.code == "T301"} == {"error"}


def use_everywhere_v7_workflow() -> tuple[Ui, dict]:
    """A sampler whose model, positive and negative inputs Use Everywhere 7 fills, saved with its
    record (`extra.ue_links`) and with the ids of the links it had added while saving, which the
    inputs still name (`extra.links_added_by_ue`; one of them is even left in the table)."""
    ui = Ui()
    ui.node(4, "CheckpointLoaderSimple", ["m.safetensors"])
    ui.node(6, "CLIPTextEncode", ["a fox"])
    ui.link(4, 1, 6, "clip", "CLIP")
    ui.node(10, "Anything Everywhere")
    ui.link(4, 0, 10, "anything", "MODEL")
    ui.node(5, "EmptyLatentImage", [512, 512, 1])
    sampler = ui.node(3, "KSampler", [7, "fixed", 20, 8.0, "euler", "normal", 1.0])
    for name, kind, link_id in (("model", "MODEL", 50), ("positive", "CONDITIONING", 51),
                                ("negative", "CONDITIONING", 52)):
        sampler["inputs"].append({"name": name, "type": kind, "link": link_id})
    ui.link(5, 0, 3, "latent_image", "LATENT")
    decode_and_save(ui, 3, decoder=8)
    ui.links.append([50, 4, 0, 3, 0, "MODEL"])  # saved while the extension had it in the graph
    doc = ui.doc()
    doc["extra"] = {
        "links_added_by_ue": [50, 51, 52],
        "ue_links": [{"downstream": 3, "downstream_slot": 0, "upstream": "4", "upstream_slot": 0,
                      "controller": 10, "type": "MODEL"},
                     {"downstream": 3, "downstream_slot": 1, "upstream": "6", "upstream_slot": 0,
                      "controller": 6, "type": "CONDITIONING"},
                     {"downstream": 3, "downstream_slot": 2, "upstream": "6", "upstream_slot": 0,
                      "controller": 6, "type": "CONDITIONING"},
                     {"downstream": 99, "downstream_slot": 0, "upstream": "4", "upstream_slot": 0},
                     {"downstream": 3, "downstream_slot": "x", "upstream": "4"}, "damaged"]}
    return ui, doc


def server_with_use_everywhere() -> Catalog:
    """Stock nodes and the pack's node, as its server registers it (one wildcard input)."""
    node = {"input": {"required": {}, "optional": {"anything": ["*", {}]}}, "output": [],
            "output_is_list": [], "output_name": [], "name": "Anything Everywhere",
            "display_name": "Anything Everywhere", "category": "everywhere", "output_node": False}
    return Catalog.from_object_info(Catalog.stock().definitions() | {"Anything Everywhere": node})


def test_links_use_everywhere_recorded_are_replayed_and_its_own_link_ids_are_not_damage():
    ui, doc = use_everywhere_v7_workflow()
    server = server_with_use_everywhere()
    result = to_api(doc, server)
    sampler = result.prompt["3"]["inputs"]
    assert (sampler["model"], sampler["positive"], sampler["negative"]) == (
        ["4", 0], ["6", 0], ["6", 0])
    assert result.grade == HEURISTIC and any("replays the links recorded" in r
                                             for r in result.reasons)
    [inexact] = lint(doc, server)  # (not G108, T301, nor G107 on the never-run #10)
    assert inexact.code == "U005" and "replays the links recorded" in inexact.message
    # Without the record, the same file is a damaged link table with unconnected inputs.
    del doc["extra"]
    found = {d.code for d in lint(doc, server)}
    assert {"G108", "T301"} <= found
    # A record only fills inputs the file leaves unconnected: a real link wins.
    ui, doc = use_everywhere_v7_workflow()
    doc["extra"]["ue_links"][3] = {"downstream": 3, "downstream_slot": 3, "upstream": "4",
                                   "upstream_slot": 0}  # latent_image is linked to #5
    assert to_api(doc, server).prompt["3"]["inputs"]["latent_image"] == ["5", 0]
