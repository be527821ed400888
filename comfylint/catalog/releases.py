"""ComfyUI releases as data: everything comfylint knows about one release, read by one loader.

Each bundled release is a folder `comfylint/catalog/data/<version>/` written by
`tools/build_releases.py` from a real server capture (never edited by hand):

- `release.json`: provenance (version, commit or source, date, how it was captured), how that
  server validates (`server`: which error types exist, what it checks), the nodes that validate
  their own inputs, which inputs list server files (and from which folder), the model folder
  layout, the frontend's widget kinds of that era, and summaries of the node set;
- `nodes.jsonl`: the node definitions without free text, one `["Class", {...}]` per line (sorted,
  so that a diff between releases reads as ComfyUI's drift), decoded only when a class is looked up;
- any licence notice the data's source asks to keep beside it (`NOTICE`).

Only the release in use is read, and only when first needed: listing the bundled releases is a
directory listing. A server catalog (an /object_info, a snapshot, a live server) borrows the facts
of the newest bundled release not newer than that server (`release_for`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from functools import cache
from pathlib import Path
from typing import Any

from ..record import Record

DATA_DIR = Path(__file__).with_name("data")
NODES_FILE = "nodes.jsonl"
RELEASE_FILE = "release.json"
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")
# A raw /object_info is taken to be at least a release when it has this share of the node classes
# that release introduced (classes get added far more often than removed).
INTRODUCED_SHARE = 0.5


def parse_version(text: Any) -> tuple[int, int, int] | None:
    """`"0.26.0"`, `"v0.3.64"`, `"0.35"` -> a comparable tuple; None for anything else."""
    match = _VERSION.match(text.strip()) if isinstance(text, str) else None
    return (int(match[1]), int(match[2]), int(match[3] or 0)) if match else None


class ServerBehaviour(Record):
    """How a release's `POST /prompt` validation answers (the reference's §2-§8, and §12 for
    newer servers). Rules read these instead of assuming one ComfyUI."""

    __slots__ = ("error_types", "checks_v3_combo_values", "wildcard_anywhere", "match_type_passes",
                 "list_into_combo", "skips_non_navigable_links", "canonical_prompt_ids",
                 "cycle_errors_per_node")

    def __init__(self, error_types: Mapping[str, str | None], checks_v3_combo_values: bool,
                 wildcard_anywhere: bool, match_type_passes: bool, list_into_combo: bool,
                 skips_non_navigable_links: bool, canonical_prompt_ids: bool,
                 cycle_errors_per_node: bool) -> None:
        # Error types this release names differently from the newest (e.g. 0.3.64 says
        # invalid_prompt where newer servers say missing_node_type); a type mapped to null does
        # not exist there.
        self.error_types = error_types
        self.checks_v3_combo_values = checks_v3_combo_values  # v3 `COMBO` values checked
        self.wildcard_anywhere = wildcard_anywhere  # `*` matches anything, even inside a union
        self.match_type_passes = match_type_passes  # a COMFY_MATCHTYPE_V3 input accepts any link
        self.list_into_combo = list_into_combo  # a list-typed output may feed a v3 `COMBO`
        self.skips_non_navigable_links = skips_non_navigable_links  # `nonNavigable` not followed
        self.canonical_prompt_ids = canonical_prompt_ids  # a client `prompt_id` must be a UUID
        self.cycle_errors_per_node = cycle_errors_per_node  # dependency_cycle on every node

    def error_type(self, newest: str | None) -> str | None:
        """What this release calls the error the newest servers call `newest`."""
        if newest is None:
            return None
        return self.error_types.get(newest, newest)


class Release:
    """One bundled ComfyUI release: its facts (release.json) and, on demand, its nodes. One
    object per release (release() caches them), compared and hashed by identity."""

    __slots__ = ("version", "folder", "facts")

    def __init__(self, version: str, folder: Path, facts: dict) -> None:
        self.version = version
        self.folder = folder
        self.facts = facts

    def __repr__(self) -> str:
        return f"Release(version={self.version!r}, folder={self.folder!r})"

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        parsed = parse_version(self.version)
        assert parsed is not None, f"bundled release folder {self.folder} is not a version"
        return parsed

    @property
    def provenance(self) -> dict:
        return self.facts["provenance"]

    @property
    def server(self) -> ServerBehaviour:
        return _behaviour(self.version)

    @property
    def custom_validation(self) -> dict[str, dict]:
        return self.facts["custom_validation"]

    @property
    def server_lists(self) -> dict[str, dict[str, str | None]]:
        """class -> input -> the server folder its combo lists (None: a folder the capture
        cannot name), for the release's core nodes."""
        return self.facts["server_lists"]

    @property
    def model_input_folders(self) -> dict[str, str]:
        """Input names that always list one folder in this release (ckpt_name -> checkpoints):
        how a server's own loaders are recognised when the catalog does not say."""
        return self.facts["model_input_folders"]

    @property
    def model_folders(self) -> dict[str, list[str]]:
        """Model folder -> directories relative to a ComfyUI root (folder_paths)."""
        return self.facts["model_folders"]

    @property
    def frontend(self) -> dict:
        return self.facts["frontend"]

    @property
    def introduced(self) -> frozenset[str]:
        return frozenset(self.facts["introduced"])

    @property
    def output_types(self) -> frozenset[str]:
        return frozenset(self.facts["output_types"])

    def nodes(self) -> Mapping[str, Any]:
        return _nodes(self.version)

    def describe(self) -> str:
        return f"bundled catalog (ComfyUI {self.version})"


@cache
def bundled_versions() -> tuple[str, ...]:
    """The bundled releases, oldest first (folder names only: nothing is read)."""
    found = [entry.name for entry in DATA_DIR.iterdir()
             if entry.is_dir() and parse_version(entry.name) is not None
             and (entry / RELEASE_FILE).is_file()]
    return tuple(sorted(found, key=parse_version))  # type: ignore[arg-type]


def newest() -> Release:
    return release(bundled_versions()[-1])


@cache
def release(version: str) -> Release:
    """A bundled release by its exact version (KeyError when it is not bundled)."""
    if version not in bundled_versions():
        raise KeyError(version)
    folder = DATA_DIR / version
    facts = json.loads((folder / RELEASE_FILE).read_text(encoding="utf-8"))
    return Release(version, folder, facts)


class UnknownRelease(ValueError):
    """A ComfyUI version no bundled release can stand for; the message is for the user."""


def bundled_release(version: str | None) -> Release:
    """The bundled catalog for `--comfyui-version`: the newest bundled release not newer than the
    version asked for (the newest of all when None)."""
    if version is None:
        return newest()
    wanted = parse_version(version)
    if wanted is None:
        raise UnknownRelease(f"{version!r} is not a ComfyUI version (expected e.g. "
                             f"{bundled_versions()[-1]})")
    chosen = release_for(version)
    if chosen is None:
        raise UnknownRelease(
            f"no bundled catalog is as old as ComfyUI {version} (bundled: "
            f"{', '.join(bundled_versions())}): lint against a snapshot of that server "
            "(comfylint snapshot --server URL)")
    return chosen


def release_for(version: Any) -> Release | None:
    """The newest bundled release not newer than `version` (a server's own version), or None
    when the version is unknown or older than every bundled release."""
    wanted = parse_version(version)
    if wanted is None:
        return None
    fitting = [v for v in bundled_versions() if parse_version(v) <= wanted]  # type: ignore[operator]
    return release(fitting[-1]) if fitting else None


def infer_release(class_names: Iterable[str]) -> Release:
    """The release a versionless /object_info most likely comes from: the newest bundled release
    whose newly introduced core classes it mostly has (for the oldest: most of its classes).
    Without such evidence (a few classes, custom nodes only) it is taken to be a current server:
    the newest release."""
    # The few classes each release introduced are looked up in the many names, not the other way.
    names = class_names if isinstance(class_names, (AbstractSet, Mapping)) else set(class_names)
    for version in reversed(bundled_versions()):
        introduced = release(version).introduced
        if introduced and sum(1 for name in introduced if name in names) \
                >= INTRODUCED_SHARE * len(introduced):
            return release(version)
    return newest()


def release_of_frontend(frontend: tuple[int, int, int] | None) -> Release:
    """The oldest bundled release whose frontend bound (release.json `frontend.at_most`) reaches
    an editor of this version: the server an editor of that era most likely talked to (its node
    display names, its choices). Unknown frontend: the oldest release."""
    for version in bundled_versions():
        bound = parse_version(release(version).frontend.get("at_most"))
        if frontend is None or (bound is not None and frontend <= bound):
            return release(version)
    return newest()


def core_release_of(class_type: str) -> Release | None:
    """The oldest bundled release that has `class_type` as a core node, or None."""
    for version in bundled_versions():
        if class_type in release(version).nodes():
            return release(version)
    return None


# Facts of a core node that custom packs never change and a catalog can vouch for when every
# bundled release agrees on them: an input's bounds, a node's outputs. (Combo choices are not
# among them: packs extend core lists, e.g. samplers.)
STABLE_FACTS = {
    "min": lambda node, name: _input_options(node, name).get("min"),
    "max": lambda node, name: _input_options(node, name).get("max"),
    "outputs": lambda node, _name: node.get("output"),
}


@cache
def held_in_every_release(class_type: str, input_name: str | None, fact: str) -> bool:
    """True when at least two bundled releases have the core class and all that have it agree on
    `fact` (a STABLE_FACTS key) of it: a fact that held from the oldest release we know to the
    newest, which a server of another version is therefore expected to share."""
    read = STABLE_FACTS[fact]
    seen = [read(nodes[class_type], input_name) for nodes in
            (release(version).nodes() for version in bundled_versions()) if class_type in nodes]
    return len(seen) >= 2 and all(value == seen[0] for value in seen)


def _input_options(node: Any, name: str | None) -> dict:
    declared = node.get("input") if isinstance(node, dict) else None
    for group in ("required", "optional"):
        entries = declared.get(group) if isinstance(declared, dict) else None
        spec = entries.get(name) if isinstance(entries, dict) else None
        if isinstance(spec, list) and len(spec) > 1 and isinstance(spec[1], dict):
            return spec[1]
    return {}


def known_core_facts(preferred: Release, key: str) -> dict[str, Any]:
    """class -> a per-class fact (`custom_validation`, `server_lists`) from every bundled release,
    `preferred`'s where it has the class: what a core class does holds on any server that has it."""
    return _known_core_facts(preferred.version, key)


@cache
def _known_core_facts(preferred: str, key: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for version in bundled_versions():
        merged.update(release(version).facts[key])
    merged.update(release(preferred).facts[key])
    return merged


@cache
def _behaviour(version: str) -> ServerBehaviour:
    server = dict(release(version).facts["server"])
    return ServerBehaviour(**server)


@cache
def _nodes(version: str) -> Mapping[str, Any]:
    from .packed import PackedNodes

    names, ends, payload = read_node_lines((DATA_DIR / version / NODES_FILE).read_bytes())
    return PackedNodes(names, ends, payload)


def read_node_lines(data: bytes) -> tuple[list[str], list[int], bytes]:
    """(names, end offsets, payload) of a nodes.jsonl: each definition's JSON text kept as is
    (PackedNodes decodes one on lookup), its class name read without decoding the rest."""
    names: list[str] = []
    ends: list[int] = []
    bodies: list[bytes] = []
    size = 0
    for line in data.splitlines():
        if not line:
            continue
        # node_line writes ASCII only, so character and byte offsets agree
        name, at = json.decoder.scanstring(line.decode("ascii"), 2)  # type: ignore[attr-defined]
        body = line[at + 1:-1]  # after `["<name>",`, before the closing `]`
        names.append(name)
        bodies.append(body)
        size += len(body)
        ends.append(size)
    return names, ends, b"".join(bodies)


def node_line(name: str, node: Any) -> str:
    """One nodes.jsonl line (what tools/build_releases.py writes and read_node_lines reads). Keys
    keep the capture's order: it is the input order, and dynamic inputs depend on it."""
    return json.dumps([name, node], separators=(",", ":"), ensure_ascii=True)
