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
