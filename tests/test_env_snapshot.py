"""Snapshots: capture from the loopback server, the file format, loading back, and `snapshot diff`."""
from __future__ import annotations

import json

from click.testing import CliRunner

from comfylint import lint
from comfylint.catalog.snapshot import catalog_from_snapshot, diff_snapshots, read_snapshot
from comfylint.cli import cli
from comfylint.resources import validator
from loopback import serve
from test_probe_cli import VALID, workflow


def capture(tmp_path, name="comfyui.snapshot.json"):
    target = tmp_path / name
    with serve() as server:
        result = CliRunner().invoke(cli, ["snapshot", "--server", server.url, "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_snapshot_is_sorted_compact_and_valid(tmp_path):
    path = capture(tmp_path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert not list(validator("snapshot.schema.json").iter_errors(data))
    assert data["comfyui_version"] == "0.3.64" and data["captured_at"].endswith("Z")
    assert data["custom_node_modules"] == ["custom_nodes.comfyui-fixture-pack"]
    assert data["models"]["checkpoints"] == ["SDXL/juggernaut_xl.safetensors",
                                            "v1-5-pruned-emaonly.safetensors"]
    assert data["input_files"] == ["cat.png", "example.png"] and data["embeddings"] == ["easynegative"]
    # free text is gone; file combos are references to the lists above
    assert "tooltip" not in text and "description" not in text
    assert data["nodes"]["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"] == \
        [[], {"$files": "checkpoints"}]
    assert data["nodes"]["VAELoader"]["input"]["required"]["vae_name"] == \
        [["pixel_space"], {"$files": "vae"}]
    # one node per line, in name order: diffs stay small
    node_lines = [line for line in text.splitlines() if line.startswith('  "') and '{"' in line]
    assert len(node_lines) == len(data["nodes"])
    assert node_lines == sorted(node_lines)


def test_a_loaded_snapshot_judges_like_the_server(tmp_path):
    catalog = catalog_from_snapshot(read_snapshot(capture(tmp_path)), source="snap")
    assert catalog.get("CheckpointLoaderSimple").inputs["ckpt_name"].choices == \
        ["SDXL/juggernaut_xl.safetensors", "v1-5-pruned-emaonly.safetensors"]
    assert lint(VALID, catalog) == []
    found = lint(workflow(**{"4": {"ckpt_name": "SDXL\\juggernaut_xl.safetensors"}}), catalog)
    assert [d.code for d in found] == ["M401"]
    assert found[0].fix.safe and found[0].fix.edits[0].value == "SDXL/juggernaut_xl.safetensors"


def test_check_with_snapshot_runs_offline(tmp_path, write_json):
    snapshot = capture(tmp_path)
    path = write_json("wf.json", workflow(**{"4": {"ckpt_name": "sd_xl_base_1.0.safetensors"}}))
    result = CliRunner().invoke(cli, ["check", "--snapshot", str(snapshot), "--no-cache",
                                      "--output-format", "concise", str(path)])
    assert result.exit_code == 1 and "M401" in result.output


def test_diff_lists_the_drift_that_breaks_workflows(tmp_path):
    old = read_snapshot(capture(tmp_path))
    new = json.loads(json.dumps(old))
    new["comfyui_version"] = "0.3.65"
    del new["nodes"]["FixtureUpscaler"]
    new["nodes"]["KSampler"]["input"]["required"]["sigma_shift"] = ["FLOAT", {"default": 1.0}]
    new["nodes"]["KSampler"]["input"]["required"]["steps"][1]["max"] = 100
    new["nodes"]["KSampler"]["input"]["required"]["sampler_name"][0].remove("euler")
    new["models"]["checkpoints"].remove("v1-5-pruned-emaonly.safetensors")
    new["models"]["loras"].append("new_lora.safetensors")
    new["custom_node_modules"] = []
    changes = {(c.area, c.subject, c.detail, c.breaking) for c in diff_snapshots(old, new)}
    assert ("version", "ComfyUI", "0.3.64 -> 0.3.65", False) in changes
    assert ("nodes", "FixtureUpscaler", "removed (was in custom_nodes.comfyui-fixture-pack)", True) in changes
    assert ("inputs", "KSampler.sigma_shift", "new required input (FLOAT)", True) in changes
    assert ("inputs", "KSampler.steps", "max 10000 -> 100", True) in changes
    assert ("inputs", "KSampler.sampler_name", "choices removed: 'euler'", True) in changes
    assert ("models", "checkpoints/v1-5-pruned-emaonly.safetensors", "removed", True) in changes
    assert ("models", "loras/new_lora.safetensors", "added", False) in changes
    assert ("modules", "custom_nodes.comfyui-fixture-pack", "removed", True) in changes


def test_diff_command_names_the_workflows_that_break(tmp_path, write_json):
    old_path = capture(tmp_path)
    data = json.loads(old_path.read_text())
    data["models"]["checkpoints"] = ["SDXL/juggernaut_xl.safetensors"]
    new_path = tmp_path / "prod.snapshot.json"
    new_path.write_text(json.dumps(data))
    wf = write_json("wf.json", VALID)
    result = CliRunner().invoke(cli, ["snapshot", "diff", str(old_path), str(new_path), str(wf)])
    assert result.exit_code == 1
    assert "! checkpoints/v1-5-pruned-emaonly.safetensors: removed" in result.output
    assert "wf.json: M401" in result.output
    same = CliRunner().invoke(cli, ["snapshot", "diff", str(old_path), str(old_path)])
    assert same.exit_code == 0 and "0 change(s)" in same.output


def test_unreadable_or_foreign_snapshots_exit_2(tmp_path, write_json):
    foreign = write_json("x.json", {"KSampler": {"input": {}, "output": []}})
    for args in (["snapshot", "diff", str(foreign), str(foreign)],
                 ["check", "--snapshot", str(foreign), str(foreign)],
                 ["check", "--snapshot", str(tmp_path / "missing.json"), str(foreign)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    future = write_json("future.json", {"comfylint_snapshot": 99})
    result = CliRunner().invoke(cli, ["check", "--snapshot", str(future), str(foreign)])
    assert result.exit_code == 2 and "format 99 is not supported" in result.output


def test_offline_snapshot_from_object_info_and_comfyui_dir(tmp_path):
    root = tmp_path / "ComfyUI"
    (root / "models" / "checkpoints").mkdir(parents=True)
    (root / "models" / "checkpoints" / "mine.safetensors").write_bytes(b"")
    info = tmp_path / "object_info.json"
    with serve() as server:
        import urllib.request

        info.write_bytes(urllib.request.urlopen(server.url + "/object_info", timeout=5).read())
    result = CliRunner().invoke(cli, ["snapshot", "--object-info", str(info), "--comfyui-dir",
                                      str(root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["models"]["checkpoints"] == ["mine.safetensors"]
