"""Regenerate the bundled ComfyUI releases (comfylint/catalog/data/<version>/) from real captures.

Each release has a recipe, tools/releases/<version>.json: which capture of that server's
/object_info to read (a file in the shared reference folder), its provenance, how that server
validates (`server`), and what the capture cannot show (which inputs list server files when
the capture had placeholder models, custom validation facts read from upstream sources). The
script writes, per release, `release.json` (facts) and `nodes.jsonl` (node definitions without
free text or the capturing server's files) plus any licence notice the recipe names.

    python tools/build_releases.py ../shared/comfyui [--check] [--up-to VERSION]

--check writes nothing and exits 1 when the shipped data differs from what the captures give
(tests/test_releases.py runs the same comparison: always up to 0.3.64, whose captures are ours and
sit in tests/fixtures; the newer third-party capture keeps its free text and so stays outside the
repository). --up-to stops after that release (facts carry forward, never back). Adding a
release: put its capture in the shared folder, write its recipe (`inherit` names the release
whose facts carry over), run this.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RECIPES = Path(__file__).resolve().parent / "releases"
sys.path.insert(0, str(ROOT))

from comfylint.catalog import UPLOAD_OPTION_KEYS, declared_output_types
from comfylint.catalog.releases import (
    DATA_DIR,
    NODES_FILE,
    RELEASE_FILE,
    node_line,
    parse_version,
)
from comfylint.catalog.snapshot import choices_and_options, strip_free_text


def recipes() -> list[dict]:
    found = [json.loads(path.read_text(encoding="utf-8")) for path in RECIPES.glob("*.json")]
    return sorted(found, key=lambda recipe: parse_version(recipe["comfyui_version"]))


def build_all(shared: Path, up_to: str | None = None) -> dict[str, dict[str, str]]:
    """version -> {file name: text} for every release (up to `up_to`), oldest first (facts carry
    forward)."""
    built: dict[str, dict[str, Any]] = {}
    files: dict[str, dict[str, str]] = {}
    last = parse_version(up_to) if up_to else None
    for recipe in recipes():
        if last is not None and parse_version(recipe["comfyui_version"]) > last:  # type: ignore[operator]
            break
        facts, nodes = build_release(recipe, shared, built)
        built[recipe["comfyui_version"]] = {"facts": facts, "nodes": nodes}
        lines = "".join(node_line(name, nodes[name]) + "\n" for name in sorted(nodes))
        facts["nodes_sha256"] = hashlib.sha256(lines.encode("ascii")).hexdigest()
        release_files = {RELEASE_FILE: json.dumps(facts, indent=1, sort_keys=True) + "\n",
                         NODES_FILE: lines}
        if recipe.get("notice"):
            release_files["NOTICE"] = (RECIPES / recipe["notice"]).read_text(encoding="utf-8")
        files[recipe["comfyui_version"]] = release_files
    return files


def build_release(recipe: dict, shared: Path, older: dict[str, dict]) -> tuple[dict, dict]:
    capture = json.loads((shared / recipe["object_info"]).read_text(encoding="utf-8"))
    nodes = {name: strip_free_text(node) for name, node in capture.items()}
    base = older[recipe["inherit"]]["facts"] if recipe.get("inherit") else None
    custom_validation = validation_facts(recipe, shared, base, nodes)
    if "server_lists" in recipe:
        server_lists = {c: dict(inputs) for c, inputs in recipe["server_lists"].items() if c in nodes}
    else:
        server_lists = derived_server_lists(nodes, base, custom_validation)
    strip_server_files(nodes, server_lists, set(recipe.get("placeholder_files", ())))
    known = set().union(*(set(o["nodes"]) for o in older.values())) if older else set()
    outputs: set[str] = set()
    for node in nodes.values():
        outputs.update(declared_output_types(node))
    facts = {
        "comfyui_version": recipe["comfyui_version"],
        "provenance": {**recipe["provenance"], "node_classes": len(nodes)},
        "server": recipe["server"],
        "custom_validation": custom_validation,
        "server_lists": server_lists,
        "model_input_folders": unambiguous_input_folders(server_lists),
        "model_folders": recipe.get("model_folders") or base["model_folders"],
        "frontend": recipe.get("frontend") or (base["frontend"] if base else {}),
        "introduced": sorted(set(nodes) - known),
        "output_types": sorted(outputs),
    }
    return facts, nodes


def validation_facts(recipe: dict, shared: Path, base: dict | None, nodes: dict) -> dict:
    """Nodes that validate their own inputs: observed in-process (validation_facts.json), else the
    older release's facts for the classes still present, plus what the recipe read from code."""
    found: dict[str, dict] = {}
    if recipe.get("validation_facts"):
        observed = json.loads((shared / recipe["validation_facts"]).read_text(encoding="utf-8"))
        assert observed["comfyui_version"] == recipe["comfyui_version"], "facts of another release"
        for name, info in observed["custom_validation"].items():
            found[name] = {"skips_min_max_combo_for": info["skips_min_max_combo_for"],
                           "skips_link_type_check": info["skips_type_check_of_links"],
                           "has_kwargs": info["has_kwargs"]}
    elif base is not None:
        found = {name: info for name, info in base["custom_validation"].items() if name in nodes}
    found.update(recipe.get("custom_validation", {}))
    return dict(sorted(found.items()))


def combo_inputs(nodes: dict):
    """(class, input, choices, options) of every combo input (required and optional)."""
    for class_type, node in sorted(nodes.items()):
        declared = node.get("input") if isinstance(node, dict) else None
        for group in ("required", "optional"):
            entries = declared.get(group) if isinstance(declared, dict) else None
            for input_name, spec in (entries or {}).items():
                choices, options = choices_and_options(spec)
                if choices is not None:
                    yield class_type, input_name, choices, options


def derived_server_lists(nodes: dict, base: dict | None, custom_validation: dict) -> dict:
    """For a capture without models: an input lists server files when the older release says so
    (same class and input), when it is an upload combo, or when its list is empty here (only a
    folder listing comes out empty) and no validate function of the node takes it. A new input's
    folder is the one its name stands for in the older release, else unnamed (None)."""
    inherited = base["server_lists"] if base else {}
    by_name = base["model_input_folders"] if base else {}
    found: dict[str, dict[str, str | None]] = {}
    for class_type, input_name, choices, options in combo_inputs(nodes):
        if input_name in inherited.get(class_type, {}):
            folder = inherited[class_type][input_name]
        elif any(options.get(key) for key in UPLOAD_OPTION_KEYS):
            folder = options.get("image_folder") or "input"
        elif not choices and not _validates_itself(custom_validation.get(class_type), input_name):
            folder = by_name.get(input_name)
        else:
            continue
        found.setdefault(class_type, {})[input_name] = folder
    return found


def _validates_itself(info: dict | None, input_name: str) -> bool:
    return bool(info) and (info["has_kwargs"] or input_name in info["skips_min_max_combo_for"])


# Words that name no folder: "model_name" lists upscale models on one core loader and other
# folders on newer ones and on custom nodes, so such names never stand for a folder.
GENERIC_WORDS = frozenset({"name", "model", "path", "file"})


def unambiguous_input_folders(server_lists: dict) -> dict[str, str]:
    """Input names that list exactly one named model folder wherever the release uses them, and
    say which (ckpt_name, vae_name; not model_name or name)."""
    folders: dict[str, set] = {}
    for inputs in server_lists.values():
        for input_name, folder in inputs.items():
            folders.setdefault(input_name, set()).add(folder)
    return {name: next(iter(found)) for name, found in sorted(folders.items())
            if len(found) == 1 and not found & {None, "input", "output"}
            and not set(name.lower().split("_")) <= GENERIC_WORDS}


def strip_server_files(nodes: dict, server_lists: dict, placeholders: set[str]) -> None:
    """The capturing server's own files are its state, not the release's: drop them."""
    for class_type, inputs in server_lists.items():
        declared = nodes[class_type].get("input", {})
        for group in ("required", "optional"):
            for input_name in inputs:
                spec = (declared.get(group) or {}).get(input_name)
                choices, options = choices_and_options(spec)
                if choices is None:
                    continue
                kept = [c for c in choices if c not in placeholders]
                if isinstance(spec[0], list):
                    spec[0] = kept
                else:
                    options["options"] = kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", nargs="?", default=str(ROOT.parent / "shared" / "comfyui"),
                        help="the folder holding the captures (../shared/comfyui)")
    parser.add_argument("--check", action="store_true",
                        help="compare with the shipped data instead of writing it")
    parser.add_argument("--up-to", metavar="VERSION", help="stop after this release")
    args = parser.parse_args(argv)
    if args.up_to and args.up_to not in {recipe["comfyui_version"] for recipe in recipes()}:
        parser.error(f"no recipe for release {args.up_to}")
    stale = []
    for version, release_files in build_all(Path(args.shared), args.up_to).items():
        folder = DATA_DIR / version
        for name, text in release_files.items():
            path = folder / name
            if args.check:
                if not path.is_file() or path.read_text(encoding="utf-8") != text:
                    stale.append(str(path.relative_to(ROOT)))
                continue
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if not args.check:
            print(f"wrote {folder.relative_to(ROOT)} ({len(release_files[NODES_FILE].splitlines())} "
                  "node classes)")
    if stale:
        print("out of date (run tools/build_releases.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
