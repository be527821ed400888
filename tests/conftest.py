"""Shared test helpers: the repository root and a CLI runner that calls the real entry point."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def write_json(tmp_path):
    """Write a document as a JSON file in tmp_path and return its path."""

    def write(name: str, document) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2), encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True, scope="session")
def _catalog_cache_in_a_temp_dir(tmp_path_factory):
    """The catalog cache (catalog/cache.py) of every test, CLI subprocesses included, lives in a
    temporary directory: tests never read or fill the user's ~/.cache."""
    import os

    previous = os.environ.get("COMFYLINT_CACHE_DIR")
    os.environ["COMFYLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if previous is None:
        os.environ.pop("COMFYLINT_CACHE_DIR", None)
    else:
        os.environ["COMFYLINT_CACHE_DIR"] = previous
