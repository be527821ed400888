"""Where the shipped data folders are: inside the wheel, or at the top of a source checkout.

`schemas/` and `rules/` sit at the repository top (one source of truth); the wheel carries them
as `comfylint/_data/<name>` (see pyproject's force-include).
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def code_identity(package: "Path | None" = None) -> str:
    """comfylint's own files (size and mtime): an edited rule, release table or schema in a
    source checkout must not be answered from a cache its old version wrote, even though the
    version number is the same. `package`: only the files under this directory (default: all of
    comfylint, and the schemas, which sit beside it in a source checkout)."""
    if package is None:
        schemas = data_dir("schemas")
        pending = [_PACKAGE] + ([] if _PACKAGE in schemas.parents else [schemas])
    else:
        pending = [package]
    digest = hashlib.blake2b(digest_size=16)
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(Path(entry.path))
                elif not entry.name.endswith(".pyc"):  # code and data (.json, .jsonl, ...)
                    stat = entry.stat()
                    digest.update(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


CACHE_DIR_ENV = "COMFYLINT_CACHE_DIR"


def user_cache_dir() -> Path:
    """comfylint's per-user cache (catalog cache entries, the downloaded custom-node pack map):
    $COMFYLINT_CACHE_DIR, else the platform's convention (platformdirs): $XDG_CACHE_HOME or
    ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA%\\comfylint\\Cache on Windows."""
    base = os.environ.get(CACHE_DIR_ENV)
    if base:
        return Path(base).expanduser()
    import platformdirs  # only when no $COMFYLINT_CACHE_DIR says where

    return Path(platformdirs.user_cache_dir("comfylint", appauthor=False))


def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"comfylint's {name}/ folder is missing from this installation")


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    """A JSON Schema from schemas/, by file name (`api-workflow.schema.json`)."""
    return json.loads((data_dir("schemas") / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(name: str):
    """A compiled jsonschema validator for a shipped schema (imported lazily: it costs ~60 ms)."""
    import jsonschema

    document = schema(name)
    cls = jsonschema.validators.validator_for(document)
    cls.check_schema(document)
    return cls(document)


@lru_cache(maxsize=None)
def envelope_validator(envelope: str):
    """The validator for one request envelope of request-envelopes.schema.json."""
    import jsonschema

    document = schema("request-envelopes.schema.json")
    sub = {"$schema": document["$schema"], "$defs": document["$defs"],
           "$ref": f"#/$defs/{envelope}"}
    cls = jsonschema.validators.validator_for(document)
    return cls(sub)
