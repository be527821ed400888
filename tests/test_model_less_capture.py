"""A catalog captured on a server with no models says so once per run and judges no file presence.

Stock captures made for CI (the v0.26.0 one comfylint bundles was one) list no models: every
loader's list is empty or holds only built-in choices (VAELoader's pixel_space, Load3D's none).
Judging model names against them reports every loader of every workflow (1,700 findings on the
official templates); the capture says nothing about the server that will run them.
"""
from __future__ import annotations

import json

from ci_support import comfylint as run_cli
from ci_support import write

import comfylint
from comfylint import Catalog
from comfylint.catalog.sources import CatalogSources, build_catalog

STOCK = Catalog.stock("0.26.0")
WORKFLOW = {
    "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "dreamshaper_8.safetensors"}},
    "2": {"class_type": "VAELoader", "inputs": {"vae_name": "vae-ft-mse.safetensors"}},
    "3": {"class_type": "LoadImage", "inputs": {"image": "cat.png"}},
    "4": {"class_type": "PreviewImage", "inputs": {"images": ["3", 0]}},
    "5": {"class_type": "VAEDecode", "inputs": {"samples": ["6", 0], "vae": ["2", 0]}},
    "6": {"class_type": "VAEEncode", "inputs": {"pixels": ["3", 0], "vae": ["1", 2]}},
    "7": {"class_type": "PreviewImage", "inputs": {"images": ["5", 0]}},
}


def model_less_info() -> dict:
    """A stock server's /object_info without models: the bundled v0.26.0 definitions as served."""
    info = STOCK.definitions()
    assert info["VAELoader"]["input"]["required"]["vae_name"][0] == ["pixel_space"]
    return info


def codes(found) -> list[str]:
    return sorted(d.code for d in found)


def test_a_capture_without_models_judges_no_model_or_input_file():
    catalog = Catalog.from_object_info(model_less_info(), name="stock.json", comfyui_version="0.26.0")
    assert catalog.captured_without_models and catalog.file_presence_unknown
    assert codes(comfylint.lint(WORKFLOW, catalog)) == []  # no M401 x2, no M402
    [note] = catalog.notes()
    assert note.startswith("stock.json was captured on a server with no models installed")


def test_one_model_in_any_list_makes_it_a_server_with_models():
    info = model_less_info()
    info["LoraLoader"]["input"]["required"]["lora_name"][0] = ["detail.safetensors"]
    catalog = Catalog.from_object_info(info, comfyui_version="0.26.0")
    assert not catalog.captured_without_models and catalog.notes() == []
    assert codes(comfylint.lint(WORKFLOW, catalog)) == ["M401", "M401", "M402"]


def test_naming_the_servers_files_asks_for_them_to_be_judged(tmp_path):
    (tmp_path / "object_info.json").write_text(json.dumps(model_less_info()))
    (tmp_path / "models" / "checkpoints").mkdir(parents=True)
    (tmp_path / "models" / "checkpoints" / "dreamshaper_8.safetensors").write_bytes(b"")
    catalog = build_catalog(CatalogSources(object_info=str(tmp_path / "object_info.json"),
                                           models_dir=str(tmp_path / "models"), cache=False))
    assert catalog.files_given and catalog.notes() == []
    found = [d for d in comfylint.lint(WORKFLOW, catalog) if d.code == "M401"]
    assert [(d.node_id, d.input) for d in found] == [("2", "vae_name")]  # the checkpoint is there


def test_the_command_line_says_it_once_per_run(tmp_path):
    write(tmp_path / "object_info.json", model_less_info())
    for name in ("a", "b", "c"):
        write(tmp_path / "wf" / f"{name}.json", WORKFLOW)
    done = run_cli("check", "wf", "--object-info", "object_info.json", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0 and "M40" not in done.stdout, done.stdout
    assert done.stderr.count("captured on a server with no models installed") == 1
    bundled = run_cli("check", "wf", "--no-cache", cwd=tmp_path)  # never judges models: no note
    assert bundled.returncode == 0 and "note:" not in bundled.stderr


def test_loaders_the_bundled_releases_do_not_name_a_folder_for_are_never_a_models_folder():
    info = model_less_info()
    info["LoraLoader"]["input"]["required"]["lora_name"][0] = ["detail.safetensors"]
    catalog = Catalog.from_object_info(info, comfyui_version="0.26.0")
    workflow = {"1": {"class_type": "LatentUpscaleModelLoader", "inputs": {"model_name": "x.pt"}},
                "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    [diag] = [d for d in comfylint.lint(workflow, catalog) if d.code == "M401"]
    assert "the files the server lists for LatentUpscaleModelLoader 'model_name'" in diag.message
    assert "models/" not in diag.message + (diag.help or "")
