"""Which custom-node pack provides a class_type: ComfyUI-Manager's extension-node-map.json.

The map is GPL data, so comfylint never ships it and never fetches it behind the user's back. It is
read at run time from, in order: a path the user gives (--extension-node-map or the
COMFYLINT_EXTENSION_NODE_MAP variable), an installed ComfyUI-Manager inside --comfyui-dir, or the
cache that only `comfylint packs update` fills.

Map shape: {pack_url: [[class names...], {"title_aux": ..., "nodename_pattern": regex, ...}]}.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterable

from ..errors import ComfylintError
from ..record import FrozenRecord

MAP_FILE_NAME = "extension-node-map.json"
MAP_ENV_VAR = "COMFYLINT_EXTENSION_NODE_MAP"
MANAGER_DIR_NAMES = ("ComfyUI-Manager", "comfyui-manager")
DEFAULT_MAP_URL = ("https://raw.githubusercontent.com/ltdrdata/ComfyUI-Manager/main/"
                   "extension-node-map.json")
CORE_REPOSITORIES = ("github.com/comfyanonymous/comfyui", "github.com/comfy-org/comfyui")
CORE_CNR_ID = "comfy-core"
SHOWN_PACKS = 5


class PackMapError(ComfylintError):
    """An extension-node-map file that cannot be read (a usage error: exit 2)."""


class Pack(FrozenRecord):
    """A custom-node pack of the Manager's map: its repository, title and node name pattern."""

    __slots__ = ("url", "title", "pattern")

    def __init__(self, url: str, title: str, pattern: re.Pattern | None) -> None:
        self.url = url
        self.title = title
        self.pattern = pattern

    @property
    def is_core(self) -> bool:
        return self.url.lower().rstrip("/").removesuffix(".git").endswith(CORE_REPOSITORIES)


class PackMatch(FrozenRecord):
    """A pack that claims a node type."""

    __slots__ = ("pack", "by_pattern")

    def __init__(self, pack: Pack, by_pattern: bool) -> None:
        self.pack = pack
        self.by_pattern = by_pattern  # matched by nodename_pattern rather than listed by name


class PackIndex:
    """class_type -> packs that claim it, by name first, then by nodename_pattern."""

    def __init__(self, data: dict, *, source: str) -> None:
        self.source = source
        self._by_name: dict[str, list[Pack]] = {}
        self._patterned: list[Pack] = []
        self._names_of: dict[str, frozenset[str]] = {}
        for url, entry in data.items():
            if not isinstance(url, str) or not isinstance(entry, list) or not entry:
                continue
            names = [n for n in entry[0] if isinstance(n, str)] if isinstance(entry[0], list) else []
            meta = entry[1] if len(entry) > 1 and isinstance(entry[1], dict) else {}
            title = meta.get("title_aux")
            title = title if isinstance(title, str) else url.rstrip("/").rsplit("/", 1)[-1]
            pack = Pack(url, title, _compile(meta.get("nodename_pattern")))
            self._names_of[url] = frozenset(names)
            for name in names:
                self._by_name.setdefault(name, []).append(pack)
            if pack.pattern is not None:
                self._patterned.append(pack)

    def __len__(self) -> int:
        return len(self._names_of)

    def lookup(self, class_type: str, *, context: Iterable[str] = ()) -> list[PackMatch]:
        """Every pack claiming `class_type`, ranked: listed by name before matched by pattern,
        then by how many of the workflow's other class types (`context`) the same pack provides,
        then by URL (deterministic). Nothing is guessed away: all claimants are returned."""
        matches = [PackMatch(p, False) for p in self._by_name.get(class_type, ())]
        listed = {m.pack.url for m in matches}
        matches += [PackMatch(p, True) for p in self._patterned
                    if p.url not in listed and p.pattern is not None and p.pattern.search(class_type)]
        others = set(context) - {class_type}

        def rank(match: PackMatch) -> tuple:
            shared = len(self._names_of.get(match.pack.url, frozenset()) & others)
            return (match.by_pattern, -shared, match.pack.url.lower())

        return sorted(matches, key=rank)

    @classmethod
    def from_file(cls, path: str | Path) -> "PackIndex":
        from .manifest import read_json_file

        data = read_json_file(path, "extension node map", PackMapError)
        if not isinstance(data, dict):
            raise PackMapError(f"{path} is not ComfyUI-Manager's {MAP_FILE_NAME} "
                               "(expected an object of pack URLs)")
        return cls(data, source=str(path))


def _compile(pattern: Any) -> re.Pattern | None:
    if not isinstance(pattern, str) or not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        return None  # one pack's broken regex must not stop the lookup


def cache_path() -> Path:
    """Where `comfylint packs update` stores the downloaded map."""
    from ..resources import user_cache_dir

    return user_cache_dir() / MAP_FILE_NAME


def find_map(explicit: str | None = None, comfyui_dir: str | None = None) -> Path | None:
    """The first map found: explicit path, environment, installed Manager, cache (never network)."""
    if explicit:
        return Path(explicit)
    if os.environ.get(MAP_ENV_VAR):
        return Path(os.environ[MAP_ENV_VAR])
    if comfyui_dir:
        for name in MANAGER_DIR_NAMES:
            candidate = Path(comfyui_dir).expanduser() / "custom_nodes" / name / MAP_FILE_NAME
            if os.path.isfile(candidate):
                return candidate
    cached = cache_path()
    # os.path.isfile, not Path.is_file: a cache directory that cannot be searched (EACCES, a
    # path too long) is a cache that is not there, not an error in every check.
    return cached if os.path.isfile(cached) else None


def load_index(explicit: str | None = None, comfyui_dir: str | None = None) -> PackIndex | None:
    path = find_map(explicit, comfyui_dir)
    return PackIndex.from_file(path) if path is not None else None


# -- explanations for N201 ------------------------------------------------------------------------
def node_origin(node: Any) -> dict[str, str]:
    """cnr_id / aux_id / ver the frontend records for a node (API `_meta` or UI `properties`)."""
    found = {}
    for holder in ("_meta", "properties"):
        data = node.get(holder) if isinstance(node, dict) else None
        if isinstance(data, dict):
            for key in ("cnr_id", "aux_id", "ver"):
                if isinstance(data.get(key), str) and data[key] and key not in found:
                    found[key] = data[key]
    return found


def has_known_origin(catalog: Any, class_type: str, node: Any) -> bool:
    """The workflow (cnr_id / aux_id) or the packs map says which pack provides the node: it is
    a node of its own, not a misspelt one."""
    from .releases import core_release_of

    if node_origin(node).keys() & {"cnr_id", "aux_id"}:
        return True
    if core_release_of(class_type) is not None:
        return True
    index = getattr(catalog, "node_packs", None)
    return index is not None and bool(index.lookup(class_type))


def unknown_node_hint(catalog: Any, class_type: str, node: Any, workflow: Any) -> str | None:
    """Where a class_type the catalog lacks comes from, and how to get it; None if unknown.

    `workflow` (the API graph) ranks packs claiming the same name: the pack that also provides
    the workflow's other node types comes first.
    """
    from .releases import core_release_of

    workflow_types = {n.get("class_type") for n in workflow.values()
                      if isinstance(n, dict) and isinstance(n.get("class_type"), str)} \
        if isinstance(workflow, dict) else set()

    origin = node_origin(node)
    catalog_version = catalog.comfyui_version or "unknown"
    core = core_release_of(class_type)
    if origin.get("cnr_id") == CORE_CNR_ID or core is not None:
        newer = f" {origin['ver']}" if origin.get("ver") else ""
        since = f" (bundled ComfyUI {core.version} has it)" if core is not None else ""
        return (f"{class_type!r} is a core ComfyUI{newer} node{since}; the catalog in use "
                f"({catalog.source}, ComfyUI {catalog_version}) is older or lacks it: update "
                "ComfyUI on the server, or lint against a snapshot of the server that will run it.")
    parts = []
    if origin.get("cnr_id"):
        version = f" {origin['ver']}" if origin.get("ver") else ""
        parts.append(f"the workflow says it comes from the registry pack {origin['cnr_id']!r}{version}: "
                     f"`comfy node install {origin['cnr_id']}`")
    elif origin.get("aux_id"):
        parts.append(f"the workflow says it comes from https://github.com/{origin['aux_id']}")
    index = getattr(catalog, "node_packs", None)
    if index is not None:
        matches = index.lookup(class_type, context=workflow_types)
        if any(m.pack.is_core for m in matches):
            return (f"{class_type!r} is a core ComfyUI node (per {Path(index.source).name}); the "
                    f"catalog in use (ComfyUI {catalog_version}) is older: update ComfyUI.")
        if matches:
            parts.append(_describe_matches(matches))
        elif not parts:
            parts.append(f"no pack in {Path(index.source).name} provides it")
    if not parts:
        return None
    return "; ".join(parts) + "."


def _describe_matches(matches: list[PackMatch]) -> str:
    def one(match: PackMatch) -> str:
        how = " (by name pattern)" if match.by_pattern else ""
        return f"{match.pack.title} <{match.pack.url}>{how}"

    if len(matches) == 1:
        return f"provided by {one(matches[0])}: install it with ComfyUI-Manager or git clone it into custom_nodes/"
    shown = "; ".join(f"{i}. {one(m)}" for i, m in enumerate(matches[:SHOWN_PACKS], 1))
    more = f" and {len(matches) - SHOWN_PACKS} more" if len(matches) > SHOWN_PACKS else ""
    return f"{len(matches)} packs claim it (most likely first): {shown}{more}"
