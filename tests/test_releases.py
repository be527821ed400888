"""The bundled ComfyUI releases: one loader, lazy, data that its generator reproduces.

The generator comparison always runs for v0.3.64, from our own captures in tests/fixtures. The
v0.26.0 capture is a third party's with ComfyUI's free text in it (never shipped): that part runs
where the shared reference folder sits beside the checkout (../shared/comfyui), or where
COMFYLINT_SHARED_COMFYUI names it.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from comfylint import Catalog
from comfylint.catalog import releases
from comfylint.catalog.releases import (
    UnknownRelease,
    bundled_release,
    bundled_versions,
    infer_release,
    parse_version,
    read_node_lines,
    release,
    release_for,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = Path(os.environ.get("COMFYLINT_SHARED_COMFYUI") or ROOT.parent / "shared" / "comfyui")


def test_bundled_releases_are_listed_oldest_first_and_the_newest_is_the_default():
    versions = bundled_versions()
    assert versions == ("0.3.64", "0.26.0")
    assert Catalog.stock().release is release("0.26.0")
    assert Catalog.stock().comfyui_version == "0.26.0" and Catalog.stock().bundled
    assert Catalog.stock("0.3.64").release is release("0.3.64")


def test_a_version_between_releases_gets_the_newest_not_newer_than_it():
    assert bundled_release("0.25.9").version == "0.3.64"
    assert bundled_release("0.35.1").version == "0.26.0"
    assert bundled_release("v0.26").version == "0.26.0"
    assert release_for("0.3.63") is None and release_for(None) is None
    with pytest.raises(UnknownRelease, match="no bundled catalog is as old as ComfyUI 0.3.10"):
        bundled_release("0.3.10")
    with pytest.raises(UnknownRelease, match="not a ComfyUI version"):
        bundled_release("latest")


def test_versions_compare_as_numbers():
    assert parse_version("0.3.64") < parse_version("0.26.0") < parse_version("0.35")
    assert parse_version("1.58.1-rc") == (1, 58, 1) and parse_version("x") is None


def test_every_release_has_provenance_and_its_licence_notice():
    for version in bundled_versions():
        facts = release(version).facts
        assert facts["comfyui_version"] == version
        assert {"source", "date", "commit", "models", "server"} <= set(facts["provenance"])
    notice = (release("0.26.0").folder / "NOTICE").read_text()
    assert "Copyright (c) 2024 Daniele Nofi d4N87" in notice and "MIT License" in notice


def test_no_free_text_is_shipped():
    for version in bundled_versions():
        text = (release(version).folder / releases.NODES_FILE).read_text()
        for key in ('"description"', '"tooltip"', '"search_aliases"', '"price_badge"',
                    '"output_tooltips"'):
            assert key not in text, (version, key)


def test_only_the_release_in_use_is_read(tmp_path):
    """A fresh process that lints with the default catalog never opens another release's nodes."""
    script = (
        "import comfylint.catalog.releases as r, builtins\n"
        "opened = []\n"
        "real = r.Path.read_bytes\n"
        "r.Path.read_bytes = lambda self: (opened.append(self.parent.name), real(self))[1]\n"
        "from comfylint import lint\n"
        "lint({'1': {'class_type': 'EmptyImage', 'inputs': {'width': 8, 'height': 8,"
        " 'batch_size': 1, 'color': 0}}, '2': {'class_type': 'PreviewImage',"
        " 'inputs': {'images': ['1', 0]}}})\n"
        "print(opened)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['0.26.0']"


def test_node_lines_are_read_back_exactly():
    for version in bundled_versions():
        data = (release(version).folder / releases.NODES_FILE).read_bytes()
        names, ends, payload = read_node_lines(data)
        first = json.loads(data.splitlines()[0])
        assert names[0] == first[0] and json.loads(payload[:ends[0]]) == first[1]
        assert names == sorted(names) and len(names) == release(version).facts["provenance"][
            "node_classes"]


def test_a_versionless_object_info_is_read_as_the_release_its_nodes_point_to():
    for version in bundled_versions():
        assert infer_release(release(version).nodes().keys()) is release(version)
    assert infer_release(["KSampler", "MyCustomNode"]) is release("0.26.0")  # no evidence
    server = Catalog.from_object_info({"KSampler": {"input": {}, "output": []}},
                                      comfyui_version="0.30.2")
    assert server.release is release("0.26.0") and server.comfyui_version == "0.30.2"


def test_server_behaviour_differs_where_the_reference_says():
    old, new = release("0.3.64").server, release("0.26.0").server
    assert old.error_type("missing_node_type") == "invalid_prompt"
    assert new.error_type("missing_node_type") == "missing_node_type"
    assert old.error_type("dependency_cycle") == "prompt_outputs_failed_validation"
    assert old.error_type("value_not_in_list") == "value_not_in_list"
    assert not old.checks_v3_combo_values and new.checks_v3_combo_values


def test_model_lists_of_new_loaders_never_get_a_guessed_folder():
    lists = release("0.26.0").server_lists
    assert lists["LoraLoaderBypass"]["lora_name"] == "loras"  # its name says which folder
    assert lists["LatentUpscaleModelLoader"]["model_name"] is None  # "model_name" says nothing
    assert "CustomCombo" not in lists  # empty because its choices are written in the browser
    assert "model_name" not in release("0.26.0").model_input_folders


def _generator_check(shared: Path, *options: str) -> subprocess.CompletedProcess:
    """`tools/build_releases.py SHARED --check OPTIONS`, its main() called in this process (a new
    interpreter for each run imported comfylint again: ~0.1 s of CPU for the module's three)."""
    spec = importlib.util.spec_from_file_location("build_releases", ROOT / "tools" / "build_releases.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    args = [str(shared), "--check", *options]
    with contextlib.redirect_stderr(io.StringIO()) as stderr:
        returncode = tool.main(args)
    return subprocess.CompletedProcess(args, returncode, "", stderr.getvalue())


def test_the_shipped_0_3_64_data_is_what_the_generator_makes_of_our_captures(tmp_path):
    (tmp_path / "object_info.core.json").symlink_to(FIXTURES / "prompt_cases" / "object_info.json")
    (tmp_path / "validation_facts.json").symlink_to(FIXTURES / "captures" / "validation_facts.json")
    result = _generator_check(tmp_path, "--up-to", "0.3.64")
    assert result.returncode == 0, result.stderr
    # the check can fail: a changed capture is out of date
    info = json.loads((FIXTURES / "prompt_cases" / "object_info.json").read_text(encoding="utf-8"))
    info["KSampler"]["input"]["required"]["steps"][1]["min"] = 2
    (tmp_path / "object_info.core.json").unlink()
    (tmp_path / "object_info.core.json").write_text(json.dumps(info), encoding="utf-8")
    stale = _generator_check(tmp_path, "--up-to", "0.3.64")
    assert stale.returncode == 1 and "0.3.64/nodes.jsonl" in stale.stderr


@pytest.mark.skipif(not (SHARED / "object_info.v0.26.0.json").is_file(),
                    reason="the v0.26.0 capture (third-party, with free text) is not beside the checkout")
def test_the_shipped_data_is_what_the_generator_makes_of_every_capture():
    result = _generator_check(SHARED)
    assert result.returncode == 0, result.stderr


# -- choosing the release: --comfyui-version and the config key ------------------------------------
NEWER_NODE = {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64,
                                                          "batch_size": 1, "color": 0}},
              "2": {"class_type": "CenterCropImages", "inputs": {"images": ["1", 0], "width": 32,
                                                                 "height": 32}},
              "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}


def test_the_command_line_and_the_config_pick_the_release(tmp_path):
    from ci_support import comfylint, write

    assert "CenterCropImages" in release("0.26.0").introduced
    write(tmp_path / "wf.json", NEWER_NODE)
    assert comfylint("check", "wf.json", "--no-cache", cwd=tmp_path).stdout.startswith("All checks")
    old = comfylint("check", "wf.json", "--no-cache", "--comfyui-version", "0.3.64", cwd=tmp_path)
    assert "N201" in old.stdout and "ComfyUI 0.3.64" in old.stdout
    (tmp_path / "comfylint.toml").write_text('comfyui-version = "0.3.64"\n')
    assert "N201" in comfylint("check", "wf.json", "--no-cache", cwd=tmp_path).stdout
    # the command line wins over the config
    assert comfylint("check", "wf.json", "--no-cache", "--comfyui-version", "0.26", cwd=tmp_path
                     ).stdout.startswith("All checks")


def test_a_version_no_bundled_release_stands_for_is_a_usage_error(tmp_path):
    from ci_support import comfylint, write

    write(tmp_path / "wf.json", NEWER_NODE)
    done = comfylint("check", "wf.json", "--comfyui-version", "0.2.1", cwd=tmp_path)
    assert done.returncode == 2 and "no bundled catalog is as old as ComfyUI 0.2.1" in done.stderr
    (tmp_path / "comfylint.toml").write_text('comfyui-version = "newest"\n')
    done = comfylint("check", "wf.json", cwd=tmp_path)
    assert done.returncode == 2 and "comfyui-version" in done.stderr


def test_a_live_server_and_its_snapshot_bring_their_own_version():
    """/system_stats says 0.3.64 (the recorded server): its facts are that release's, whatever
    the newest bundled one says (an unknown node is invalid_prompt there)."""
    from loopback import serve

    from comfylint.catalog.manifest import Manifest
    from comfylint.catalog.snapshot import build_snapshot, catalog_from_snapshot
    from comfylint.catalog.sources import CatalogSources, build_catalog

    with serve() as server:
        live = build_catalog(CatalogSources(server=server.url))
    assert live.comfyui_version == "0.3.64" and live.release is release("0.3.64")
    workflow = {"1": {"class_type": "NoSuchNode", "inputs": {}}}
    [diag] = [d for d in __import__("comfylint").lint(workflow, live) if d.code == "N201"]
    assert diag.server_error_type == "invalid_prompt"
    snapshot = build_snapshot(release("0.26.0").nodes(), Manifest(), comfyui_version="0.30.1")
    assert catalog_from_snapshot(snapshot, source="s.json").release is release("0.26.0")


def test_the_bundled_catalog_vouches_only_for_facts_every_release_agrees_on():
    """Ranges and outputs a newer server may have changed are warnings with the bundled catalog;
    ones that held in every bundled release stay errors (issue 8, item 6)."""
    from comfylint import lint
    from comfylint.diagnostics import Severity

    stable = {"1": {"class_type": "EmptyLatentImage",
                    "inputs": {"width": 512, "height": 512, "batch_size": 0}},
              "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    [below] = [d for d in lint(stable) if d.code == "T304"]
    assert below.severity == Severity.ERROR and "--object-info" not in below.message
    # ImageFromBatch's batch_index: min 0 on 0.3.64, -16384 on 0.26.0
    assert releases.held_in_every_release("ImageFromBatch", "batch_index", "min") is False
    changed = {"1": {"class_type": "EmptyImage",
                     "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}},
               "2": {"class_type": "ImageFromBatch",
                     "inputs": {"image": ["1", 0], "batch_index": -1, "length": 1}},
               "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}
    [dated] = [d for d in lint(changed, Catalog.stock("0.3.64")) if d.code == "T304"]
    assert dated.severity == Severity.WARNING and "--object-info" in dated.message
    # a server's own catalog vouches for everything it says
    server = Catalog.from_object_info(Catalog.stock("0.3.64").definitions(), comfyui_version="0.3.64")
    assert [d.severity for d in lint(changed, server) if d.code == "T304"] == [Severity.ERROR]


def test_output_slots_are_vouched_for_when_the_outputs_never_changed():
    from comfylint import lint
    from comfylint.diagnostics import Severity

    workflow = {"1": {"class_type": "EmptyLatentImage",
                      "inputs": {"width": 512, "height": 512, "batch_size": 1}},
                "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 3]}}}
    assert releases.held_in_every_release("EmptyLatentImage", None, "outputs") is True
    assert [d.severity for d in lint(workflow) if d.code == "G102"] == [Severity.ERROR]
    changed = [name for name in Catalog.stock("0.3.64").names()
               if name in Catalog.stock().names()
               and not releases.held_in_every_release(name, None, "outputs")]
    assert changed  # some core nodes did change their outputs (their slots stay warnings)


def test_an_editor_is_matched_with_the_release_of_its_era():
    from comfylint.catalog.releases import release_of_frontend

    assert release_of_frontend((1, 23, 4)).version == "0.3.64"  # 0.3.64 pinned frontend 1.27.10
    assert release_of_frontend((1, 27, 10)).version == "0.3.64"
    assert release_of_frontend((1, 30, 0)).version == "0.26.0"
    assert release_of_frontend(None).version == "0.3.64"  # unknown: the oldest
    assert release_of_frontend((1, 58, 1)).version == bundled_versions()[-1]  # newer than any
