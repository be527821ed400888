"""The pre-commit hooks, for real: a temporary git repository whose .pre-commit-config.yaml names
this checkout's hooks (at a commit of the working tree as it is), committed workflows, and
`pre-commit run`. pre-commit builds the hook's environment as it does for users (a virtualenv,
`pip install .` of the repository: a wheel built from the checkout), offline: pip sees no index,
only a wheelhouse packed from this environment's installed dependencies (tests/wheelhouse.py).
A hook environment that cannot be built fails the test."""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest

from ci_support import variant, write
from conftest import ROOT
from wheelhouse import wheelhouse

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

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


def _offline_environment(scratch: Path) -> dict[str, str]:
    """pre-commit's environment: its home in `scratch`, pip with no index and no configuration
    files, finding only a wheelhouse of what the checkout's pyproject needs (run and build)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheels = wheelhouse(scratch / "wheels", [*project["project"]["dependencies"],
                                             *project["build-system"]["requires"]])
    # Nor PYTHONDONTWRITEBYTECODE: the hook environment is a user's, in `scratch`; without
    # bytecode every interpreter started in it (pip twice, hatchling's build hooks, comfylint
    # once per hook and run) compiled every module it imported from source again (~0.8 s).
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PIP_", "VIRTUALENV_")) and name != "PYTHONDONTWRITEBYTECODE"}
    (scratch / "tmp").mkdir()
    env.update(PRE_COMMIT_HOME=str(scratch / "pre-commit-home"), PIP_CONFIG_FILE=os.devnull,
               TMPDIR=str(scratch / "tmp"),  # pip's build environment and unpacked wheels
               PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheels), PIP_DISABLE_PIP_VERSION_CHECK="1",
               # No byte-compiling of every dependency (it costs more than the hooks). pip reads
               # its store_false options inverted from the environment: PIP_NO_COMPILE=1 keeps
               # compiling, a false value means --no-compile (pypa/pip#5735, #7736).
               PIP_NO_COMPILE="0",
               # Python >= 3.12 environments hold no setuptools either: nothing in the install of
               # a hatchling project (built in pip's isolated build environment) or in the hooks
               # uses it, and seeding it is ~400 files written twice.
               VIRTUALENV_NO_SETUPTOOLS="1", VIRTUALENV_NO_PERIODIC_UPDATE="1",
               VIRTUALENV_OVERRIDE_APP_DATA=str(scratch / "virtualenv-data"))
    return env


def _checkout_revision() -> str:
    """A commit of the checkout as it is now (tracked and new files, uncommitted edits included),
    made through a temporary index: neither the working tree, the index nor any branch changes."""
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, GIT_INDEX_FILE=str(Path(scratch) / "index"))
        for args in (["read-tree", "HEAD"], ["add", "-A"]):
            subprocess.run(["git", *args], cwd=ROOT, env=env, check=True, capture_output=True)
        tree = subprocess.run(["git", "write-tree"], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True).stdout.strip()
    return subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t",
                           "commit-tree", tree, "-p", "HEAD", "-m", "the checkout under test"],
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def _use_the_hooks(repo: Path) -> None:
    """A .pre-commit-config.yaml naming every hook of this checkout, at _checkout_revision()."""
    import yaml  # pre-commit's own dependency

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    config = {"repos": [{"repo": str(ROOT), "rev": _checkout_revision(),
                         "hooks": [{"id": hook["id"]} for hook in hooks]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


def _run_hooks(repo, env):
    """`pre-commit run --all-files`; the hook environment is built on the first run, reused after."""
    done = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=repo,
                          capture_output=True, text=True, timeout=600, env=env)
    assert "An error has occurred" not in done.stdout + done.stderr, (
        "pre-commit could not build the hook environment:\n" + done.stdout[-3000:]
        + done.stderr[-3000:])
    return done


def _sections(output: str) -> dict[str, str]:
    """hook id -> that hook's status line and output."""
    sections = {}
    for block in output.split("- hook id: ")[1:]:
        hook_id, _, rest = block.partition("\n")
        sections[hook_id.strip()] = rest
    return sections


@pytest.fixture
def scratch(tmp_path):
    """Where the hook environment is built: ~5,000 files written once and thrown away (on this
    machine's ext4 their creation and later removal cost ~2 s of kernel CPU, more than the rest
    of the test). On a memory file system that may hold executables when there is one, removed
    after the test; else tmp_path."""
    memory = Path("/dev/shm")
    try:
        usable = (memory.is_dir() and os.access(memory, os.W_OK | os.X_OK)
                  and not os.statvfs(memory).f_flag & os.ST_NOEXEC)
    except (OSError, AttributeError):  # no statvfs (Windows)
        usable = False
    if not usable:
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(prefix="comfylint-pre-commit-", dir=memory) as directory:
        yield Path(directory)


def test_hooks_pass_and_fail_in_a_real_repository(scratch):
    repo, env = scratch / "repo", _offline_environment(scratch)
    repo.mkdir()
    _git(repo, "init", "-q")
    write(repo / "workflows" / "txt2img.json", variant())
    (repo / "package.json").write_text('{"name": "site", "version": "1.0.0"}\n', encoding="utf-8")
    (repo / "tsconfig.json").write_text('{\n  // comments are fine here\n  "compilerOptions": {}\n}\n',
                                        encoding="utf-8")
    (repo / "comfylint.toml").write_text('extend-exclude = ["vendor"]\n', encoding="utf-8")
    write(repo / "vendor" / "broken.json", variant(**{"3": {"steps": 0}}))  # excluded by config
    (repo / "preview.png").write_bytes(png_with_prompt(variant()))
    _use_the_hooks(repo)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "good")

    done = _run_hooks(repo, env)
    assert done.returncode == 0, done.stdout
    assert "Failed" not in done.stdout

    write(repo / "workflows" / "broken.json", variant(**{"3": {"steps": 0}}))
    write(repo / "workflows" / "editor-save.json", UI_WORKFLOW)
    (repo / "broken.png").write_bytes(png_with_prompt(variant(**{"3": {"cfg": -1}})))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "bad")

    done = _run_hooks(repo, env)
    assert done.returncode == 1, done.stdout
    sections = _sections(done.stdout)
    assert "workflows/broken.json" in sections["comfylint"]
    assert "T304" in sections["comfylint"] and "editor-save.json" not in sections["comfylint"]
    assert "vendor/" not in done.stdout and "package.json" not in done.stdout
    assert "tsconfig.json" not in done.stdout
    api = sections["comfylint-api-format"]
    assert "workflows/editor-save.json" in api and "F004" in api
    assert "broken.png" in sections["comfylint-images"]
