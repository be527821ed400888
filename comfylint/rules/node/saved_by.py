"""Which ComfyUI saved a workflow, from what the file itself says, against the catalog in use.

Evidence, strongest first:
- `cnr_id: comfy-core` nodes record the ComfyUI version that made them (`ver`: UI `properties`,
  carried into the API view's `_meta`): the saving server was at least the newest of them;
- an official template's `minComfyUIVersion`, in the templates' `index.json` beside the file;
- `extra.frontendVersion`: the editor that saved it. Releases pin their frontend, and each bundled
  release records the newest frontend its era is known to have used (`release.json` frontend),
  so a file stamped by a newer editor came from a newer ComfyUI.

A node's `ver` is the ComfyUI that created it, not the one that last saved it: an old `ver` in a
file saved by a newer ComfyUI does not make that node's stored values old.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from ...catalog.packs import CORE_CNR_ID
from ...catalog.releases import parse_version
from ...record import FrozenRecord

TEMPLATE_INDEX = "index.json"

Version = tuple[int, int, int]


class SavedBy(FrozenRecord):
    """The newer ComfyUI a file says it comes from, and how it says so."""

    __slots__ = ("at_least", "evidence", "node_id")

    def __init__(self, at_least: str, evidence: str, node_id: str | None = None) -> None:
        self.at_least = at_least  # "ComfyUI >= 0.35.0", "a frontend newer than 1.45.15 (...)"
        self.evidence = evidence  # where the file says it
        self.node_id = node_id  # the node that carries the evidence, if one does


def core_version(node: Any) -> Version | None:
    """The ComfyUI version a core node records (its `ver`), or None."""
    for holder in ("_meta", "properties"):
        data = node.get(holder) if isinstance(node, dict) else None
        if isinstance(data, dict) and data.get("cnr_id") == CORE_CNR_ID:
            return parse_version(data.get("ver"))
    return None


def saved_by_newer(catalog: Any, api_nodes: dict, ui_document: Any, path: str, *,
                   object_keys: list[str] | None = None) -> SavedBy | None:
    """The evidence that the file was saved by a newer ComfyUI than the catalog's, or None.
    `object_keys`: every object key of the document `api_nodes` are (its nodes record no
    version when none is a cnr_id)."""
    mine = parse_version(catalog.comfyui_version)
    if mine is None:
        return None  # a server of unknown version: nothing to compare with
    newest, newest_id = None, None
    versions = object_keys is None or "cnr_id" in object_keys
    for node_id, node in api_nodes.items() if versions else ():
        version = core_version(node)
        if version is not None and (newest is None or version > newest):
            newest, newest_id = version, node_id
    if newest is not None and newest > mine:
        return SavedBy(f"ComfyUI >= {_text(newest)}", f"node #{newest_id} was made by "
                       f"{_text(newest)}: cnr_id comfy-core, ver", newest_id)
    minimum = template_minimum(path)
    if minimum is not None and minimum > mine:
        return SavedBy(f"ComfyUI >= {_text(minimum)}", "its template index asks for "
                       f"minComfyUIVersion {_text(minimum)}")
    extra = ui_document.get("extra") if isinstance(ui_document, dict) else None
    frontend = parse_version(extra.get("frontendVersion")) if isinstance(extra, dict) else None
    bound = parse_version(catalog.release.frontend.get("at_most"))
    if frontend is not None and bound is not None and frontend > bound \
            and catalog.comfyui_version == catalog.release.version:
        return SavedBy(f"a ComfyUI newer than {catalog.release.version}",
                       f"extra.frontendVersion: its editor was frontend {_text(frontend)}, "
                       f"{catalog.release.version}'s is at most {_text(bound)}")
    return None


def template_minimum(path: str) -> Version | None:
    """`minComfyUIVersion` of this file in an official templates `index.json` beside it."""
    folder, name = os.path.split(os.path.abspath(path))
    stem = name[:-5] if name.endswith(".json") else None
    index = os.path.join(folder, TEMPLATE_INDEX)
    if stem is None or name == TEMPLATE_INDEX:
        return None
    try:
        stat = os.stat(index)
    except OSError:
        return None
    return _template_minimums(index, stat.st_mtime_ns, stat.st_size).get(stem)


@lru_cache(maxsize=8)
def _template_minimums(index: str, _mtime: int, _size: int) -> dict[str, Version]:
    """name -> minComfyUIVersion of a templates index (a list of categories of templates)."""
    try:
        with open(index, encoding="utf-8") as handle:
            categories = json.load(handle)
    except (OSError, ValueError):
        return {}
    found: dict[str, Version] = {}
    for category in categories if isinstance(categories, list) else ():
        templates = category.get("templates") if isinstance(category, dict) else None
        for template in templates if isinstance(templates, list) else ():
            if isinstance(template, dict) and isinstance(template.get("name"), str):
                version = parse_version(template.get("minComfyUIVersion"))
                if version is not None:
                    found[template["name"]] = version
    return found


def _text(version: Version) -> str:
    return ".".join(map(str, version))
