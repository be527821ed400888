"""The pre-commit hooks, for real: a temporary git repository, committed workflows, and
`pre-commit try-repo` against this project (pre-commit builds the hook's environment from the
local checkout; pip may fetch comfylint's dependencies from the package index)."""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib

import pytest

from ci_support import variant, write
from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("pre-commit") is None,
                                reason="needs git and pre-commit")

UI_WORKFLOW = {"last_node_id": 2, "last_link_id": 1, "version": 0.4,
               "links": [[1, 1, 0, 2, 0, "IMAGE"]],
               "nodes": [{"id": 1, "type": "EmptyImage", "inputs": [],
                          "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [1]}],
                          "widgets_values": [64, 64, 1, 0]},
                         {"id": 2, "type": "PreviewImage",
                          "inputs": [{"name": "images", "type": "IMAGE", "link": 1}], "outputs": []}]}


def png_with_prompt(prompt: dict) -> bytes:
    """A 1x1 PNG carrying an API workflow in a `prompt` tEXt chunk, as ComfyUI saves it."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"tEXt", b"prompt\x00" + json.dumps(prompt).encode())
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=repo,
                   check=True, capture_output=True)


def _try_repo(repo, home, *hook_ids):
    done = subprocess.run(["pre-commit", "try-repo", str(ROOT), *hook_ids, "--all-files"],
                          cwd=repo, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PRE_COMMIT_HOME": str(home)})
    if "An error has occurred" in done.stdout + done.stderr:
        pytest.skip("pre-commit could not build the hook environment:\n" + done.stdout[-2000:])
    return done


def _sections(output: str) -> dict[str, str]:
    """hook id -> that hook's status line and output."""
    sections = {}
    for block in output.split("- hook id: ")[1:]:
        hook_id, _, rest = block.partition("\n")
        sections[hook_id.strip()] = rest
    return sections


def test_hooks_pass_and_fail_in_a_real_repository(tmp_path):
    repo, home = tmp_path / "repo", tmp_path / "pre-commit-home"
    repo.mkdir()
    _git(repo, "init", "-q")
    write(repo / "workflows" / "txt2img.json", variant())
    (repo / "package.json").write_text('{"name": "site", "version": "1.0.0"}\n', encoding="utf-8")
    (repo / "tsconfig.json").write_text('{\n  // comments are fine here\n  "compilerOptions": {}\n}\n',
                                        encoding="utf-8")
    (repo / "comfylint.toml").write_text('extend-exclude = ["vendor"]\n', encoding="utf-8")
    write(repo / "vendor" / "broken.json", variant(**{"3": {"steps": 0}}))  # excluded by config
    (repo / "preview.png").write_bytes(png_with_prompt(variant()))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "good")

    done = _try_repo(repo, home)
    assert done.returncode == 0, done.stdout
    assert "Failed" not in done.stdout

    write(repo / "workflows" / "broken.json", variant(**{"3": {"steps": 0}}))
    write(repo / "workflows" / "editor-save.json", UI_WORKFLOW)
    (repo / "broken.png").write_bytes(png_with_prompt(variant(**{"3": {"cfg": -1}})))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "bad")

    done = _try_repo(repo, home)
    assert done.returncode == 1, done.stdout
    sections = _sections(done.stdout)
    assert "workflows/broken.json" in sections["comfylint"]
    assert "T304" in sections["comfylint"] and "editor-save.json" not in sections["comfylint"]
    assert "vendor/" not in done.stdout and "package.json" not in done.stdout
    assert "tsconfig.json" not in done.stdout
    api = sections["comfylint-api-format"]
    assert "workflows/editor-save.json" in api and "F004" in api
    assert "broken.png" in sections["comfylint-images"]
