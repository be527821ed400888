"""Model manifests (local ComfyUI dir, extra_model_paths.yaml, models dir, manifest file) and
M401/M402/M403 explaining why a file is missing."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from comfylint import Catalog, lint
from comfylint.catalog.manifest import Manifest, ManifestError, read_extra_model_paths
from comfylint.catalog.sources import CatalogSources, SourceError, build_catalog
from comfylint.cli import cli


def touch(root, *relative):
    for rel in relative:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


@pytest.fixture
def comfyui(tmp_path):
    root = tmp_path / "ComfyUI"
    touch(root, "models/checkpoints/SDXL/juggernaut_xl.safetensors",
          "models/checkpoints/Realistic_Vision.safetensors", "models/checkpoints/notes.txt",
          "models/unet/flux1-dev.safetensors", "models/vae/vae-ft-mse.safetensors",
          "models/loras/.hidden.safetensors", "input/cat.png", "input/masks/m1.png",
          "output/ComfyUI_00001_.png")
    return root


def catalog_for(root) -> Catalog:
    return build_catalog(CatalogSources(comfyui_dir=str(root)))


def one(workflow, catalog, code):
    found = [d for d in lint(workflow, catalog) if d.code == code]
    assert len(found) == 1, [(d.code, d.message) for d in lint(workflow, catalog)]
    return found[0]


def loader(ckpt, class_type="CheckpointLoaderSimple", name="ckpt_name"):
    return {"1": {"class_type": class_type, "inputs": {name: ckpt}},
            "2": {"class_type": "PreviewImage", "inputs": {"images": ["3", 0]}},
            "3": {"class_type": "LoadImage", "inputs": {"image": "cat.png"}}}


def test_comfyui_dir_is_listed_like_the_server_lists_it(comfyui):
    manifest = Manifest.from_comfyui_dir(comfyui)
    assert manifest.models["checkpoints"] == ["Realistic_Vision.safetensors",
                                              os.path.join("SDXL", "juggernaut_xl.safetensors")]
    assert manifest.models["diffusion_models"] == ["flux1-dev.safetensors"]  # models/unet too
    assert manifest.models["loras"] == []  # hidden files are skipped; empty is known
    assert manifest.input_files == ["cat.png", os.path.join("masks", "m1.png")]


def test_extra_model_paths_yaml(tmp_path, comfyui):
    shared = tmp_path / "shared"
    touch(shared, "sd/loras/style.safetensors", "sd/unet/wan.gguf", "sd/ckpt/a1111.ckpt")
    (comfyui / "extra_model_paths.yaml").write_text(
        "# written by hand\n"
        "a111:\n"
        f"    base_path: {shared}/sd  # comment\n"
        "    is_default: true\n"
        "    checkpoints: |\n"
        "        ckpt\n"
        "        missing_dir\n"
        "    loras: loras\n"
        "    unet: unet\n"
        "other:\n"
        "    base_path: ../shared/sd\n"
        "    vae: vae\n", encoding="utf-8")
    folders = read_extra_model_paths(comfyui / "extra_model_paths.yaml")
    assert folders["checkpoints"]["default"][0] == str(shared / "sd" / "ckpt")
    assert folders["vae"]["extra"] == [os.path.normpath(str(tmp_path / "shared" / "sd" / "vae"))]
    manifest = Manifest.from_comfyui_dir(comfyui)
    assert manifest.models["loras"] == ["style.safetensors"]
    assert manifest.models["diffusion_models"] == ["flux1-dev.safetensors", "wan.gguf"]
    assert "a1111.ckpt" in manifest.models["checkpoints"]


def test_extra_model_paths_yaml_is_read_as_yaml(tmp_path):
    """Quoted values keep '#' and single backslashes; an escaped newline makes two folders."""
    config = tmp_path / "extra_model_paths.yaml"
    config.write_text('hashed:\n  base_path: "/data/models #2"\n  loras: loras  # comment\n'
                      'windows:\n  base_path: "C:\\\\models"\n  vae: vae\n'
                      'lines:\n  base_path: /srv\n  checkpoints: "a\\nb"\n', encoding="utf-8")
    folders = read_extra_model_paths(config)
    assert folders["loras"]["extra"] == [os.path.normpath("/data/models #2/loras")]
    assert "C:\\models" in folders["vae"]["extra"][0]  # one backslash (relative on Linux)
    assert "C:\\\\models" not in folders["vae"]["extra"][0]
    assert folders["checkpoints"]["extra"] == ["/srv/a", "/srv/b"]


@pytest.mark.parametrize("text,message", [
    ("a:\n  loras:\n    deeper: x\n", "a.loras is a mapping"),  # a third level
    ("a:\n  loras: [x, y]\n", "a.loras is a list"),
    ("a: just text\n", "section 'a' is text"),
    ("", "found empty"),
    ("a:\n  b: [unclosed\n", "not valid YAML"),
])
def test_extra_model_paths_yaml_that_comfyui_cannot_start_with(tmp_path, text, message):
    config = tmp_path / "extra_model_paths.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError, match=message):
        read_extra_model_paths(config)


def test_models_dir_and_manifest_file(tmp_path, write_json):
    touch(tmp_path / "models", "checkpoints/a.safetensors", "clip/t5.safetensors")
    manifest = Manifest.from_models_dir(tmp_path / "models")
    assert manifest.models["checkpoints"] == ["a.safetensors"]
    assert manifest.models["text_encoders"] == ["t5.safetensors"]
    good = write_json("m.json", {"models": {"checkpoints": ["x.safetensors"], "unet": ["u.gguf"]},
                                 "input_files": ["a.png"]})
    loaded = Manifest.from_file(good)
    assert loaded.folder("diffusion_models") == ["u.gguf"] and loaded.output_files is None
    bad = write_json("bad.json", {"models": {"checkpoints": "x.safetensors"}})
    with pytest.raises(ManifestError, match="at models/checkpoints"):
        Manifest.from_file(bad)


def test_source_conflicts_and_bad_paths_are_usage_errors(tmp_path, write_json):
    with pytest.raises(SourceError, match="give one"):
        build_catalog(CatalogSources(snapshot="a", server="http://x"))
    with pytest.raises(SourceError, match="not a directory"):
        build_catalog(CatalogSources(comfyui_dir=str(tmp_path / "nope")))
    wf = write_json("wf.json", loader("a.safetensors"))
    result = CliRunner().invoke(cli, ["check", "--manifest", str(tmp_path / "nope.json"), str(wf)])
    assert result.exit_code == 2 and "cannot read manifest" in result.output


def test_the_bundled_catalog_is_not_changed_by_a_manifest(comfyui):
    catalog_for(comfyui)
    assert Catalog.stock().manifest is None


@pytest.mark.parametrize("value,expected,safe", [
    ("SDXL\\juggernaut_xl.safetensors", "Windows '\\' separators", True),
    ("juggernaut_xl.safetensors", "in a subfolder", True),
    ("realistic_vision.safetensors", "only the letter case differs", True),
    ("Realistic_Vison.safetensors", "closest installed: 'Realistic_Vision.safetensors'", False),
])
def test_m401_explains_why_and_fixes_when_one_file_matches(comfyui, value, expected, safe):
    found = one(loader(value), catalog_for(comfyui), "M401")
    assert expected in found.message
    assert found.fix.safe is safe


def test_m401_file_in_another_folder(comfyui):
    found = one(loader("flux1-dev.safetensors"), catalog_for(comfyui), "M401")
    assert "installed in diffusion_models as 'flux1-dev.safetensors' (loaded by UNETLoader" in found.message
    assert found.fix is None


def test_m401_empty_folder_is_not_mounted(comfyui):
    workflow = loader("detail.safetensors", "LoraLoaderModelOnly", "lora_name")
    workflow["1"]["inputs"].update({"model": ["4", 0], "strength_model": 1.0})
    workflow["4"] = {"class_type": "CheckpointLoaderSimple",
                     "inputs": {"ckpt_name": "Realistic_Vision.safetensors"}}
    found = one(workflow, catalog_for(comfyui), "M401")
    assert "'not in []'" in found.message and "extra_model_paths.yaml" in found.message
    assert str(comfyui / "models" / "loras") in found.message


def test_m401_bundled_catalog_judges_no_model_and_vae_extras_pass(comfyui):
    assert not [d for d in lint(loader("anything.safetensors")) if d.code == "M401"]
    ok = loader("pixel_space", "VAELoader", "vae_name")
    assert not [d for d in lint(ok, catalog_for(comfyui)) if d.code == "M401"]


def test_m402_input_files(comfyui):
    catalog = catalog_for(comfyui)
    workflow = loader("Realistic_Vision.safetensors")
    for value in ("cat.png", "cat.png [input]", "masks/m1.png", "ComfyUI_00001_.png [output]"):
        workflow["3"]["inputs"]["image"] = value
        assert not [d for d in lint(workflow, catalog) if d.code == "M402"], value
    workflow["3"]["inputs"]["image"] = "Cat.png"
    found = one(workflow, catalog, "M402")
    assert "only the letter case differs" in found.message and found.fix.safe
    assert found.server_error_type == "custom_validation_failed"
    workflow["3"]["inputs"]["image"] = "dog.png"
    assert one(workflow, catalog, "M402").fix is None


def test_m402_envelope_files_count_as_present(comfyui):
    envelope = {"input": {"workflow": loader("Realistic_Vision.safetensors"),
                          "images": [{"name": "upload.png", "image": "data:image/png;base64,AAAA"}]}}
    envelope["input"]["workflow"]["3"]["inputs"]["image"] = "upload.png"
    assert not [d for d in lint(envelope, catalog_for(comfyui)) if d.code == "M402"]


def test_m403_non_portable_paths_even_when_they_resolve(tmp_path, write_json):
    manifest = write_json("m.json", {"models": {"checkpoints": ["SDXL\\a.safetensors"]}})
    catalog = build_catalog(CatalogSources(manifest=str(manifest)))
    found = one(loader("SDXL\\a.safetensors"), catalog, "M403")
    assert "Windows" in found.message and not found.fix.safe
    assert not [d for d in lint(loader("SDXL\\a.safetensors"), catalog) if d.code == "M401"]
    absolute = one(loader("/home/bob/models/a.safetensors"), Catalog.stock(), "M403")
    assert "absolute path" in absolute.message


def test_check_with_comfyui_dir_end_to_end(comfyui, write_json):
    wf = write_json("wf.json", loader("juggernaut_xl.safetensors"))
    result = CliRunner().invoke(cli, ["check", "--comfyui-dir", str(comfyui), "--no-cache",
                                      "--output-format", "json", str(wf)])
    report = json.loads(result.output)
    [diag] = [d for d in report["diagnostics"] if d["code"] == "M401"]
    assert diag["fix"]["edits"][0]["value"] == os.path.join("SDXL", "juggernaut_xl.safetensors")
