"""The results cache never changes a verdict: every scenario gives, from a warm cache, exactly
what it gives with --no-cache, whatever ran before it on the same cache (walked or named, other
selections, formats, envelopes, catalogs, a catalog rewritten with the same size and mtime)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ci_support import comfylint, variant, write
from test_precommit import png_with_prompt
from test_ui_convert import FIXTURES as UI_FIXTURES

SMALL_OBJECT_INFO = Path(__file__).parent / "fixtures" / "object_info.small.json"


@pytest.fixture
def project(tmp_path) -> Path:
    """A repository with something for every option that changes a verdict."""
    root = tmp_path / "repo"
    write(root / "good.json", variant())
    write(root / "broken.json", variant(**{"3": {"steps": 0, "sampler_name": "eulr"}}))
    write(root / "request.json", {"prompt": variant(**{"3": {"cfg": -1}})})
    write(root / "empty.json", {})  # a workflow when named, nothing when walked
    (root / "notes.json").write_text('{"rows": [1, 2, 3]}\n', encoding="utf-8")  # not a workflow
    shutil.copy(UI_FIXTURES / "txt2img.json", root / "editor.json")
    suppressed = variant(**{"3": {"steps": 0}})
    suppressed["3"]["_meta"] = {"comfylint": {"ignore": ["T304"], "reason": "patched"}}
    write(root / "flows" / "suppressed.json", suppressed)
    write(root / "flows" / "other.json", variant(**{"4": {"ckpt_name": "missing.safetensors"}}))
    (root / "preview.png").write_bytes(png_with_prompt(variant(**{"3": {"denoise": 2}})))
    (root / "comfylint.toml").write_text('[per-file-ignores]\n"flows/*" = ["M401"]\n',
                                         encoding="utf-8")
    object_info = json.loads(SMALL_OBJECT_INFO.read_text(encoding="utf-8"))
    write(root / "object_info.json", object_info, indent=None)
    return root


SCENARIOS = [
    ["."],
    ["notes.json", "empty.json"],
    [".", "--fail-on", "info"],
    ["--force-exclude", "notes.json", "empty.json", "broken.json"],
    [".", "--select", "T"],
    [".", "--ignore", "T304", "--extend-select", "C001"],
    [".", "--require-format", "api"],
    ["request.json", "--envelope", "none"],
    ["request.json", "--envelope", "comfyui-prompt"],
    [".", "--object-info", "object_info.json"],
    [".", "--isolated"],
    ["flows", "--fail-on", "warning"],
    [".", "--jobs", "2"],
]


def _verdict(root: Path, args: list[str], *extra: str) -> tuple[int, dict]:
    done = comfylint("check", "--output-format", "json", *args, *extra, cwd=root)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_every_scenario_warm_equals_cold_whatever_ran_before(project):
    cold = {i: _verdict(project, args, "--no-cache") for i, args in enumerate(SCENARIOS)}
    assert not (project / ".comfylint_cache").exists()
    order = [*range(len(SCENARIOS)), *reversed(range(len(SCENARIOS)))]  # each cached by others
    for i in order:
        assert _verdict(project, SCENARIOS[i]) == cold[i], SCENARIOS[i]


def test_a_catalog_rewritten_with_the_same_size_and_mtime_is_seen(project):
    args = [".", "--object-info", "object_info.json"]
    before = _verdict(project, args)
    path = project / "object_info.json"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    # Same length: the checkpoint list now names the workflow's model (M401 goes away).
    edited = text.replace('"dreamshaper_8.safetensors"', '"model.safetensors"' + " " * 8, 1)
    assert len(edited) == len(text) and edited != text
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = _verdict(project, args)
    assert after == _verdict(project, args, "--no-cache")
    assert after != before
