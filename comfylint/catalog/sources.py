"""Build the Catalog a run uses from the sources the user named.

Three independent questions, each answered by the first source given:

- node definitions: --object-info FILE | --snapshot FILE | --server URL (give at most one),
  else the bundled core catalog;
- server files (models, input files, embeddings): --manifest FILE | --comfyui-dir DIR and/or
  --models-dir DIR (scanned from disk), else what the snapshot or server lists, else unknown
  (a plain --object-info still judges models against its own combo lists);
- custom-node packs: --extension-node-map FILE | $COMFYLINT_EXTENSION_NODE_MAP | the
  ComfyUI-Manager installed in --comfyui-dir | the cache `comfylint packs update` fills.

Any unreadable source is a SourceError (the CLI prints it and exits 2).
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import ComfylintError
from ..reading import open_regular
from ..record import Record
from . import Catalog, CatalogError
from .packs import load_index
from .releases import UnknownRelease

if TYPE_CHECKING:
    from .manifest import Manifest


class SourceError(ComfylintError):
    """A catalog, manifest, pack map or server that cannot be used; the message is for the user."""


class CatalogSources(Record):
    """What the user named for the catalog (see the module's docstring)."""

    __slots__ = ("object_info", "snapshot", "server", "headers", "token", "timeout",
                 "comfyui_dir", "models_dir", "manifest", "extension_node_map", "cache",
                 "comfyui_version")

    def __init__(self, object_info: str | None = None, snapshot: str | None = None,
                 server: str | None = None, headers: Sequence[str] = (), token: str | None = None,
                 timeout: float | None = None, comfyui_dir: str | None = None,
                 models_dir: str | None = None, manifest: str | None = None,
                 extension_node_map: str | None = None, cache: bool = True,
                 comfyui_version: str | None = None) -> None:
        self.object_info = object_info
        self.snapshot = snapshot
        self.server = server
        self.headers = headers
        self.token = token
        self.timeout = timeout
        self.comfyui_dir = comfyui_dir
        self.models_dir = models_dir
        self.manifest = manifest
        self.extension_node_map = extension_node_map
        self.cache = cache  # node definitions from the user's catalog cache (catalog/cache.py)
        # The server's ComfyUI version (--comfyui-version): with no node source, the bundled
        # release to use; with an /object_info, the version it does not say; it overrides what a
        # snapshot or server says of itself.
        self.comfyui_version = comfyui_version


def build_catalog(sources: CatalogSources, nodes: Catalog | None = None) -> Catalog:
    """The run's catalog. `nodes`: node definitions the caller already holds (the Python API's
    parsed /object_info or snapshot), used instead of the sources' node definitions."""
    node_sources = [o for o, v in (("--object-info", sources.object_info),
                                    ("--snapshot", sources.snapshot),
                                    ("--server", sources.server)) if v]
    if len(node_sources) > 1:
        raise SourceError(f"{' and '.join(node_sources)} both give node definitions: give one")
    if sources.manifest and (sources.comfyui_dir or sources.models_dir):
        raise SourceError("--manifest and --comfyui-dir/--models-dir both give the server's files: "
                          "give one")
    try:
        catalog = nodes if nodes is not None else _node_catalog(sources)
        if sources.comfyui_version and not catalog.bundled \
                and catalog.comfyui_version != sources.comfyui_version:
            catalog = catalog.for_version(sources.comfyui_version)
        manifest = local_manifest(sources, catalog.release.model_folders)
        packs = load_index(sources.extension_node_map, sources.comfyui_dir)
    except (ComfylintError, UnknownRelease) as exc:  # (a catalog, manifest or pack map unusable)
        raise SourceError(str(exc)) from None
    if manifest is None and packs is None:
        return catalog
    # Never change the shared bundled singleton: a copy carries this run's environment.
    catalog = copy.copy(catalog)
    if manifest is not None:
        catalog.manifest = manifest
        catalog.files_given = True
        catalog.source = f"{catalog.source}; files from {manifest.source}"
    if packs is not None:
        catalog.node_packs = packs
    return catalog


def _node_catalog(sources: CatalogSources) -> Catalog:
    if sources.object_info:
        return load_catalog_file(sources.object_info, use_cache=sources.cache)
    if sources.snapshot:
        from .cache import load_snapshot

        return load_snapshot(sources.snapshot, use_cache=sources.cache)
    if sources.server:
        return server_catalog(sources)
    return Catalog.stock(sources.comfyui_version)


def load_catalog_file(path: str | Path, *, use_cache: bool = True) -> Catalog:
    """A catalog file of either kind: a comfylint snapshot, or a raw /object_info response."""
    from .cache import load_object_info, load_snapshot

    try:
        with open_regular(path) as handle:
            head = handle.read(64)
    except OSError as exc:
        raise CatalogError(f"cannot read object_info {path}: {exc.strerror or exc}") from None
    if b'"comfylint_snapshot"' in head:
        return load_snapshot(path, use_cache=use_cache)
    return load_object_info(path, use_cache=use_cache)


def server_catalog(sources: CatalogSources) -> Catalog:
    """Read a live server once and use it as a snapshot would be used."""
    from ..probe.client import ProbeError
    from ..probe.state import read_state
    from .snapshot import build_snapshot, catalog_from_snapshot

    try:
        client = make_client(sources)
        state = read_state(client)
    except ProbeError as exc:
        raise SourceError(str(exc)) from None
    document = build_snapshot(state.object_info, state.manifest,
                              comfyui_version=state.comfyui_version)
    return catalog_from_snapshot(document, source=f"server {client.display_url}")


def make_client(sources: CatalogSources):
    """The HTTP client for --server with --header/--token/--timeout applied."""
    from ..probe.client import ServerClient, auth_header, parse_header

    headers = dict(parse_header(h) for h in sources.headers)
    if sources.token:
        name, value = auth_header(sources.server or "", sources.token)
        headers.setdefault(name, value)
    client = ServerClient(sources.server or "", headers=headers)
    if sources.timeout:
        client.timeout = sources.timeout
    return client


def local_manifest(sources: CatalogSources,
                   folders: dict[str, list[str]] | None = None) -> Manifest | None:
    """The server's files the user named; `folders`: the model folder layout of the release in
    use (catalog.release.model_folders; default: the newest bundled release's)."""
    if not (sources.manifest or sources.comfyui_dir or sources.models_dir):
        return None  # (the manifest module is loaded only for a run that names files)
    from .manifest import Manifest

    if sources.manifest:
        return Manifest.from_file(sources.manifest)
    if sources.comfyui_dir:
        return Manifest.from_comfyui_dir(sources.comfyui_dir, models_dir=sources.models_dir,
                                         folders=folders)
    if sources.models_dir:
        return Manifest.from_models_dir(sources.models_dir, folders)
    return None
