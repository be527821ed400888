"""The frontend's widget kinds of one era, as data: `data/frontends/<version>.json`.

Each file is what `tools/frontend_facts.py` read out of one published frontend build (its source
maps; provenance inside): which input types become widgets, which of those widgets a workflow does
not store (`widgets_values`), which are upload buttons or are followed by a button, the inputs core
extensions add to named nodes before they register (LoadAudio's `audioUI`, SaveGLB's `image`),
and the widgets they create on named nodes (PreviewAny's display).

Which era applies follows the catalog: a ComfyUI release pins its frontend (release.json
`frontend.at_most`), and the editor that loads a file pairs its stored values with the widgets
*it* builds. A server newer than the bundled release it borrows facts from ships a newer frontend:
the newest facts apply. Files are read on first use, one per era.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..catalog import Catalog

DATA_DIR = Path(__file__).with_name("data") / "frontends"


@dataclass(frozen=True, slots=True)
class WidgetKind:
    """What the frontend's constructor for one input type makes."""

    persisted: bool  # the widget occupies a widgets_values slot
    button: bool = False  # the widget is itself a button (upload): stored, never sent
    buttons_after: int = 0  # buttons named after the input that follow it: stored, never sent


@dataclass(frozen=True, slots=True)
class NodeWidget:
    """A widget an extension creates on a named node, after the node's own widgets."""

    name: str
    type: str
    persisted: bool
    prompted: bool


@dataclass(frozen=True, slots=True)
class FrontendFacts:
    version: str
    kinds: dict[str, WidgetKind]
    added_inputs: dict[str, tuple[tuple[str, str], ...]]  # node class -> ((input, type), ...)
    node_widgets: dict[str, tuple[NodeWidget, ...]]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


@cache
def bundled_frontends() -> tuple[str, ...]:
    """The frontend versions with facts, oldest first (file names only: nothing is read)."""
    return tuple(sorted((path.stem for path in DATA_DIR.glob("*.json")), key=_version))


@cache
def frontend_facts(version: str) -> FrontendFacts:
    """One bundled frontend's facts by exact version (KeyError when there is none)."""
    if version not in bundled_frontends():
        raise KeyError(version)
    raw = json.loads((DATA_DIR / f"{version}.json").read_text(encoding="utf-8"))
    kinds = {name: WidgetKind(entry["persisted"], entry.get("button", False),
                              entry.get("buttons_after", 0))
             for name, entry in raw["widget_types"].items()}
    added: dict[str, list[tuple[str, str]]] = {}
    for entry in raw["added_inputs"]:
        for node in entry["nodes"]:
            added.setdefault(node, []).append((entry["input"], entry["type"]))
    widgets = {node: tuple(NodeWidget(w["name"], w["type"], w["persisted"], w["prompted"])
                           for w in entries) for node, entries in raw["node_widgets"].items()}
    return FrontendFacts(version, kinds, {node: tuple(v) for node, v in added.items()}, widgets)


def facts_up_to(bound: tuple[int, ...] | None) -> FrontendFacts:
    """The newest bundled frontend not newer than `bound` (None: the newest; older than every
    bundled one: the oldest)."""
    versions = bundled_frontends()
    fitting = [v for v in versions if bound is None or _version(v) <= bound]
    return frontend_facts(fitting[-1] if fitting else versions[0])


def facts_for(catalog: Catalog) -> FrontendFacts:
    """The widget facts of the editor that serves this catalog's ComfyUI (see the module doc)."""
    from ..catalog.releases import parse_version

    release = catalog.release
    server = parse_version(catalog.comfyui_version)
    if server is not None and server > release.version_tuple:
        return facts_up_to(None)
    return facts_up_to(parse_version(release.frontend.get("at_most")))
