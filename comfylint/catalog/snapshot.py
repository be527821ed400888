"""Snapshots: a server's node definitions and files in one compact, sorted, diffable JSON file.

Teams commit `comfyui.snapshot.json` and lint offline against it. Layout (schemas/snapshot.schema.json):
one line per node definition (free text such as descriptions and tooltips removed), one line per
model file, keys sorted, so that `git diff` between two captures reads as the server's drift.

A combo that lists server files (a model folder, input/) is stored as a reference,
`[extras, {"$files": "checkpoints", ...}]`: the file names live once under `models`, and loading
the snapshot puts them back, so the catalog a run uses sees exactly what the server listed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, TypeGuard

from . import UPLOAD_OPTION_KEYS, Catalog, CatalogError
from .manifest import Manifest, is_name_list, read_json_file, schema_problem

SNAPSHOT_VERSION = 1
FILES_MARKER = "$files"
# Free text that /object_info carries and a snapshot leaves out (it changes with translations and
# wording fixes, never with behaviour).
FREE_TEXT_KEYS = frozenset({"description", "tooltip", "output_tooltips", "placeholder",
                            "search_aliases", "price_badge"})
INPUT_GROUPS = ("required", "optional", "hidden")
MAX_NODE_DEPTH = 64  # real definitions nest about 10 levels (v3 dynamic combos in combos)


def nesting_depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (iteratively: any depth)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict)
                                                          else item))
    return deepest


# -- capture ---------------------------------------------------------------------------------------
def build_snapshot(object_info: dict, manifest: Manifest, *, comfyui_version: str | None,
                   system: dict | None = None, captured_at: str | None = None) -> dict:
    """The snapshot document of a server whose /object_info and files are known."""
    from .releases import infer_release, known_core_facts, release_for

    release = release_for(comfyui_version) or infer_release(object_info)
    core = CoreFolders(known_core_facts(release, "server_lists"), release.model_input_folders)
    nodes = {}
    for class_type, raw in object_info.items():
        if isinstance(raw, dict):
            if nesting_depth(raw) > MAX_NODE_DEPTH:
                raise CatalogError(f"node {class_type!r} of the /object_info is nested more than "
                                   f"{MAX_NODE_DEPTH} levels deep: not a node definition")
            nodes[class_type] = compact_node(class_type, raw, manifest, core)
    modules = sorted({str(raw.get("python_module")) for raw in object_info.values()
                      if isinstance(raw, dict)
                      and str(raw.get("python_module", "")).startswith("custom_nodes.")})
    snapshot: dict[str, Any] = {
        "comfylint_snapshot": SNAPSHOT_VERSION,
        "captured_at": captured_at or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "comfyui_version": comfyui_version,
        "custom_node_modules": modules,
        "models": {folder: sorted(names) for folder, names in sorted(manifest.models.items())},
        "nodes": nodes,
    }
    for key in ("input_files", "embeddings"):
        value = getattr(manifest, key)
        if value is not None:
            snapshot[key] = sorted(value)
    if system:
        snapshot["system"] = system
    return snapshot


@dataclass(frozen=True)
class CoreFolders:
    """What the bundled releases know about which inputs list which folder."""

    by_class: dict[str, dict[str, Any]]  # class -> input -> folder (None: unnamed)
    by_input_name: dict[str, str]  # loader input names that always list one folder


def compact_node(class_type: str, raw: dict, manifest: Manifest, core: CoreFolders) -> dict:
    node = strip_free_text(raw)
    declared = node.get("input")
    if not isinstance(declared, dict):
        return node
    for group in ("required", "optional"):
        entries = declared.get(group)
        if not isinstance(entries, dict):
            continue
        for input_name, spec in entries.items():
            folder = files_folder(class_type, input_name, spec, manifest, core)
            if folder is not None:
                entries[input_name] = _file_reference(spec, folder, manifest)
    return node


def strip_free_text(value: Any, *, names_map: bool = False) -> Any:
    """`value` without FREE_TEXT_KEYS (except where keys are input names). Containers that hold
    none are shared, not copied: a 100 MB /object_info is mostly flat lists of choices."""
    if isinstance(value, dict):
        return {key: strip_free_text(item, names_map=key in INPUT_GROUPS)
                if isinstance(item, _CONTAINERS) else item
                for key, item in value.items() if names_map or key not in FREE_TEXT_KEYS}
    if isinstance(value, list):
        for item in value:  # (a plain loop: any() over a generator cost ~30% more here)
            if isinstance(item, _CONTAINERS):
                return [strip_free_text(item) for item in value]
    return value


_CONTAINERS = (dict, list)


def choices_and_options(spec: Any) -> tuple[list | None, dict]:
    """(choices, options) of an input declared as a v1 list or a v3 COMBO; (None, options) else."""
    if not isinstance(spec, list) or not spec:
        return None, {}
    options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
    if isinstance(spec[0], list):
        return spec[0], options
    if spec[0] == "COMBO" and isinstance(options.get("options"), list):
        return options["options"], options
    return None, options


def files_folder(class_type: str, input_name: str, spec: Any, manifest: Manifest,
                 core: CoreFolders) -> str | None:
    """Which server folder a combo lists, by what the combo holds (DESIGN: match option lists
    against the server's folder lists), then by the core node's known folder or the input name."""
    choices, options = choices_and_options(spec)
    if choices is None:
        return None
    if any(options.get(key) for key in UPLOAD_OPTION_KEYS):
        folder = options.get("image_folder")
        return folder if isinstance(folder, str) and folder else "input"
    known = core.by_class.get(class_type, {}).get(input_name)
    if known:
        return known
    offered = {c for c in choices if isinstance(c, str)}
    best, best_overlap = None, 0
    for folder, names in manifest.models.items():
        listed = set(names)
        overlap = len(listed & offered)
        # a loader lists the whole folder (plus extras), or a filtered part of it
        if overlap > best_overlap and (listed <= offered or offered <= listed):
            best, best_overlap = folder, overlap
    if best is not None:
        return best
    guess = core.by_input_name.get(input_name)
    return guess if guess in manifest.models and not offered - set(manifest.models[guess]) else None


def _file_reference(spec: list, folder: str, manifest: Manifest) -> list:
    choices, options = choices_and_options(spec)
    listed = set((manifest.files_in(folder) if folder in ("input", "output")
                  else manifest.folder(folder)) or ())
    extras = [c for c in choices or () if not (isinstance(c, str) and c in listed)]
    options = {**options, FILES_MARKER: folder}
    if isinstance(spec[0], list):
        return [extras, options]
    options["options"] = extras
    return ["COMBO", options]


# -- writing ---------------------------------------------------------------------------------------
def dumps(snapshot: dict) -> str:
    """Sorted keys; one line per node definition and per listed file: small diffs in review."""
    lines = ["{"]
    keys = sorted(k for k in snapshot if k != "nodes")
    entries = [f" {json.dumps(key)}: " + json.dumps(snapshot[key], indent=1, sort_keys=True,
                                                   ensure_ascii=False).replace("\n", "\n ")
               for key in keys]
    nodes = snapshot.get("nodes", {})
    node_lines = [f"  {json.dumps(name, ensure_ascii=False)}: "
                  + json.dumps(nodes[name], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                  for name in sorted(nodes)]
    entries.append(' "nodes": {\n' + ",\n".join(node_lines) + "\n }" if node_lines else ' "nodes": {}')
    lines.append(",\n".join(entries))
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- reading ---------------------------------------------------------------------------------------
def read_snapshot(path: str | Path) -> dict:
    data = read_json_file(path, "snapshot", CatalogError)
    validate_snapshot(data, str(path))
    return data  # type: ignore[return-value]


def is_snapshot(data: object) -> TypeGuard[dict]:
    return isinstance(data, dict) and "comfylint_snapshot" in data


def validate_snapshot(data: object, label: str) -> None:
    if not is_snapshot(data):
        raise CatalogError(f"{label} is not a comfylint snapshot (no 'comfylint_snapshot' key); "
                           "make one with `comfylint snapshot --server URL -o FILE`")
    version = data["comfylint_snapshot"]
    if version != SNAPSHOT_VERSION:
        raise CatalogError(f"{label}: snapshot format {version!r} is not supported by this comfylint "
                           f"(it reads format {SNAPSHOT_VERSION})")
    # The schema checks everything but the (possibly 100,000) node entries; those only need to be
    # objects, which a loop checks in a fraction of the time.
    outline = {**data, "nodes": {}} if isinstance(data.get("nodes"), dict) else data
    message = schema_problem(outline, "snapshot.schema.json", quick_check=_plausible_outline)
    if message:
        raise CatalogError(f"{label} is not a valid snapshot: {message}")
    bad = next((name for name, node in data["nodes"].items() if not isinstance(node, dict)), None)
    if bad is not None:
        raise CatalogError(f"{label} is not a valid snapshot: at nodes/{bad}: not an object")


def _plausible_outline(data: dict) -> bool:
    return (set(data) <= {"$schema", "comfylint_snapshot", "captured_at", "comfyui_version", "system",
                          "custom_node_modules", "models", "input_files", "embeddings", "nodes"}
            and {"captured_at", "comfyui_version", "models", "nodes"} <= set(data)
            and isinstance(data["captured_at"], str)
            and isinstance(data["comfyui_version"], (str, type(None)))
            and isinstance(data["models"], dict)
            and all(is_name_list(v) for v in data["models"].values())
            and all(is_name_list(data[k]) for k in ("custom_node_modules", "input_files", "embeddings")
                    if k in data)
            and isinstance(data.get("system", {}), dict))


def snapshot_manifest(data: dict, *, source: str) -> Manifest:
    return Manifest(models={k: list(v) for k, v in data.get("models", {}).items()},
                    input_files=data.get("input_files"), embeddings=data.get("embeddings"),
                    source=source)


def catalog_from_snapshot(data: dict, *, source: str) -> Catalog:
    """The Catalog a run uses: node definitions with file lists put back, plus the manifest."""
    manifest = snapshot_manifest(data, source=source)
    nodes, server_lists = expand_file_references(data["nodes"], manifest)
    return snapshot_catalog(nodes, server_lists, manifest, data.get("comfyui_version"), source=source)


def snapshot_catalog(nodes: "Mapping[str, Any]", server_lists: dict[str, dict[str, str]],
                     manifest: Manifest, comfyui_version: str | None, *, source: str) -> Catalog:
    """A snapshot's Catalog from its expanded nodes (a dict, or catalog.cache's packed form)."""
    catalog = Catalog.from_server_nodes(nodes, source=source, comfyui_version=comfyui_version,
                                        server_lists=server_lists)
    catalog.manifest = manifest
    return catalog


def expand_file_references(snapshot_nodes: dict, manifest: Manifest
                           ) -> tuple[dict[str, dict], dict[str, dict[str, str]]]:
    """The node definitions with `$files` references replaced by the manifest's lists, and which
    inputs list which folder (the catalog's server_lists)."""
    nodes: dict[str, dict] = {}
    server_lists: dict[str, dict[str, str]] = {}
    for class_type, node in snapshot_nodes.items():
        nodes[class_type] = node
        declared = node.get("input") if isinstance(node, dict) else None
        if not isinstance(declared, dict):
            continue
        for group in ("required", "optional"):
            entries = declared.get(group)
            if not isinstance(entries, dict):
                continue
            for input_name, spec in entries.items():
                choices, options = choices_and_options(spec)
                folder = options.get(FILES_MARKER) if choices is not None else None
                if not isinstance(folder, str):
                    continue
                server_lists.setdefault(class_type, {})[input_name] = folder
                # copy on write: the snapshot document itself stays as it was read
                if nodes[class_type] is node:
                    nodes[class_type] = {**node, "input": {g: dict(e) if isinstance(e, dict) else e
                                                           for g, e in declared.items()}}
                nodes[class_type]["input"][group][input_name] = _expand_reference(spec, folder,
                                                                                  manifest)
    return nodes, server_lists


def _expand_reference(spec: list, folder: str, manifest: Manifest) -> list:
    choices, options = choices_and_options(spec)
    listed = (manifest.files_in(folder) if folder in ("input", "output") else manifest.folder(folder))
    full = list(listed or ()) + [c for c in choices or () if c not in (listed or ())]
    options = {k: v for k, v in options.items() if k != FILES_MARKER}
    if isinstance(spec[0], list):
        return [full, options]
    return ["COMBO", {**options, "options": full}]


# -- drift between two snapshots -----------------------------------------------------------------
@dataclass
class Change:
    """One difference from the old snapshot to the new; `breaking` when a workflow that ran on
    the old server can fail (or silently change) on the new one."""

    area: str  # "version", "nodes", "inputs", "outputs", "models", "input_files", "embeddings", "modules"
    subject: str
    detail: str
    breaking: bool

    def to_dict(self) -> dict:
        return {"area": self.area, "subject": self.subject, "detail": self.detail,
                "breaking": self.breaking}


def diff_snapshots(old: dict, new: dict) -> list[Change]:
    changes: list[Change] = []
    if old.get("comfyui_version") != new.get("comfyui_version"):
        changes.append(Change("version", "ComfyUI", f"{old.get('comfyui_version')} -> "
                              f"{new.get('comfyui_version')}", False))
    old_nodes, new_nodes = old.get("nodes", {}), new.get("nodes", {})
    for name in sorted(old_nodes.keys() - new_nodes.keys()):
        module = old_nodes[name].get("python_module", "")
        changes.append(Change("nodes", name, f"removed (was in {module})" if module else "removed", True))
    for name in sorted(new_nodes.keys() - old_nodes.keys()):
        changes.append(Change("nodes", name, "added", False))
    for name in sorted(old_nodes.keys() & new_nodes.keys()):
        if old_nodes[name] != new_nodes[name]:
            changes.extend(_node_changes(name, old_nodes[name], new_nodes[name]))
    for folder in sorted(old.get("models", {}).keys() | new.get("models", {}).keys()):
        changes.extend(_list_changes("models", old.get("models", {}).get(folder),
                                     new.get("models", {}).get(folder), prefix=f"{folder}/"))
    for key, area in (("input_files", "input_files"), ("embeddings", "embeddings"),
                      ("custom_node_modules", "modules")):
        changes.extend(_list_changes(area, old.get(key), new.get(key)))
    return changes


def _list_changes(area: str, old: list | None, new: list | None, prefix: str = "") -> list[Change]:
    if old is None or new is None:
        return []  # unknown on one side: no claim either way
    gone, added = sorted(set(old) - set(new)), sorted(set(new) - set(old))
    return ([Change(area, prefix + name, "removed", True) for name in gone]
            + [Change(area, prefix + name, "added", False) for name in added])


def _inputs(node: dict) -> dict[str, tuple[bool, Any]]:
    declared = node.get("input")
    declared = declared if isinstance(declared, dict) else {}
    found = {}
    for group in ("optional", "required"):
        entries = declared.get(group)
        if isinstance(entries, dict):
            found.update({name: (group == "required", spec) for name, spec in entries.items()})
    return found


def _node_changes(name: str, old: dict, new: dict) -> list[Change]:
    changes = []
    old_inputs, new_inputs = _inputs(old), _inputs(new)
    for input_name in sorted(new_inputs.keys() - old_inputs.keys()):
        required, spec = new_inputs[input_name]
        kind = "required" if required else "optional"
        changes.append(Change("inputs", f"{name}.{input_name}",
                              f"new {kind} input ({_type_label(spec)})", required))
    for input_name in sorted(old_inputs.keys() - new_inputs.keys()):
        changes.append(Change("inputs", f"{name}.{input_name}",
                              "input removed (the server ignores it now)", True))
    for input_name in sorted(old_inputs.keys() & new_inputs.keys()):
        for detail, breaking in _spec_changes(old_inputs[input_name], new_inputs[input_name]):
            changes.append(Change("inputs", f"{name}.{input_name}", detail, breaking))
    if old.get("output") != new.get("output"):
        changes.append(Change("outputs", name, f"outputs {old.get('output')} -> {new.get('output')}",
                              True))
    return changes


def _type_label(spec: Any) -> str:
    choices, options = choices_and_options(spec)
    if FILES_MARKER in options:
        return f"files of {options[FILES_MARKER]}"
    if choices is not None:
        return f"combo of {len(choices)}"
    return str(spec[0]) if isinstance(spec, list) and spec else str(spec)


def _spec_changes(old: tuple[bool, Any], new: tuple[bool, Any]) -> list[tuple[str, bool]]:
    (old_required, old_spec), (new_required, new_spec) = old, new
    found: list[tuple[str, bool]] = []
    if old_required != new_required:
        found.append(("now required" if new_required else "now optional", new_required))
    old_choices, old_options = choices_and_options(old_spec)
    new_choices, new_options = choices_and_options(new_spec)
    if _type_label(old_spec) != _type_label(new_spec) and (old_choices is None or new_choices is None
                                                           or FILES_MARKER in old_options
                                                           or FILES_MARKER in new_options):
        found.append((f"type {_type_label(old_spec)} -> {_type_label(new_spec)}", True))
    elif old_choices is not None and new_choices is not None:
        gone = [c for c in old_choices if c not in new_choices]
        added = [c for c in new_choices if c not in old_choices]
        if gone:
            found.append((f"choices removed: {_short(gone)}", True))
        if added:
            found.append((f"choices added: {_short(added)}", False))
    for key, narrower in (("min", lambda a, b: b > a), ("max", lambda a, b: b < a)):
        a, b = old_options.get(key), new_options.get(key)
        if a != b and isinstance(a, (int, float)) and isinstance(b, (int, float)):
            found.append((f"{key} {a} -> {b}", narrower(a, b)))
    if old_options.get("default") != new_options.get("default") and "default" in old_options:
        found.append((f"default {old_options.get('default')!r} -> {new_options.get('default')!r}",
                      False))
    return found


def _short(values: list) -> str:
    shown = ", ".join(repr(v) for v in values[:6])
    return shown + (f", … ({len(values)} in all)" if len(values) > 6 else "")
