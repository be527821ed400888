"""What the fuzz harness found, kept: each file in tests/fixtures/fuzz/ once ended in a traceback
(see its README). Replayed through every command that read it then, and then some."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fuzzing import FIXTURES, WORKFLOW_SEEDS, assert_clean, dumps, run

from comfylint import Catalog, lint
from comfylint.catalog import CatalogError

CORPUS = FIXTURES / "fuzz"
SERVER = Catalog.from_object_info(FIXTURES / "object_info.small.json")
OUTPUT_FORMATS = ("full", "concise", "json", "sarif", "github", "junit", "gitlab")


def corpus(kind: str) -> list[Path]:
    return sorted((CORPUS / kind).iterdir())


@pytest.mark.parametrize("source", corpus("workflows"), ids=lambda p: p.name)
def test_workflow_reproducers(tmp_path, source):
    path = tmp_path / source.name
    shutil.copy(source, path)
    document = json.loads(source.read_text(encoding="utf-8"))
    assert_clean(lint(document))
    assert_clean(lint(document, SERVER))
    for fmt in OUTPUT_FORMATS:
        run("regressions", "check", "--no-cache", "--output-format", fmt, str(path), cwd=tmp_path)
    run("regressions", "check", "--no-cache", "--diff", str(path), cwd=tmp_path)
    run("regressions", "check", "--no-cache", "--fix", "--unsafe-fixes", str(path), cwd=tmp_path)
    run("regressions", "convert", str(source), "-o", str(tmp_path / "api.json"), cwd=tmp_path)


@pytest.mark.parametrize("source", corpus("object_info"), ids=lambda p: p.name)
def test_object_info_reproducers(tmp_path, source):
    try:
        catalog = Catalog.from_object_info(source)
    except CatalogError:
        catalog = None
    seeds = []
    for name, make in sorted(WORKFLOW_SEEDS.items()):
        if catalog is not None:
            assert_clean(lint(make(), catalog))
        seeds.append(tmp_path / f"{name}.json")
        seeds[-1].write_bytes(dumps(make()))
    for cache in (["--no-cache"], []):
        run("regressions", "check", *cache, "--object-info", str(source), *map(str, seeds),
            cwd=tmp_path)
    run("regressions", "convert", "--object-info", str(source), str(tmp_path / "ui-subgraph.json"),
        cwd=tmp_path)
    snapshot = tmp_path / "snapshot.json"
    run("regressions", "snapshot", "--object-info", str(source), "-o", str(snapshot), cwd=tmp_path)
    run("regressions", "check", "--snapshot", str(snapshot), *map(str, seeds), cwd=tmp_path)


@pytest.mark.parametrize("source", corpus("configs"), ids=lambda p: p.name)
def test_config_reproducers(tmp_path, source):
    workflow = tmp_path / "wf.json"
    workflow.write_bytes(dumps(WORKFLOW_SEEDS["api"]()))
    if source.name.startswith("pyproject-"):
        shutil.copy(source, tmp_path / "pyproject.toml")
        done = run("regressions", "check", str(workflow), cwd=tmp_path)
    else:
        done = run("regressions", "check", "--config", str(source), str(workflow), cwd=tmp_path)
    assert done.returncode == 2 and "comfylint: " in done.stderr, done.stderr
