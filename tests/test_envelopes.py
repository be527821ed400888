"""Request envelopes deliver what they carry: models and images sent with the request count as
present (and as candidates when a name is misspelt); a graph under a key no envelope uses is
found, linted and named as an error, never passed as "not a workflow"."""
from __future__ import annotations

import json
from pathlib import Path

from ci_support import comfylint, variant, write

SMALL_OBJECT_INFO = str(Path(__file__).parent / "fixtures" / "object_info.small.json")
INSTALLED = {"4": {"ckpt_name": "dreamshaper_8.safetensors"}}  # a checkpoint that catalog lists


def with_loader(image: str, **changes) -> dict:
    """TXT2IMG plus a LoadImage whose picture is previewed (so the server validates it)."""
    workflow = variant(**changes)
    workflow["10"] = {"class_type": "LoadImage", "inputs": {"image": image}}
    workflow["11"] = {"class_type": "PreviewImage", "inputs": {"images": ["10", 0]}}
    return workflow


def codes(done) -> list[tuple[str, str | None]]:
    return sorted((d["code"], d["pointer"]) for d in json.loads(done.stdout)["diagnostics"])


def check(tmp_path, name: str, body: dict, *args: str):
    write(tmp_path / name, body)
    return comfylint("check", name, "--output-format", "json", "--object-info", SMALL_OBJECT_INFO,
                     *args, cwd=tmp_path)


def test_comfyicu_files_bring_their_models_and_images(tmp_path):
    workflow = with_loader("upload.png", **{"4": {"ckpt_name": "mine.safetensors"}})
    bare = check(tmp_path, "bare.json", workflow)
    assert [c for c, _ in codes(bare)] == ["M401", "M402"]
    body = {"workflow_id": "wf", "prompt": workflow, "files": {
        "/models/checkpoints/mine.safetensors": "https://example.com/mine.safetensors",
        "/input/upload.png": "https://example.com/upload.png"}}
    done = check(tmp_path, "icu.json", body)
    assert done.returncode == 0 and codes(done) == [], done.stdout


def test_runpod_images_are_suggested_for_a_misspelt_input(tmp_path):
    body = {"input": {"workflow": with_loader("dgo.png"),
                      "images": [{"name": "dog.png", "image": "data:image/png;base64,AAAA"}]}}
    done = check(tmp_path, "runpod.json", body, "--select", "M402")
    [finding] = json.loads(done.stdout)["diagnostics"]
    assert "'dog.png'" in finding["message"]
    assert finding["fix"]["edits"] == [{"pointer": "/input/workflow/10/inputs/image",
                                        "value": "dog.png", "remove": False}]


def test_a_runpod_workflow_under_another_key_is_found_and_an_error(tmp_path):
    body = {"input": {"prompt": variant(**{"3": {"steps": 0}}),
                      "images": [{"name": "a.png", "image": "data:image/png;base64,AAAA"}]}}
    done = check(tmp_path, "runpod.json", body)
    assert done.returncode == 1
    found = codes(done)
    assert ("F005", "/input/prompt") in found  # named, with where it must go
    assert ("T304", "/input/prompt/3/inputs/steps") in found  # and linted
    [f005] = [d for d in json.loads(done.stdout)["diagnostics"] if d["code"] == "F005"]
    assert f005["severity"] == "error" and "input.workflow" in f005["message"]


def test_ai_docks_runpod_body_carries_its_graph_in_workflow_json(tmp_path):
    """ai-dock's comfyui api-wrapper reads `input.workflow_json` (with its own handler, s3 and
    webhook fields): a request in that shape is delivered, and its graph linted in place."""
    body = {"input": {"handler": "RawWorkflow", "modifiers": {}, "s3": {"bucket_name": "b"},
                      "webhook": {"webhook_url": "https://example.com/hook"},
                      "workflow_json": variant(**{"3": {"steps": 0}, **INSTALLED})}}
    done = check(tmp_path, "payload.json", body)
    assert codes(done) == [("T304", "/input/workflow_json/3/inputs/steps")], done.stdout
    assert json.loads(done.stdout)["files"][0]["envelope"] == "runpod"
    write(tmp_path / "payload.json", {"input": {"workflow_json": variant(**INSTALLED)}})
    done = comfylint("check", "payload.json", "--output-format", "json", "--object-info",
                     SMALL_OBJECT_INFO, "--envelope", "runpod", cwd=tmp_path)
    assert done.returncode == 0 and codes(done) == [], done.stdout


def test_a_graph_nested_under_unknown_keys_is_found(tmp_path):
    graph = variant(**INSTALLED)
    done = check(tmp_path, "wrapped.json", {"data": {"jobs": [{"graph": graph}]}})
    assert done.returncode == 1
    assert codes(done) == [("F005", "/data/jobs/0/graph")]


def test_walked_data_files_without_a_graph_stay_silent(tmp_path):
    write(tmp_path / "settings.json", {"theme": {"colors": [{"name": "x"}]}, "rows": [[1, 2]]})
    # A tokenizer's vocabulary maps words to ids, "prompt" and "files" among them: no envelope.
    write(tmp_path / "vocab.json", {"!": 0, "files": 7198, "prompt": 12011, "number": 4082})
    write(tmp_path / "preset.json", {"prompt": ["a cat", "a dog"], "steps": 20})
    write(tmp_path / "wf.json", variant())
    done = comfylint("check", ".", "--output-format", "json", cwd=tmp_path)
    assert done.returncode == 0 and codes(done) == []
