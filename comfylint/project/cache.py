"""The content-hash cache: `.comfylint_cache/` at the project root.

A run's findings for a file depend only on the file's path and bytes, whether it was named or
found by walking, plus the run's settings (config, catalog and pack map identities, selected
rules, envelope, required format, comfylint's code and data). The settings make one run key, and
each run key gets one cache file mapping per-file keys (path + bytes + named/walked) to the
file's findings after per-file suppressions: a warm run gives exactly the cold run's verdict
(tests/test_cache_equality.py, benchmarks/cache_equality.py). Reading one file and hashing the
workflows is what makes a second run of an unchanged repository near-instant. Writes are atomic;
a damaged cache file is simply ignored.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .. import __version__
from ..diagnostics import Diagnostic, Edit, FileResult, Fix, Severity
from ..reading import MB, read_limited
from ..resources import code_identity

CACHE_DIR_NAME = ".comfylint_cache"
CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by comfylint.\n"
                "# For information about cache directory tags see https://bford.info/cachedir/\n")
GITIGNORE = "# created by comfylint\n*\n"
CACHE_FORMAT = 3  # 2: file keys say named or walked; 3: entries keep the requirements
MAX_CACHE_BYTES = 256 * MB
KEEP_UNUSED_FACTOR = 2  # keep stale entries until the file holds twice what a run used


def file_key(path: str, data: bytes, explicit: bool) -> str:
    """One file's key: its bytes, its path (globs and findings name it) and whether it was named
    or walked (a walked non-workflow JSON is skipped; named, it is F003)."""
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + (b"\0n" if explicit else b"\0w"))
    return digest.hexdigest()


def run_key(*parts: Any) -> str:
    text = json.dumps([__version__, CACHE_FORMAT, code_identity(), *parts], sort_keys=True,
                      default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def source_identity(path: "str | None") -> Any:
    """A catalog, manifest or pack map's identity without reading it: path and stat (with the
    change time and inode: a rewrite that keeps size and mtime still changes those)."""
    if not path:
        return None
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return [os.path.abspath(path), None]
    return [os.path.abspath(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


class Cache:
    def __init__(self, root: "str | Path", key: str) -> None:
        self.directory = Path(root) / CACHE_DIR_NAME
        self.file = self.directory / __version__ / f"{key}.json"
        self.entries: dict[str, dict] = {}
        self.used: set[str] = set()
        self.dirty = False
        try:
            loaded = json.loads(read_limited(self.file, MAX_CACHE_BYTES))
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, ValueError, RecursionError):
            pass  # missing or damaged: start afresh

    def result(self, key: str, path: str) -> "FileResult | None":
        """The cached result for a file key, or None (not cached, or a damaged entry: a cache
        file edited by hand or cut short is ignored, never trusted or crashed on)."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            result = FileResult(path=path, format=_optional_str(entry["format"]),
                                envelope=_optional_str(entry["envelope"]),
                                diagnostics=[diagnostic_from_dict(d) for d in entry["diagnostics"]],
                                skipped=bool(entry["skipped"]), suppressed=int(entry["suppressed"]),
                                masked=bool(entry.get("masked")),
                                requirements=_optional_dict(entry.get("requirements")))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            del self.entries[key]
            self.dirty = True
            return None
        self.used.add(key)
        return result

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
            if not self._claim_directory():
                return
            self.file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.file, json.dumps(self.entries, separators=(",", ":")).encode("utf-8"))
        except OSError:
            pass  # a read-only checkout still lints; it just is not cached

    def _claim_directory(self) -> bool:
        """Make `.comfylint_cache/` ours: tagged (CACHEDIR.TAG) and ignored by git. A symlink
        there (a cache moved elsewhere) is used only if its target is ours already or empty:
        the tag and `.gitignore` (`*`) must never land in a folder that holds other files, and
        an existing file is never overwritten."""
        directory = self.directory
        if os.path.islink(directory):
            if not os.path.isdir(directory):
                return False
            if not os.path.isfile(directory / "CACHEDIR.TAG") and any(directory.iterdir()):
                return False
        directory.mkdir(exist_ok=True)
        for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", GITIGNORE)):
            try:
                with open(directory / name, "x", encoding="utf-8") as stream:
                    stream.write(text)
            except FileExistsError:
                pass
        return True


# -- (de)serialising results -------------------------------------------------------------------
def result_entry(result) -> dict:
    return {"format": result.format, "envelope": result.envelope, "skipped": result.skipped,
            "suppressed": result.suppressed, "masked": result.masked,
            "requirements": result.requirements,
            "diagnostics": [dict(d.to_dict(), title=d.title) for d in result.diagnostics]}


def _optional_dict(value: object) -> dict | None:
    if value is None or isinstance(value, dict):
        return value
    raise TypeError("requirements: not an object")  # a damaged entry: Cache.result drops it


def diagnostic_from_dict(data: dict) -> Diagnostic:
    """A cached finding; a TypeError/KeyError/ValueError for anything but what result_entry wrote."""
    fix = data.get("fix")
    text, optional = _str, _optional_str
    return Diagnostic(
        code=text(data["code"]), name=text(data["name"]), severity=Severity.parse(data["severity"]),
        message=text(data["message"]), file=optional(data["file"]), node_id=optional(data["node_id"]),
        class_type=optional(data["class_type"]), input=optional(data["input"]),
        pointer=optional(data["pointer"]), line=_optional_int(data["line"]),
        column=_optional_int(data["column"]),
        server_error_type=optional(data["server_error_type"]), help=optional(data["help"]),
        title=optional(data.get("title")),
        fix=Fix(text(fix["description"]), [Edit(text(e["pointer"]), e["value"], bool(e["remove"]))
                                           for e in fix["edits"]], bool(fix["safe"])) if fix else None)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _optional_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _optional_int(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not an integer")
    return value
