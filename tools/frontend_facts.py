"""Regenerate the frontend widget facts (comfylint/ui/data/frontends/<version>.json) from a wheel.

The frontend's published builds (`comfyui-frontend-package` on PyPI) ship source maps whose
`sourcesContent` holds the TypeScript sources. This script reads them straight out of the wheel
(nothing is unpacked, nothing of the frontend's code or prose is written: GPL-3.0) and records
facts about how that frontend turns a node definition into widgets, each with the source file and
line it was read from:

- `widget_types`: the input types that become widgets (the core `ComfyWidgets` table, the v3
  dynamic widgets, and every core extension's `getCustomWidgets`), and per type whether its
  widget is kept out of `widgets_values` (`persisted: false`, the widget's own `serialize` set to
  false), is itself a button (`button`: the upload buttons) or is followed by a button named after
  its input (`buttons_after`: stored, never sent);
- `added_inputs`: inputs core extensions add to named nodes' definitions before they register
  (`nodeData.input.required.X = [TYPE]` under a check of the node's name);
- `node_widgets`: widgets core extensions create on named nodes when they are made (PreviewAny's
  display), with whether each is stored (`widget.serialize`) and sent (`options.serialize`).

    python tools/frontend_facts.py WHEEL [WHEEL ...] [--check]
    pip download --no-deps comfyui-frontend-package==1.45.15 -d WHEELS   # to get a wheel

--check writes nothing and exits 1 when the shipped file differs from what the wheel gives
(tests/test_frontend_facts.py runs the same comparison where the wheels are at hand). Adding a
frontend: download its wheel, run this, commit the new data file.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "comfylint" / "ui" / "data" / "frontends"
PACKAGE = "comfyui-frontend-package"
_WHEEL_NAME = re.compile(r"^comfyui_frontend_package-(\d+\.\d+\.\d+)-")

Sources = dict[str, str]  # "src/..." -> TypeScript text


def read_sources(wheel: Path) -> Sources:
    """The project's own sources (not node_modules) from every source map in the wheel."""
    sources: Sources = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            if not name.endswith(".js.map"):
                continue
            data = json.loads(archive.read(name))
            for path, text in zip(data.get("sources") or [], data.get("sourcesContent") or []):
                if not text or "node_modules" in path:
                    continue
                key = path[path.index("src/"):] if "src/" in path else path
                sources.setdefault(key, text)
    return sources


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def object_keys(text: str, start: int) -> list[tuple[str, int]]:
    """The top-level keys (and their offsets) of the object literal opening at text[start] == '{'."""
    depth, keys, at = 0, [], start
    key = re.compile(r"\s*(?:\.\.\.(\w+)|([A-Z][A-Z0-9_]*)\s*[:(])")
    while at < len(text):
        char = text[at]
        if char in "{([":
            depth += 1
            if depth == 1:
                keys.extend(_key_at(key, text, at + 1))
        elif char in "})]":
            depth -= 1
            if depth == 0:
                return keys
        elif char == "," and depth == 1:
            keys.extend(_key_at(key, text, at + 1))
        at += 1
    return keys


def _key_at(key: re.Pattern, text: str, at: int) -> list[tuple[str, int]]:
    match = key.match(text, at)
    if match is None:
        return []
    return [("..." + match[1], match.start(1)) if match[1] else (match[2], match.start(2))]


def body_after(text: str, offset: int) -> str:
    """From offset to the end of the balanced block that opens first after it."""
    start = text.index("{", offset)
    depth = 0
    for at in range(start, len(text)):
        if text[at] == "{":
            depth += 1
        elif text[at] == "}":
            depth -= 1
            if depth == 0:
                return text[offset:at + 1]
    return text[offset:]


_BUTTON = re.compile(r"addWidget\(\s*'button',\s*(\w+)\b")
_MAIN_WIDGET = re.compile(r"addDOMWidget\(|new ComponentWidgetImpl\b|=\s*node\.addWidget\(\s*'(?!button)")
_UNSTORED = re.compile(r"\b\w+\.serialize\s*=\s*false")


def describe_constructor(body: str) -> dict[str, Any]:
    """What one widget constructor makes: whether the widget it returns is stored (its own
    `serialize` set to false: not), whether that widget is a button named after the input (an
    upload button), and the buttons named after the input it adds after its widget."""
    facts: dict[str, Any] = {"persisted": _UNSTORED.search(body) is None}
    main = _MAIN_WIDGET.search(body)
    buttons = [m for m in _BUTTON.finditer(body) if m[1] == "inputName"]
    if main is None and buttons:
        facts["button"] = True
    elif main is not None and any(m.start() > main.start() for m in buttons):
        facts["buttons_after"] = 1
    return facts


def widget_types(sources: Sources) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    path = "src/scripts/widgets.ts"
    text = sources[path]
    imports = {m[1]: m[2] for m in re.finditer(r"import \{ (\w+) \} from '@/([^']+)'", text)}
    table = re.search(r"export const ComfyWidgets\b[^=]*=\s*\{", text)
    assert table, "no ComfyWidgets table in " + path
    for key, at in object_keys(text, table.end() - 1):
        if key.startswith("..."):
            found.update(_spread(sources, key[3:], text, path))
            continue
        # `KEY: useXWidget()`, or wrapped: `KEY: adapt(useXWidget())`
        constructor = re.match(r"\s*\w+\s*:\s*(?:\w+\()?(\w+)\(\)", text[at:])
        source = imports.get(constructor[1]) if constructor else None
        body = sources.get(f"src/{source}.ts", "") if source else ""
        entry = {"source": f"src/{source}.ts" if source else f"{path}:{line_of(text, at)}"}
        entry.update(describe_constructor(body) if body else {"persisted": True})
        found[key] = entry
    for path, text in sorted(sources.items()):
        if not path.startswith("src/extensions/core/"):
            continue
        for match in re.finditer(r"getCustomWidgets\([^)]*\)\s*\{\s*return\s*\{", text):
            for key, at in object_keys(text, match.end() - 1):
                entry = {"source": f"{path}:{line_of(text, at)}"}
                entry.update(describe_constructor(body_after(text, at)))
                found.setdefault(key, entry)
    return dict(sorted(found.items()))


def _spread(sources: Sources, name: str, text: str, path: str) -> dict[str, dict[str, Any]]:
    """`...dynamicWidgets` in the table: the keys of that imported object."""
    module = re.search(r"import \{ " + name + r" \} from '@/([^']+)'", text)
    source = f"src/{module[1]}.ts" if module else path
    other = sources[source]
    literal = re.search(r"export const " + name + r"\b[^=]*=\s*\{", other)
    assert literal, f"no {name} in {source}"
    return {key: {"source": f"{source}:{line_of(other, at)}", "persisted": True}
            for key, at in object_keys(other, literal.end() - 1) if not key.startswith("...")}


_ADDED_INPUT = re.compile(r"nodeData\.input\.required\.(\w+)\s*=\s*\[\s*'(\w+)'")
_NAMED = re.compile(r"'(\w+)'\s*===\s*nodeData\.name|nodeData\.name\s*===\s*'(\w+)'")


def added_inputs(sources: Sources) -> list[dict[str, Any]]:
    """Inputs an extension adds to named nodes: the names come from the check just before."""
    found = []
    for path, text in sorted(sources.items()):
        if not path.startswith("src/extensions/core/"):
            continue
        for match in _ADDED_INPUT.finditer(text):
            before = text[max(0, match.start() - 600):match.start()]
            guard = before[before.rfind("beforeRegisterNodeDef"):]
            nodes = sorted({a or b for a, b in _NAMED.findall(guard)})
            listed = re.search(r"\[\s*((?:'\w+',?\s*)+)\]\.includes\(", guard)
            if listed:
                nodes = sorted(set(nodes) | set(re.findall(r"'(\w+)'", listed[1])))
            if not nodes:
                continue  # a check of the input's options, not of the node (e.g. audio_upload)
            found.append({"nodes": nodes, "input": match[1], "type": match[2],
                          "source": f"{path}:{line_of(text, match.start())}"})
    return found


_CREATED = re.compile(r"const (\w+) = ComfyWidgets\['(\w+)'\]\(\s*this,\s*'(\w+)'")


def node_widgets(sources: Sources) -> dict[str, list[dict[str, Any]]]:
    """Widgets an extension creates on a named node (ComfyWidgets[...] called on the node)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path, text in sorted(sources.items()):
        if not path.startswith("src/extensions/core/"):
            continue
        for guard in _NAMED.finditer(text):
            node = guard[1] or guard[2]
            block = body_after(text, guard.start())
            widgets = []
            for match in _CREATED.finditer(block):
                var = re.escape(match[1])
                widgets.append({
                    "name": match[3], "type": match[2],
                    "persisted": not re.search(var + r"(?:\.widget)?\.serialize\s*=\s*false", block),
                    "prompted": not re.search(var + r"(?:\.widget)?\.options\.serialize\s*=\s*false",
                                              block),
                    "source": f"{path}:{line_of(text, guard.start() + match.start())}"})
            if widgets:
                found.setdefault(node, []).extend(widgets)
    return found


def facts_of(wheel: Path) -> tuple[str, dict[str, Any]]:
    match = _WHEEL_NAME.match(wheel.name)
    if match is None:
        raise SystemExit(f"{wheel}: not a {PACKAGE} wheel")
    version = match[1]
    sources = read_sources(wheel)
    with zipfile.ZipFile(wheel) as archive:
        stamp = max(info.date_time for info in archive.infolist())
    facts = {
        "frontend": version,
        "provenance": {
            "package": f"{PACKAGE}=={version} (PyPI)",
            "wheel": wheel.name,
            "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "built": datetime(*stamp).date().isoformat(),
            "read_from": "the TypeScript sources in the wheel's source maps (sourcesContent)",
            "generator": "tools/frontend_facts.py",
            "licence": "facts read from GPL-3.0 sources; no code or text of them is copied",
        },
        "widget_types": widget_types(sources),
        "added_inputs": added_inputs(sources),
        "node_widgets": node_widgets(sources),
    }
    return version, facts


def render(facts: dict[str, Any]) -> str:
    return json.dumps(facts, indent=1, sort_keys=False, ensure_ascii=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheels", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="compare with the shipped data instead of writing it")
    args = parser.parse_args(argv)
    stale = []
    for wheel in args.wheels:
        version, facts = facts_of(wheel)
        target = DATA / f"{version}.json"
        text = render(facts)
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
            continue
        DATA.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
    for path in stale:
        print(f"{path} differs from what its wheel gives: rerun tools/frontend_facts.py",
              file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
