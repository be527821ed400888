"""`comfylint packs`: which custom-node pack provides a node, from ComfyUI-Manager's map.

`packs update` is the only way comfylint downloads the map (GPL data, never shipped with it).
"""
from __future__ import annotations

import sys

import click

from . import fail


@click.group()
def packs() -> None:
    """Look up custom-node packs in ComfyUI-Manager's extension-node-map.json."""


@packs.command("update")
@click.option("--url", default=None, help="Where to download the map from (default: "
                                          "ComfyUI-Manager's repository).")
@click.option("--timeout", type=click.FloatRange(min=1), default=60, show_default=True)
def update(url, timeout) -> None:
    """Download extension-node-map.json into comfylint's user cache ($COMFYLINT_CACHE_DIR, else
    the platform's cache folder: ~/.cache/comfylint on Linux)."""
    import json
    import urllib.parse

    from ..catalog.packs import DEFAULT_MAP_URL, PackIndex, cache_path
    from ..probe.client import ServerClient

    source = url or DEFAULT_MAP_URL
    parts = urllib.parse.urlsplit(source)
    try:
        client = ServerClient(f"{parts.scheme}://{parts.netloc}", timeout=timeout)
        body = client.get(parts.path + (f"?{parts.query}" if parts.query else "")).body
        data = json.loads(body)
    except ValueError:
        fail(f"{source} did not answer JSON: not an extension-node-map.json")
    if not isinstance(data, dict):
        fail(f"{source} is not an extension-node-map.json (expected an object of pack URLs)")
    from ..writing import atomic_write

    target = cache_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, bytes(body))
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}")
    click.echo(f"comfylint: cached {len(PackIndex(data, source=str(target)))} packs in {target}",
               err=True)


@packs.command("which")
@click.argument("class_types", nargs=-1, required=True)
@click.option("--extension-node-map", type=click.Path(dir_okay=False),
              help="The map to read (default: $COMFYLINT_EXTENSION_NODE_MAP, then the cache).")
@click.option("--comfyui-dir", type=click.Path(file_okay=False),
              help="A ComfyUI whose installed ComfyUI-Manager holds the map.")
def which(class_types, extension_node_map, comfyui_dir) -> None:
    """Name the packs that provide each CLASS_TYPE, most likely first (exit 1 if one has none)."""
    from ..catalog.packs import load_index

    index = load_index(extension_node_map, comfyui_dir)
    if index is None:
        fail("no extension-node-map.json found: give --extension-node-map FILE, or run "
             "`comfylint packs update` once to download ComfyUI-Manager's map")
    missing = False
    for class_type in class_types:
        matches = index.lookup(class_type, context=class_types)
        if not matches:
            missing = True
            click.echo(f"{class_type}: no pack found")
        for match in matches:
            how = "pattern" if match.by_pattern else "name"
            click.echo(f"{class_type}: {match.pack.title} <{match.pack.url}> (by {how})")
    sys.exit(1 if missing else 0)
