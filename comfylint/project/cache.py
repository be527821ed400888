"""The content-hash cache: `.comfylint_cache/` at the project root.

A run's findings for a file depend only on the file's path and bytes plus the run's settings
(config, catalog, selected rules, comfylint version). The settings make one run key, and each run
key gets one cache file mapping per-file keys (path + bytes) to the file's findings after
per-file suppressions. Reading one file and hashing the workflows is what makes a second run of an
unchanged repository near-instant. Writes are atomic; a damaged cache file is simply ignored.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .. import __version__
from ..diagnostics import Diagnostic, Edit, Fix, Severity
from ..resources import code_identity

CACHE_DIR_NAME = ".comfylint_cache"
CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by comfylint.\n"
                "# For information about cache directory tags see https://bford.info/cachedir/\n")
CACHE_FORMAT = 1
KEEP_UNUSED_FACTOR = 2  # keep stale entries until the file holds twice what a run used


def file_key(path: str, data: bytes) -> str:
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(b"\0" + path.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def run_key(*parts: Any) -> str:
    text = json.dumps([__version__, CACHE_FORMAT, code_identity(), *parts], sort_keys=True,
                      default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def source_identity(path: "str | None") -> Any:
    """A catalog or baseline file's identity without reading it: path, size, mtime."""
    if not path:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return [os.path.abspath(path), None]
    return [os.path.abspath(path), stat.st_size, stat.st_mtime_ns]


class Cache:
    def __init__(self, root: "str | Path", key: str) -> None:
        self.directory = Path(root) / CACHE_DIR_NAME
        self.file = self.directory / __version__ / f"{key}.json"
        self.entries: dict[str, dict] = {}
        self.used: set[str] = set()
        self.dirty = False
        try:
            loaded = json.loads(self.file.read_bytes())
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, ValueError):
            pass

    def get(self, key: str) -> dict | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.used.add(key)
        return entry

    def put(self, key: str, entry: dict) -> None:
        self.entries[key] = entry
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write the entries (dropping stale ones once they outnumber the used ones)."""
        if len(self.entries) > KEEP_UNUSED_FACTOR * max(len(self.used), 1):
            self.entries = {k: v for k, v in self.entries.items() if k in self.used}
            self.dirty = True
        if not self.dirty:
            return
        from ..writing import atomic_write

        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tag = self.directory / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(CACHEDIR_TAG, encoding="utf-8")
                (self.directory / ".gitignore").write_text("# created by comfylint\n*\n",
                                                           encoding="utf-8")
            atomic_write(self.file, json.dumps(self.entries, separators=(",", ":")).encode("utf-8"))
        except OSError:
            pass  # a read-only checkout still lints; it just is not cached


# -- (de)serialising results -------------------------------------------------------------------
def result_entry(result) -> dict:
    return {"format": result.format, "envelope": result.envelope, "skipped": result.skipped,
            "suppressed": result.suppressed, "masked": result.masked,
            "diagnostics": [dict(d.to_dict(), title=d.title) for d in result.diagnostics]}


def diagnostic_from_dict(data: dict) -> Diagnostic:
    fix = data.get("fix")
    return Diagnostic(
        code=data["code"], name=data["name"], severity=Severity.parse(data["severity"]),
        message=data["message"], file=data["file"], node_id=data["node_id"],
        class_type=data["class_type"], input=data["input"], pointer=data["pointer"],
        line=data["line"], column=data["column"], server_error_type=data["server_error_type"],
        help=data["help"], title=data.get("title"),
        fix=Fix(fix["description"], [Edit(e["pointer"], e["value"], e["remove"])
                                     for e in fix["edits"]], fix["safe"]) if fix else None)
