"""A UI workflow read into records: graphs of nodes and links, with JSON pointers back into the file.

Both link layouts are normalised (0.4's `[id, origin, origin_slot, target, target_slot, type]`
tuples and version 1's objects), and so are the subgraph definitions in `definitions.subgraphs`.
Like the frontend, an input's identity is its *name*: a link's target input is the serialized input
whose `link` names it, and `target_slot` is used only when no input does (the reference, §1.5).
Nothing here raises on damaged files; damage is left for the link-table rules to report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

SUBGRAPH_INPUT_NODE = "-10"
SUBGRAPH_OUTPUT_NODE = "-20"
VIRTUAL_TYPES = frozenset({"Reroute", "PrimitiveNode", "Note", "MarkdownNote"})
NOTE_TYPES = frozenset({"Note", "MarkdownNote"})
MUTED, BYPASSED = 2, 4


def node_key(node_id: Any) -> str:
    """Node ids are ints or strings in UI files; links may spell them either way."""
    if isinstance(node_id, float) and node_id.is_integer():
        node_id = int(node_id)
    return str(node_id)


def is_legacy_group_type(node_type: Any) -> bool:
    return isinstance(node_type, str) and node_type.startswith(("workflow>", "workflow/"))


def legacy_group_members(doc: Any, node_type: Any) -> list[str] | None:
    """The node types a legacy group node type stands for (`extra.groupNodes[name].nodes`, less
    the virtual ones): the editor expands the group into them before anything reaches a server,
    which never sees the group's own type. None when `node_type` is no legacy group node type
    or the file holds no definition for it."""
    if not is_legacy_group_type(node_type):
        return None
    extra = doc.get("extra") if isinstance(doc, dict) else None
    groups = extra.get("groupNodes") if isinstance(extra, dict) else None
    entry = groups.get(node_type[len("workflow/"):]) if isinstance(groups, dict) else None
    nodes = entry.get("nodes") if isinstance(entry, dict) else None
    if not isinstance(nodes, list):
        return None  # no definition to expand: the editor shows (and sends) an unknown node
    return [node["type"] for node in nodes if isinstance(node, dict)
            and isinstance(node.get("type"), str) and node["type"] not in VIRTUAL_TYPES]


@dataclass(slots=True)
class UiLink:
    id: Any
    origin_id: str
    origin_slot: Any
    target_id: str
    target_slot: Any
    type: Any
    pointer: str
    target_input: str | None = None  # the target input's name, once paired


@dataclass(slots=True)
class UiNode:
    id: str
    raw: dict
    pointer: str
    graph: "UiGraph"

    @property
    def type(self) -> str | None:
        node_type = self.raw.get("type")
        return node_type if isinstance(node_type, str) else None

    @property
    def mode(self) -> Any:
        return self.raw.get("mode", 0)

    @property
    def inputs(self) -> list:
        value = self.raw.get("inputs")
        return value if isinstance(value, list) else []

    @property
    def outputs(self) -> list:
        value = self.raw.get("outputs")
        return value if isinstance(value, list) else []

    @property
    def widgets_values(self) -> Any:
        return self.raw.get("widgets_values")

    @property
    def properties(self) -> dict:
        value = self.raw.get("properties")
        return value if isinstance(value, dict) else {}

    def input_pointer(self, name: str) -> str | None:
        for index, slot in enumerate(self.inputs):
            if isinstance(slot, dict) and slot.get("name") == name:
                return f"{self.pointer}/inputs/{index}"
        return None


def _io_slots(value: Any) -> list[dict]:
    """A subgraph's input or output slots as objects whose `name`, if any, is a string."""
    if not isinstance(value, list):
        return []
    slots = []
    for entry in value:
        entry = entry if isinstance(entry, dict) else {}
        if not isinstance(entry.get("name", ""), str):
            entry = {k: v for k, v in entry.items() if k != "name"}
        slots.append(entry)
    return slots


@dataclass(slots=True)
class UiGraph:
    """The root graph or one subgraph definition."""

    pointer: str  # "" for the root, "/definitions/subgraphs/<k>" for a definition
    raw: dict
    nodes: dict[str, UiNode] = field(default_factory=dict)
    links: dict[Any, UiLink] = field(default_factory=dict)
    duplicate_node_ids: list[tuple[str, str]] = field(default_factory=list)  # (id, pointer)
    duplicate_link_ids: list[tuple[Any, str]] = field(default_factory=list)
    malformed_links: list[str] = field(default_factory=list)  # pointers
    malformed_nodes: list[str] = field(default_factory=list)
    incoming: dict[str, dict[str, UiLink]] = field(default_factory=dict)  # node -> name -> link
    by_target_slot: dict[str, dict[Any, UiLink]] = field(default_factory=dict)
    # Links a pack's extension adds when the prompt is queued, as it recorded them in the file
    # (extensions.recorded_queue_time_links): node -> input name -> link, only into inputs the
    # file leaves unconnected; and the ids of its own links the extension deletes on load.
    queue_time_links: dict[str, dict[str, UiLink]] = field(default_factory=dict)
    queue_time_link_ids: frozenset = frozenset()

    @property
    def is_subgraph(self) -> bool:
        return bool(self.pointer)

    @property
    def io_inputs(self) -> list[dict]:
        """A definition's inputs (what instance input k means inside): one object per slot, its
        `name` a string or absent (a damaged entry keeps its slot, and names nothing)."""
        return _io_slots(self.raw.get("inputs"))

    @property
    def io_outputs(self) -> list[dict]:
        return _io_slots(self.raw.get("outputs"))

    def link_into(self, node_id: str, name: str) -> UiLink | None:
        return self.incoming.get(node_id, {}).get(name)

    def link_into_slot(self, node_id: str, slot: int) -> UiLink | None:
        """For nodes whose slots have no stable names (Reroute, IO nodes): by index."""
        node = self.nodes.get(node_id)
        if node is not None and 0 <= slot < len(node.inputs):
            entry = node.inputs[slot]
            if isinstance(entry, dict):
                link = self.links.get(entry.get("link"))
                if link is not None and link.target_id == node_id:
                    return link
        return self.by_target_slot.get(node_id, {}).get(slot)

    def links_from(self, node_id: str, slot: int | None = None) -> Iterator[UiLink]:
        for link in self.links.values():
            if link.origin_id == node_id and (slot is None or link.origin_slot == slot):
                yield link


@dataclass(slots=True)
class UiDocument:
    raw: dict
    root: UiGraph
    subgraphs: dict[str, UiGraph]  # definition id -> graph
    version: Any

    def graphs(self) -> Iterator[UiGraph]:
        yield self.root
        yield from self.subgraphs.values()

    def all_nodes(self) -> Iterator[UiNode]:
        for graph in self.graphs():
            yield from graph.nodes.values()

    @property
    def group_nodes(self) -> dict:
        extra = self.raw.get("extra")
        found = extra.get("groupNodes") if isinstance(extra, dict) else None
        return found if isinstance(found, dict) else {}


def read_document(doc: dict) -> UiDocument:
    root = read_graph(doc, "")
    subgraphs: dict[str, UiGraph] = {}
    definitions = doc.get("definitions")
    entries = definitions.get("subgraphs") if isinstance(definitions, dict) else None
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            subgraphs.setdefault(entry["id"], read_graph(entry, f"/definitions/subgraphs/{index}"))
    return UiDocument(doc, root, subgraphs, doc.get("version"))


def read_graph(raw: dict, base: str) -> UiGraph:
    graph = UiGraph(pointer=base, raw=raw)
    nodes = raw.get("nodes")
    for index, entry in enumerate(nodes if isinstance(nodes, list) else []):
        where = f"{base}/nodes/{index}"
        if not isinstance(entry, dict) or not _is_id(entry.get("id")):
            graph.malformed_nodes.append(where)
            continue
        key = node_key(entry["id"])
        if key in graph.nodes:
            graph.duplicate_node_ids.append((key, where))
            continue
        graph.nodes[key] = UiNode(key, entry, where, graph)
    from .extensions import recorded_queue_time_links  # (a module of its own: packs' behaviour)

    record = recorded_queue_time_links(raw)
    graph.queue_time_link_ids = record.added_link_ids
    links = raw.get("links")
    for index, entry in enumerate(links if isinstance(links, list) else []):
        link = _read_link(entry, f"{base}/links/{index}")
        if link is None:
            if entry is not None:  # null entries are a known, harmless kind of damage
                graph.malformed_links.append(f"{base}/links/{index}")
            continue
        if link.id in graph.queue_time_link_ids:
            continue  # the extension deletes it when the file is loaded
        if link.id in graph.links:
            graph.duplicate_link_ids.append((link.id, link.pointer))
            continue
        graph.links[link.id] = link
    _pair_link_targets(graph)
    _pair_recorded_links(graph, record.links)
    return graph


def _read_link(entry: Any, where: str) -> UiLink | None:
    if isinstance(entry, list) and len(entry) >= 5:
        link_type = entry[5] if len(entry) > 5 else None
        link_id, origin, origin_slot, target, target_slot = entry[:5]
    elif isinstance(entry, dict) and all(k in entry for k in ("id", "origin_id", "target_id")):
        link_id, origin, target = entry["id"], entry["origin_id"], entry["target_id"]
        origin_slot, target_slot = entry.get("origin_slot"), entry.get("target_slot")
        link_type = entry.get("type")
    else:
        return None
    if not (_is_id(link_id) and _is_id(origin) and _is_id(target)):
        return None
    return UiLink(link_id, node_key(origin), origin_slot, node_key(target), target_slot, link_type,
                  where)


def _pair_link_targets(graph: UiGraph) -> None:
    """Name each link's target input: the input whose `link` names it, else `target_slot`."""
    claimed: set[Any] = set()
    for node in graph.nodes.values():
        for slot in node.inputs:
            if not isinstance(slot, dict) or not isinstance(slot.get("name"), str):
                continue
            link = graph.links.get(slot.get("link")) if _hashable(slot.get("link")) else None
            if link is None or link.target_id != node.id or link.id in claimed:
                continue
            claimed.add(link.id)
            link.target_input = slot["name"]
            graph.incoming.setdefault(node.id, {}).setdefault(slot["name"], link)
    for link in graph.links.values():
        if _hashable(link.target_slot):
            graph.by_target_slot.setdefault(link.target_id, {}).setdefault(link.target_slot, link)
        if link.id in claimed:
            continue
        target = graph.nodes.get(link.target_id)
        slot = link.target_slot
        if target is None or not isinstance(slot, int) or not 0 <= slot < len(target.inputs):
            continue
        entry = target.inputs[slot]
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            link.target_input = entry["name"]
            graph.incoming.setdefault(target.id, {}).setdefault(entry["name"], link)


def _pair_recorded_links(graph: UiGraph, recorded: tuple) -> None:
    """The recorded queue-time links into inputs the file leaves unconnected, by input name (the
    record names the input's slot index, as the extension's analysis did)."""
    for entry in recorded:
        target = graph.nodes.get(entry.target_id)
        if target is None or entry.origin_id not in graph.nodes \
                or entry.target_slot >= len(target.inputs):
            continue
        slot = target.inputs[entry.target_slot]
        name = slot.get("name") if isinstance(slot, dict) else None
        if not isinstance(name, str) or graph.link_into(target.id, name) is not None:
            continue
        link = UiLink(entry.pointer, entry.origin_id, entry.origin_slot, target.id,
                      entry.target_slot, slot.get("type"), graph.pointer + entry.pointer, name)
        graph.queue_time_links.setdefault(target.id, {}).setdefault(name, link)


def _hashable(value: Any) -> bool:
    return not isinstance(value, (list, dict))


def _is_id(value: Any) -> bool:
    """Node and link ids are numbers or strings; anything else cannot name a node or link."""
    return isinstance(value, (int, float, str)) and not isinstance(value, bool)
