"""The catalog cache: a server's /object_info (or a snapshot) parsed once, kept in compact form.

A real /object_info reaches 100 MB; parsing it costs seconds and ~700 MB on every run. The first
run stores the node definitions, each as its own JSON text, in the user cache directory, keyed by
the SHA-256 of the file's bytes; later runs map that entry and decode only the node classes the
workflows use (a few dozen of 100,000). An /object_info entry keeps each definition's text as the
source has it (finding where it ends is the one pass over the file: decoding, stripping the free
text and encoding it again cost 2/3 of the first run); a snapshot's are compact, and free of free
text like the snapshot itself.

Where: the catalogs/ folder of the user cache (resources.user_cache_dir: $COMFYLINT_CACHE_DIR,
else the platform's cache folder, ~/.cache/comfylint on Linux). $COMFYLINT_NO_CACHE (or
`check --no-cache`) turns it off (the file is then read the same way into memory only).

Entry format (compact JSON, not pickle or marshal): the cache directory may be relocated onto a
shared disk, and unpickling a file someone else wrote runs their code; marshal is documented as
unsafe on crafted data and changes with the Python version. JSON can only ever decode to data.
Each node is its own JSON text so that a lookup decodes one node, not the file:

    COMFYLINT-CATALOG <format> <crc32 of the rest, hex>\\n
    <header JSON: key, names, end offsets, output types, snapshot extras>\\n
    <payload: the node definitions' JSON texts back to back>

An entry is used only when it is ours (owner), complete and intact (crc32, lengths) and its key
(format, comfylint version and code, source hash) matches; anything else is rebuilt. Writes are
atomic (temp file + rename), so concurrent runs (--jobs workers, several pre-commit hooks) see a
whole entry or none; two runs building the same entry write the same bytes.

Finding the key without reading 100 MB: a small record per source path maps its stat identity
(device, inode, size, mtime, ctime) to the SHA-256 last computed. It is written only for a file
unmodified for RACY_SECONDS (a later change within the file system's timestamp granularity would
otherwise keep the same stat), and any mismatch falls back to hashing the bytes, which stay the
truth: an entry is always keyed by the hash of the very bytes it was built from.
"""
from __future__ import annotations

import hashlib
import json
import mmap
import os
import re
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol, cast

from .. import __version__
from ..reading import MAX_CATALOG_BYTES, UnreadableFile, open_regular, too_large
from .packed import PackedNodes
from ..resources import user_cache_dir
from . import Catalog, CatalogError, declared_output_types, gc_paused

NO_CACHE_ENV = "COMFYLINT_NO_CACHE"
ENTRY_FORMAT = 2  # 2: /object_info definitions as the source writes them
MAGIC = b"COMFYLINT-CATALOG"
KEEP_ENTRIES = 8  # the most recently used entries kept (a 100 MB source makes a ~80 MB entry)
KEEP_PATH_RECORDS = 256
STALE_TEMP_SECONDS = 3600  # a writer that died mid-write leaves its temp file; clean it up later
RACY_SECONDS = 2.0  # FAT's mtime granularity; ext4/APFS/NTFS are far finer
class _AlwaysMatches(Protocol):
    def match(self, string: str, pos: int = ...) -> "re.Match[str]": ...


# What json itself skips between tokens; `*` matches everywhere, so match() is never None.
_JSON_SPACE = cast(_AlwaysMatches, re.compile(r"[ \t\n\r]*"))
_COMPACT = json.JSONEncoder(separators=(",", ":"))  # one encoder for every node of an entry


def cache_root() -> Path | None:
    """The catalog cache directory, or None when caching is turned off."""
    if os.environ.get(NO_CACHE_ENV):
        return None
    return user_cache_dir() / "catalogs"


# -- public entry points ---------------------------------------------------------------------------
def load_object_info(path: str | Path, *, use_cache: bool = True) -> Catalog:
    """Catalog.from_object_info(path), answered from the cache when the file was seen before."""
    return _load(Path(path), "object_info", use_cache)


def load_snapshot(path: str | Path, *, use_cache: bool = True) -> Catalog:
    """A snapshot file's catalog (snapshot.catalog_from_snapshot), cached like an /object_info."""
    return _load(Path(path), "snapshot", use_cache)


def _load(path: Path, kind: str, use_cache: bool) -> Catalog:
    root = cache_root() if use_cache else None
    if root is None:
        return _unstored(path, kind)
    store = CatalogStore(root)
    digest = store.recorded_digest(path)
    entry = store.read(kind, digest) if digest else None
    if entry is None:
        data, before = _read_source(path, kind)
        digest = hashlib.sha256(data).hexdigest()
        entry = store.read(kind, digest)
        if entry is None:
            source, data = _SourceBytes(data), b""
            built = _BUILDERS[kind](source, str(path))
            if built is None:  # not plain /object_info: the uncached reader gives the verdict
                return _UNCACHED[kind](path)
            store.write(kind, digest, built)
            entry = built.entry
        store.record_digest(path, before, digest)
    return entry.catalog(str(path))


def _unstored(path: Path, kind: str) -> Catalog:
    """Without a cache, an /object_info is still read the cache's way, into memory only: one node
    class at a time, each kept as its text and decoded when a workflow uses it (as fast as one
    json.loads for a small file; for a 100 MB one, a third of the memory of decoding it whole)."""
    if kind != "object_info":
        return _UNCACHED[kind](path)
    source = _SourceBytes(_read_source(path, kind)[0])  # (the bytes held once: see _SourceBytes)
    built = _build_object_info(source, str(path))
    if built is None:  # not plain /object_info: the uncached reader gives the verdict
        return _UNCACHED[kind](path)
    return built.entry.catalog(str(path))


class _SourceBytes:
    """The source's bytes, handed over so that the builder can drop them once decoded to text
    (a 100 MB file must not be held twice while it is parsed)."""

    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data

    def text(self) -> str:
        data, self._data = self._data, None
        assert data is not None, "read once"
        return data.decode(json.detect_encoding(data), "surrogatepass")


def _read_source(path: Path, kind: str) -> tuple[bytes, os.stat_result]:
    what = "object_info" if kind == "object_info" else "snapshot"
    try:
        with open_regular(path) as handle:
            before = os.fstat(handle.fileno())
            if before.st_size > MAX_CATALOG_BYTES:
                raise UnreadableFile(0, too_large(before.st_size, MAX_CATALOG_BYTES))
            return handle.read(MAX_CATALOG_BYTES), before
    except OSError as exc:
        raise CatalogError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _uncached_snapshot(path: Path) -> Catalog:
    from .snapshot import catalog_from_snapshot, read_snapshot

    return catalog_from_snapshot(read_snapshot(path), source=str(path))


_UNCACHED: dict[str, Callable[[Path], Catalog]] = {"object_info": Catalog.from_object_info,
                                                   "snapshot": _uncached_snapshot}


# -- the compact form (packed.PackedNodes) ------------------------------------------------------------
@dataclass
class Entry:
    """One cached catalog: packed nodes plus what the Catalog needs besides them."""

    kind: str
    nodes: PackedNodes
    output_types: frozenset[str]
    extras: dict  # snapshots: server_lists, comfyui_version, manifest lists

    def catalog(self, source: str) -> Catalog:
        if self.kind == "snapshot":
            from .snapshot import snapshot_catalog, snapshot_manifest

            catalog = snapshot_catalog(self.nodes, self.extras["server_lists"],
                                       snapshot_manifest(self.extras["manifest"], source=source),
                                       self.extras["comfyui_version"], source=source)
        else:
            catalog = Catalog.from_server_nodes(self.nodes, source=source)
        catalog.output_types = self.output_types  # known without decoding every node
        return catalog


@dataclass
class Built:
    """A freshly built entry and the header and payload that store it."""

    entry: Entry
    header: dict
    payload: bytearray


class _RepeatedName(ValueError):
    """A class name given twice: json.loads keeps the last definition in the first place, which
    the one-pass packer does not reproduce; the uncached reader handles such a file."""


def pack(kind: str, nodes: Iterable[tuple[str, Any]], extras: dict | None = None) -> Built:
    """The entry for (class name, compact definition) pairs, each node's JSON text appended to
    one buffer as it comes (never all node objects at once)."""
    positions: dict[str, int] = {}
    ends: list[int] = []
    payload = bytearray()
    output_types: set[str] = set()
    for name, node in nodes:
        if name in positions:
            raise _RepeatedName(name)
        positions[name] = len(ends)
        payload += _COMPACT.encode(node).encode("ascii")
        ends.append(len(payload))
        output_types.update(declared_output_types(node))
    names = list(positions)
    header = {"names": names, "ends": ends, "output_types": sorted(output_types),
              "extras": extras or {}}
    entry = Entry(kind, PackedNodes(names, ends, payload), frozenset(output_types), extras or {})
    return Built(entry, header, payload)


def _build_object_info(source: "_SourceBytes", label: str) -> Built | None:
    """Parse an /object_info one node class at a time, keeping each only as the JSON text the
    file has for it: the first run peaks at ~2x the file instead of ~8x. None when the document
    is not plainly /object_info (invalid JSON, not an object, empty, odd entries):
    Catalog.from_object_info then reads it and says exactly what is wrong."""
    try:
        text = source.text()
        encoding = "ascii" if text.isascii() else "utf-8"
        positions: dict[str, int] = {}
        ends: list[int] = []
        payload = bytearray()
        output_types: set[str] = set()
        with gc_paused():
            for name, node, start, end in _top_level_items(text):
                if not positions and not (isinstance(node, dict)
                                          and ("input" in node or "output" in node)):
                    return None
                if name in positions:
                    raise _RepeatedName(name)
                positions[name] = len(ends)
                payload += text[start:end].encode(encoding, "surrogatepass")
                ends.append(len(payload))
                output_types.update(declared_output_types(node))
        if not positions:
            return None
    except (ValueError, RecursionError):
        return None
    names = list(positions)
    header = {"names": names, "ends": ends, "output_types": sorted(output_types), "extras": {}}
    entry = Entry("object_info", PackedNodes(names, ends, payload), frozenset(output_types), {})
    return Built(entry, header, payload)


def _top_level_items(text: str) -> Iterator[tuple[str, Any, int, int]]:
    """(key, value, where the value's text starts, where it ends) of a JSON object's members,
    parsed one value at a time. ValueError unless `text` is exactly one JSON object (what
    json.loads would accept)."""
    decoder = json.JSONDecoder()
    at = _JSON_SPACE.match(text).end()
    if text[at:at + 1] != "{":
        raise ValueError("not a JSON object")
    at = _JSON_SPACE.match(text, at + 1).end()
    if text[at:at + 1] == "}":
        at += 1
    else:
        while True:
            if text[at:at + 1] != '"':
                raise ValueError("expected a member name")
            key, at = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]  # not in typeshed
            at = _JSON_SPACE.match(text, at).end()
            if text[at:at + 1] != ":":
                raise ValueError("expected ':'")
            start = _JSON_SPACE.match(text, at + 1).end()
            value, at = decoder.raw_decode(text, start)
            yield key, value, start, at
            at = _JSON_SPACE.match(text, at).end()
            separator = text[at:at + 1]
            at = _JSON_SPACE.match(text, at + 1).end()
            if separator == "}":
                break
            if separator != ",":
                raise ValueError("expected ',' or '}'")
    if _JSON_SPACE.match(text, at).end() != len(text):
        raise ValueError("extra data after the object")


def _build_snapshot(source: "_SourceBytes", label: str) -> Built:
    from .snapshot import expand_file_references, snapshot_manifest, validate_snapshot

    try:
        with gc_paused():
            document = json.loads(source.text())
    except (ValueError, RecursionError) as exc:
        raise CatalogError(f"snapshot {label} is not valid JSON: {exc}") from None
    validate_snapshot(document, label)
    manifest = snapshot_manifest(document, source=label)
    nodes, server_lists = expand_file_references(document["nodes"], manifest)
    extras = {"server_lists": server_lists, "comfyui_version": document.get("comfyui_version"),
              "manifest": {key: document.get(key) for key in ("models", "input_files", "embeddings")}}
    return pack("snapshot", nodes.items(), extras)


_BUILDERS = {"object_info": _build_object_info, "snapshot": _build_snapshot}


# -- the files ------------------------------------------------------------------------------------
class CatalogStore:
    """Entries and path records under one cache root. Every failure to read or write is a miss:
    the run goes on from the source file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.code = _code_identity()

    def _entry_file(self, kind: str, digest: str) -> Path:
        key = self._key(kind, digest)
        return self.root / f"{hashlib.blake2b(json.dumps(key).encode(), digest_size=20).hexdigest()}.entry"

    def _key(self, kind: str, digest: str) -> list:
        return [ENTRY_FORMAT, __version__, self.code, kind, digest]

    def read(self, kind: str, digest: str) -> Entry | None:
        file = self._entry_file(kind, digest)
        blob = _map_own_file(file)
        if blob is None:
            return None
        entry = _parse_entry(blob, kind, self._key(kind, digest))
        if entry is not None:
            _touch(file)  # most recently used: pruning keeps it
        return entry

    def write(self, kind: str, digest: str, built: Built) -> None:
        body = json.dumps({**built.header, "key": self._key(kind, digest)},
                          separators=(",", ":")).encode("ascii") + b"\n"
        checksum = zlib.crc32(built.payload, zlib.crc32(body))
        first_line = b"%s %d %08x\n" % (MAGIC, ENTRY_FORMAT, checksum)
        if self._save(self._entry_file(kind, digest), [first_line, body, built.payload]):
            self._prune("*.entry", KEEP_ENTRIES)

    # stat identity -> digest, so that an unchanged source is not even read
    def _path_record(self, path: Path) -> Path:
        name = os.path.abspath(path).encode("utf-8", "surrogateescape")
        return self.root / "paths" / f"{hashlib.blake2b(name, digest_size=16).hexdigest()}.json"

    def recorded_digest(self, path: Path) -> str | None:
        blob = _read_own_file(self._path_record(path))
        try:
            record = json.loads(blob) if blob else None
            current = _stat_identity(os.stat(path))
        except (ValueError, OSError):
            return None
        if isinstance(record, dict) and record.get("stat") == current \
                and isinstance(record.get("sha256"), str):
            return record["sha256"]
        return None

    def record_digest(self, path: Path, read_from: os.stat_result, digest: str) -> None:
        try:
            now = os.stat(path)
        except OSError:
            return
        identity = _stat_identity(read_from)
        settled = time.time_ns() - max(now.st_mtime_ns, now.st_ctime_ns) > RACY_SECONDS * 1e9
        if identity != _stat_identity(now) or not settled:
            return  # changed while read, or may still change unseen: hash it next time
        record = json.dumps({"path": os.path.abspath(path), "stat": identity, "sha256": digest})
        if self._save(self._path_record(path), [record.encode("utf-8", "surrogateescape")]):
            self._prune("paths/*.json", KEEP_PATH_RECORDS)

    def _save(self, file: Path, parts: list[bytes | bytearray]) -> bool:
        from ..writing import atomic_write

        try:
            file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write(file, parts)  # piece by piece: an 80 MB entry is not copied once more
            return True
        except OSError:
            return False  # a read-only or full disk: the run goes on uncached

    def _prune(self, pattern: str, keep: int) -> None:
        """Keep the `keep` most recently used files; drop temp files of writers that died.
        A concurrent reader keeps what it opened (POSIX); where removal fails it is skipped."""
        dated = []
        for file in self.root.glob(pattern):
            try:
                dated.append((file.stat().st_mtime_ns, file))
            except OSError:
                continue
        stale = [file for _, file in sorted(dated, reverse=True)[keep:]]
        cutoff = time.time() - STALE_TEMP_SECONDS
        for temp in self.root.glob(f"{os.path.dirname(pattern) or '.'}/.*.tmp"):
            try:
                if temp.stat().st_mtime < cutoff:
                    stale.append(temp)
            except OSError:
                continue
        for file in stale:
            try:
                file.unlink()
            except OSError:
                pass


def _parse_entry(blob: bytes | mmap.mmap, kind: str, key: list) -> Entry | None:
    """The entry in `blob` if it is complete, intact and has this key; else None."""
    first_end = blob.find(b"\n", 0, 64)
    header_end = blob.find(b"\n", first_end + 1) if first_end > 0 else -1
    if header_end < 0:
        return None
    magic, _, rest = blob[:first_end].partition(b" ")
    version, _, checksum = rest.partition(b" ")
    view = memoryview(blob)
    if magic != MAGIC or version != b"%d" % ENTRY_FORMAT \
            or checksum != b"%08x" % zlib.crc32(view[first_end + 1:]):
        return None
    try:
        header = json.loads(view[first_end + 1:header_end].tobytes())
    except ValueError:
        return None
    payload = view[header_end + 1:]
    if not isinstance(header, dict) or header.get("key") != key:
        return None
    names, ends = header.get("names"), header.get("ends")
    if not (isinstance(names, list) and isinstance(ends, list) and len(names) == len(ends)
            and (ends[-1] if ends else 0) == len(payload)
            and isinstance(header.get("output_types"), list) and isinstance(header.get("extras"), dict)):
        return None
    return Entry(kind, PackedNodes(names, ends, payload), frozenset(header["output_types"]),
                 header["extras"])


def _read_own_file(file: Path) -> bytes | None:
    """The file's bytes if it exists and belongs to this user (a relocated cache directory may be
    shared: never read what someone else could have put there)."""
    try:
        with open_regular(file) as handle:
            return handle.read() if _own(handle) else None
    except OSError:
        return None


def _map_own_file(file: Path) -> bytes | mmap.mmap | None:
    """_read_own_file, mapped instead of copied on POSIX: an 80 MB entry is checked and looked
    up in place (entries are replaced by rename, never rewritten, so a mapping always sees the
    whole file it opened)."""
    try:
        with open_regular(file) as handle:
            if not _own(handle):
                return None
            if os.name == "posix" and os.fstat(handle.fileno()).st_size:
                return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            return handle.read()
    except (OSError, ValueError):
        return None


def _own(handle) -> bool:
    return not hasattr(os, "getuid") or os.fstat(handle.fileno()).st_uid == os.getuid()


def _touch(file: Path) -> None:
    try:
        os.utime(file)
    except OSError:
        pass


def _stat_identity(stat: os.stat_result) -> list[int]:
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


def _code_identity() -> str:
    """The catalog code's files: in a source checkout, an edited compaction must not reuse old
    entries (edits elsewhere in comfylint leave the catalog cache alone)."""
    from ..resources import code_identity

    return code_identity(Path(__file__).resolve().parent)
