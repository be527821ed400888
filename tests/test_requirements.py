"""The per-workflow summary: the custom-node packs, models and input files the server must have,
each once with how many nodes use it and whether the server lacks it (JSON files[].requirements,
and grouped lines in the human output), cached like the findings."""
from __future__ import annotations

import json
from pathlib import Path

from ci_support import comfylint, variant, write
from comfylint.resources import validator

SMALL = json.loads((Path(__file__).parent / "fixtures" / "object_info.small.json").read_text())


def server_object_info() -> dict:
    """The small catalog plus one custom node of a pack, as a server lists it."""
    info = json.loads(json.dumps(SMALL))
    info["FixtureUpscaler"] = dict(info["ImageInvert"], name="FixtureUpscaler",
                                   python_module="custom_nodes.comfyui-fixture-pack.nodes")
    return info


def workflow() -> dict:
    """Two loaders of one missing model, a pack's node, three nodes of two unknown types (one
    saying its registry pack), an input image twice and one the server has."""
    wf = variant(**{"4": {"ckpt_name": "missing.safetensors"}})
    wf["14"] = {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "missing.safetensors"}}
    wf["20"] = {"class_type": "LoadImage", "inputs": {"image": "nope.png"}}
    wf["21"] = {"class_type": "LoadImage", "inputs": {"image": "nope.png"}}
    wf["22"] = {"class_type": "LoadImage", "inputs": {"image": "cat.png"}}
    wf["23"] = {"class_type": "FixtureUpscaler", "inputs": {"image": ["20", 0]}}
    for node_id in ("30", "31"):
        wf[node_id] = {"class_type": "ColorMatch", "inputs": {"image": ["22", 0]},
                       "_meta": {"title": "c", "cnr_id": "comfyui-kjnodes"}}
    wf["32"] = {"class_type": "MysteryNode", "inputs": {}}
    for source in ("21", "23", "30", "31"):
        wf[f"4{source}"] = {"class_type": "PreviewImage", "inputs": {"images": [source, 0]}}
    return wf


def report(tmp_path, *args: str) -> tuple[dict, str]:
    write(tmp_path / "object_info.json", server_object_info())
    write(tmp_path / "wf.json", workflow())
    base = ["check", "wf.json", "--object-info", "object_info.json", *args]
    as_json = json.loads(comfylint(*base, "--output-format", "json", cwd=tmp_path).stdout)
    validator("output.schema.json").validate(as_json)
    return as_json, comfylint(*base, "--no-cache", cwd=tmp_path).stdout


def test_each_requirement_once_with_its_nodes_and_whether_the_server_lacks_it(tmp_path):
    as_json, _human = report(tmp_path)
    [entry] = as_json["files"]
    needs = entry["requirements"]
    assert needs["custom_nodes"] == [
        {"pack": None, "source": None, "node_types": [{"class_type": "MysteryNode", "nodes": 1}],
         "nodes": 1, "missing": True},
        {"pack": "comfyui-fixture-pack", "source": "server",
         "node_types": [{"class_type": "FixtureUpscaler", "nodes": 1}], "nodes": 1,
         "missing": False},
        {"pack": "comfyui-kjnodes", "source": "workflow",
         "node_types": [{"class_type": "ColorMatch", "nodes": 2}], "nodes": 2, "missing": True}]
    assert needs["models"] == [{"folder": "checkpoints", "name": "missing.safetensors", "nodes": 2,
                                "missing": True}]
    assert needs["input_files"] == [
        {"area": "input", "name": "cat.png", "nodes": 1, "missing": False},
        {"area": "input", "name": "nope.png", "nodes": 2, "missing": True}]
    # The findings stay per node; the summary groups them.
    codes = [d["code"] for d in as_json["diagnostics"]]
    assert codes.count("N201") == 3 and codes.count("M401") == 2


def test_the_human_output_groups_what_is_missing_once(tmp_path):
    _json, human = report(tmp_path)
    block = human.split("wf.json: the server must have\n", 1)[1].split("\n\n", 1)[0]
    assert block.splitlines() == [
        "  custom nodes  unknown pack (MysteryNode) missing; comfyui-kjnodes (ColorMatch ×2) missing",
        "  models        checkpoints/missing.safetensors ×2 missing",
        "  input files   nope.png ×2 missing"]


def test_what_the_request_brings_or_the_config_allows_is_not_missing(tmp_path):
    body = {"workflow_id": "w", "prompt": workflow(), "files": {
        "/models/checkpoints/missing.safetensors": "https://example.com/m",
        "/input/nope.png": "https://example.com/n"}}
    write(tmp_path / "object_info.json", server_object_info())
    write(tmp_path / "req.json", body)
    (tmp_path / "comfylint.toml").write_text('allow-unknown-nodes = ["Mystery*"]\n', encoding="utf-8")
    done = comfylint("check", "req.json", "--object-info", "object_info.json", "--output-format",
                     "json", cwd=tmp_path)
    needs = json.loads(done.stdout)["files"][0]["requirements"]
    assert [m["missing"] for m in needs["models"]] == [False]
    assert {f["name"]: f["missing"] for f in needs["input_files"]} == {"cat.png": False,
                                                                        "nope.png": False}
    assert {p["pack"]: p["missing"] for p in needs["custom_nodes"]}[None] is False


def test_with_the_bundled_catalog_nothing_is_called_missing(tmp_path):
    write(tmp_path / "wf.json", workflow())
    done = comfylint("check", "wf.json", "--output-format", "json", cwd=tmp_path)
    needs = json.loads(done.stdout)["files"][0]["requirements"]
    assert {p["missing"] for p in needs["custom_nodes"]} == {None}
    assert all(m["missing"] is None for m in needs["models"])


def test_a_file_that_is_not_a_workflow_has_none(tmp_path):
    (tmp_path / "notes.json").write_text('{"rows": [1]}', encoding="utf-8")
    done = comfylint("check", "notes.json", "--output-format", "json", cwd=tmp_path)
    assert json.loads(done.stdout)["files"][0]["requirements"] is None
