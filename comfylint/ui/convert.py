"""UI → API conversion, as the frontend's "Export (API)" does it (`graphToPrompt`).

The phases follow the reference (`comfyui-ui-format.md` §2): rebuild each node's widget model and
restore its stored values (B, C), push PrimitiveNode values into their targets (D), flatten
subgraph instances into `"outer:inner"` ids (E), emit widget values then resolved links (F) with
muted nodes producing nothing, bypassed nodes passing an input of the consumer's type through and
virtual nodes passing input k to output k (G), and finally drop inputs that point at nodes that
were not emitted (H).

Besides the prompt, the result records where every emitted node and input came from in the UI
file, so that findings on the converted graph can point into the UI file, and a grade:
`exact` (what the frontend would send), `heuristic` (sent values the frontend computes at queue
time, or stored values that do not fit the node's widgets) or `refused` (the frontend's export
would fail, or would send nodes the server must reject).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..catalog import Catalog
from ..catalog.types import MATCH_TYPE
from .document import (
    BYPASSED,
    MUTED,
    NOTE_TYPES,
    SUBGRAPH_INPUT_NODE,
    SUBGRAPH_OUTPUT_NODE,
    VIRTUAL_TYPES,
    UiDocument,
    UiGraph,
    UiLink,
    UiNode,
    is_legacy_group_type,
    read_document,
)
from .extensions import (
    GET_BY_NAME,
    SET_NODE,
    EditorOnlyNode,
    editor_only_node,
    queue_time_linkers,
)
from .frontends import MUTED_VIRTUAL_NODES_CUT_SINCE, SavingFrontend, saving_frontend
from .widget_kinds import facts_for
from .widgets import NodeModel, Restored, Widget, restore_node

EXACT, HEURISTIC, REFUSED = "exact", "heuristic", "refused"
_CNR_ID = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9])?$")
_AUX_ID = re.compile(r"^[a-zA-Z0-9_.-]+/[a-zA-Z0-9_.-]+$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_GIT_HASH = re.compile(r"^[0-9a-f]{4,40}$")
DYNAMIC_PROMPT_SYNTAX = re.compile(r"//|/\*|\{[^{}]*\|[^{}]*\}")
TEXT_REPLACEMENT = re.compile(r"%[^%\s]+%")


class ExportError(Exception):
    """Where the frontend's own export throws (a missing link origin, a recursion)."""


@dataclass(slots=True)
class ConversionResult:
    """A converted workflow, its grade, and where each part came from in the UI file."""

    prompt: dict  # best effort even when refused (unknown nodes keep their linked inputs)
    grade: str  # "exact" | "heuristic" | "refused"
    reasons: list[str] = field(default_factory=list)
    nodes: dict[str, UiNode] = field(default_factory=dict)  # API id -> UI node
    sources: dict[tuple[str, str], str] = field(default_factory=dict)  # (API id, input) -> pointer
    document: UiDocument | None = None
    saved_by: SavingFrontend | None = None  # set when the saving frontend was emulated
    # (API id, input) -> why a linked input was left out: the node its link comes from (or runs
    # through) produces nothing ("#5 VAEDecode is muted"), so a finding can name it.
    cut: dict[tuple[str, str], str] = field(default_factory=dict)
    # Active nodes whose extension links them to unconnected inputs when the prompt is queued
    # (extensions.queue_time_linkers), as "#10 Anything Everywhere": those links are not here.
    queue_time_linkers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.grade != REFUSED


@dataclass(slots=True)
class _Exec:
    """One node as the export sees it: its flattened id and the instance it sits in."""

    id: str
    node: UiNode
    path: tuple[str, ...]
    instance: "_Exec | None"


@dataclass(slots=True)
class _Resolved:
    link: tuple[str, Any] | None = None  # (origin API id, slot)
    value: Any = None  # a promoted subgraph widget's host value (when link is None)
    pointer: str | None = None
    cut: str | None = None  # the link leads to a node that sends nothing: which, and why


class _Converter:
    def __init__(self, document: UiDocument, catalog: Catalog,
                 saved_by: SavingFrontend | None = None, editor_only: Iterable[str] = ()) -> None:
        self.doc = document
        self.catalog = catalog
        self.declared_editor_only = tuple(editor_only)  # the config's editor-only-nodes
        self.saved_by = saved_by  # emulate that frontend instead of today's (see frontends.py)
        self.facts = facts_for(catalog)  # the frontend era whose widgets the nodes get
        self.models: dict = {}  # restore_node's cache, shared by nodes of one type
        self.live_nodes: dict[tuple[str, str], tuple[NodeModel, Restored] | None] = {}
        self.result = ConversionResult(prompt={}, grade=EXACT, document=document)
        self.refusals: list[str] = []
        self.caveats: list[str] = []
        self.execs: dict[str, _Exec] = {}
        self.file_era: SavingFrontend | None = None  # which frontend made the file, once needed
        self.warned_muted_virtual = False
        self.replayed_queue_time_links = False
        self.primitive_values: dict[tuple[str, str], dict[str, tuple[Any, str]]] = {}

    # -- node models ----------------------------------------------------------------------------
    def model(self, node: UiNode) -> NodeModel | None:
        live = self.live(node)
        return live[0] if live is not None else None

    def live(self, node: UiNode) -> tuple[NodeModel, Restored] | None:
        """The node as the editor rebuilds it: its widget model (dynamic combos expanded for
        the values it stores) and those values restored; None for virtual and unknown nodes."""
        key = (node.graph.pointer, node.id)
        if key not in self.live_nodes:
            node_type = node.type
            node_def = None if node_type is None or node_type in VIRTUAL_TYPES \
                else self.catalog.get(node_type)
            self.live_nodes[key] = None if node_def is None else restore_node(
                node_def, node.widgets_values, self.facts, self.models)
        return self.live_nodes[key]

    def is_instance(self, node: UiNode) -> bool:
        return isinstance(node.type, str) and node.type in self.doc.subgraphs

    def definition(self, node: UiNode) -> UiGraph:
        """The subgraph an instance node (is_instance) stands for."""
        return self.doc.subgraphs[node.type or ""]

    def is_virtual(self, node: UiNode) -> bool:
        return node.type in VIRTUAL_TYPES or self.is_instance(node) \
            or self.editor_only(node) is not None

    def editor_only(self, node: UiNode) -> EditorOnlyNode | None:
        """A pack's browser-only node (extensions.py), unless the server has a node of that name."""
        if node.type is None or node.type in self.catalog:
            return None
        return editor_only_node(node.type, self.declared_editor_only)

    # -- entry ----------------------------------------------------------------------------------
    def run(self) -> ConversionResult:
        self._check_refusals()
        self._note_queue_time_links()
        self._apply_primitives()
        order = sorted(self.doc.root.nodes.values(), key=_execution_key)
        try:
            for node in order:
                self._register(node, ())
        except (ExportError, RecursionError) as exc:
            self.refusals.append(f"the frontend's export would fail: {exc}")
        for exe in list(self.execs.values()):
            self._emit(exe)
        self._drop_orphan_links()
        result = self.result
        if self.refusals:
            result.grade, result.reasons = REFUSED, self.refusals + self.caveats
        elif self.caveats:
            result.grade, result.reasons = HEURISTIC, self.caveats
        return result

    def _check_refusals(self) -> None:
        for node in self.doc.all_nodes():
            if node.mode in (MUTED, BYPASSED) or self.is_virtual(node):
                continue
            if is_legacy_group_type(node.type):
                self.refusals.append(
                    f"node {node.id} is a legacy group node ({node.type!r}): current frontends turn "
                    "it into a subgraph with new node ids; open and re-save the workflow first")
            elif self.model(node) is None:
                self.refusals.append(f"node {node.id} has type {node.type!r}, which the catalog "
                                     "does not know (a missing custom node or a frontend-only node)")

    def _note_queue_time_links(self) -> None:
        linkers = queue_time_linkers()
        found = [node for node in self.doc.all_nodes()
                 if node.type in linkers and node.mode not in (MUTED, BYPASSED)]
        if not found:
            return
        self.result.queue_time_linkers = [f"#{node.id} {node.type}" for node in found]
        packs = sorted({linkers[node.type] for node in found if node.type})
        recorded = any(graph.queue_time_links for graph in self.doc.graphs())
        self.replayed_queue_time_links = recorded  # said here, once
        self.caveats.append(
            f"{', '.join(packs)} nodes ({', '.join(self.result.queue_time_linkers)}) add links "
            "when the prompt is queued: " + (
                "this conversion replays the links recorded in the file when it was saved "
                "(extra.ue_links); the extension computes them again when the prompt is queued"
                if recorded else "this conversion does not reproduce them: inputs they would "
                "feed are left unconnected"))

    # -- phase D: PrimitiveNode values ----------------------------------------------------------
    def _apply_primitives(self) -> None:
        for graph in self.doc.graphs():
            for node in graph.nodes.values():
                if node.type != "PrimitiveNode":
                    continue
                values = node.widgets_values
                if not isinstance(values, list) or not values:
                    continue
                for link in graph.links_from(node.id, 0):
                    self._push_primitive(graph, node, link, values[0])

    def _push_primitive(self, graph: UiGraph, primitive: UiNode, link: UiLink, value: Any) -> None:
        target = graph.nodes.get(link.target_id)
        if target is None or link.target_input is None:
            return
        if target.type == "Reroute":
            self.caveats.append(
                f"PrimitiveNode {primitive.id} feeds a widget through Reroute {target.id}: current "
                "frontends send the target's own stored value, older ones sent the primitive's")
            return
        model = self.model(target)
        if model is None or model.widget(link.target_input) is None:
            return
        where = f"{primitive.pointer}/widgets_values/0"
        self.primitive_values.setdefault((graph.pointer, target.id), {})[link.target_input] = (
            value, where)

    # -- phase E: flatten -------------------------------------------------------------------------
    def _exec_for(self, node: UiNode, path: tuple[str, ...], instance: _Exec | None) -> _Exec:
        exe_id = ":".join(path + (node.id,))
        exe = self.execs.get(exe_id)
        if exe is None:
            exe = _Exec(exe_id, node, path, instance)
        return exe

    def _register(self, node: UiNode, path: tuple[str, ...], instance: _Exec | None = None,
                  expand: bool = True, depth: int = 0) -> None:
        exe = self._exec_for(node, path, instance)
        self.execs[exe.id] = exe
        if not self.is_instance(node) or not expand:
            return
        if depth > 32:
            raise ExportError("subgraphs nest inside themselves")
        if not path and node.mode in (MUTED, BYPASSED):
            return  # a muted or bypassed root instance is not expanded
        definition = self.definition(node)
        for inner in definition.nodes.values():
            self._register(inner, path + (node.id,), exe, depth=depth + 1)

    def _child(self, exe: _Exec, inner: UiNode) -> _Exec:
        """The exec record of a node inside instance `exe`."""
        return self._exec_for(inner, exe.path + (exe.node.id,), exe)

    def _in_same_graph(self, exe: _Exec, node: UiNode) -> _Exec:
        return self._exec_for(node, exe.path, exe.instance)

    # -- phase F: emit ------------------------------------------------------------------------------
    def _emit(self, exe: _Exec) -> None:
        node = exe.node
        if self.is_virtual(node) or node.mode in (MUTED, BYPASSED):
            return
        live = self.live(node)
        model = None
        inputs: dict[str, Any] = {}
        sources = self.result.sources
        if live is not None:
            model, restored = live
            self.caveats.extend(f"node {exe.id} ({node.type}): {c}" for c in model.caveats)
            if restored.layout == "mismatch":
                self.caveats.append(
                    f"node {exe.id} ({node.type}) stores {len(node.widgets_values)} widget values "
                    f"where its definition has {len(model.persisted)}: values are paired by position")
            pushed = self.primitive_values.get((node.graph.pointer, node.id), {})
            for widget in model.widgets:
                if self.saved_by is not None and widget.type == "IMAGEUPLOAD":
                    self._saved_upload_button(exe, widget, restored, inputs)
                if not (widget.is_value and widget.prompted and widget.name):
                    continue
                if self._unknown_to_saving_frontend(widget, restored):
                    continue
                value = restored.values.get(widget.name)
                where = f"{node.pointer}/widgets_values/{restored.sources[widget.name]}" \
                    if widget.name in restored.sources else node.pointer
                if widget.name in pushed:
                    value, where = pushed[widget.name]
                self._value_caveat(exe, widget, value)
                inputs[widget.name] = wrap_value(value, widget.type)
                sources[(exe.id, widget.name)] = where
            names = [socket.name for socket in model.sockets]
            names += [n for n in node.graph.incoming.get(node.id, {}) if n not in names]
        else:
            names = list(node.graph.incoming.get(node.id, {}))
        for name in names:
            try:
                resolved = self._resolve_input(exe, name, frozenset())
            except (ExportError, RecursionError) as exc:  # the frontend's export stops here
                self.refusals.append(f"the frontend's export would fail: {exc}")
                continue
            if resolved is None:
                continue
            if resolved.cut is not None:
                self.result.cut[(exe.id, name)] = resolved.cut
                continue
            if resolved.link is not None:
                inputs[name] = [resolved.link[0], resolved.link[1]]
            else:
                inputs[name] = wrap_value(resolved.value, None)
            sources[(exe.id, name)] = resolved.pointer or node.input_pointer(name) or node.pointer
            if model is not None and model.socket_index(name) is None:
                self.caveats.append(f"node {exe.id} ({node.type}) has a link into {name!r}, which "
                                    "its definition does not declare")
        entry: dict[str, Any] = {"inputs": inputs, "class_type": node.type,
                                 "_meta": self._meta(node, model)}
        self.result.prompt[exe.id] = entry
        self.result.nodes[exe.id] = node

    def _saved_upload_button(self, exe: _Exec, widget: Widget, restored: Restored,
                             inputs: dict) -> None:
        """Frontends before v1.10 sent the upload button's value (its stored value, "image")."""
        name = self.saved_by.upload_input if self.saved_by is not None else None
        if name is not None:
            inputs[name] = restored.companions.get(widget.name, widget.default)
            self.result.sources[(exe.id, name)] = exe.node.pointer

    def _unknown_to_saving_frontend(self, widget: Widget, restored: Restored) -> bool:
        """A widget with no stored value where the file stores too few (or none: a node without
        widgets stores no list): the node gained the input after the file was saved, and the
        saving frontend sent nothing for it."""
        return (self.saved_by is not None and restored.layout in ("mismatch", "none")
                and widget.name not in restored.sources)

    def _meta(self, node: UiNode, model: NodeModel | None) -> dict:
        title = node.raw.get("title")
        if not isinstance(title, str):
            title = model.node_def.display_name if model is not None else node.type
        meta = {"title": title}
        properties = node.properties
        for key, valid in (("cnr_id", _valid_cnr_id), ("aux_id", _valid_aux_id), ("ver", _valid_ver)):
            value = properties.get(key)
            if isinstance(value, str) and valid(value):
                meta[key] = value
        return meta

    def _value_caveat(self, exe: _Exec, widget: Widget, value: Any) -> None:
        """Values the frontend rewrites while exporting: dynamic prompts, %…% substitutions."""
        if not isinstance(value, str) or widget.spec is None:
            return
        if widget.spec.options.get("dynamicPrompts") and DYNAMIC_PROMPT_SYNTAX.search(value):
            self.caveats.append(
                f"node {exe.id} ({exe.node.type}): {widget.name!r} uses dynamic-prompt syntax "
                "(comments or {a|b}), which the frontend rewrites, randomly, when it exports")
        elif widget.name == "filename_prefix" and TEXT_REPLACEMENT.search(value):
            self.caveats.append(
                f"node {exe.id} ({exe.node.type}): {widget.name!r} holds %…% placeholders, which "
                "the frontend fills in (dates, other nodes' values) when it exports")

    # -- phase G: resolution ----------------------------------------------------------------------
    def _muted_virtual_passes(self) -> bool:
        """Whether a muted Reroute (or other virtual node) still passes its link on.

        Every frontend before 1.42 did (`frontends.MUTED_VIRTUAL_NODES_CUT_SINCE`); the file's
        own evidence says which one it was made in, and that is what its author saw run. Today's
        export (the default) follows the file there too, with a caveat that current frontends cut
        the link; emulating the saving frontend (as_saved) it is exact.
        """
        era = self.saved_by or self._file_era()
        if not era.passes_muted_virtual_nodes:
            return False
        if self.saved_by is None and not self.warned_muted_virtual:
            self.warned_muted_virtual = True
            self.caveats.append(
                f"a link runs through a muted virtual node: {era.label} (the file's evidence: "
                f"{era.evidence}) passed it on, as every frontend before "
                f"{'.'.join(map(str, MUTED_VIRTUAL_NODES_CUT_SINCE))} did, and so does this "
                "conversion; newer frontends cut it")
        return True

    def _file_era(self) -> SavingFrontend:
        if self.file_era is None:
            self.file_era = saving_frontend(self.doc, self.catalog)
        return self.file_era

    def _socket_names(self, exe: _Exec) -> list[tuple[str, Any]]:
        """(name, type) of the live node's input slots, in slot order."""
        node = exe.node
        if self.is_instance(node):
            return _named_slots(self.definition(node).io_inputs)
        model = self.model(node)
        if model is not None:
            saved = dict(_named_slots(node.inputs))
            return [(s.name, _live_type(s.type, saved.get(s.name), s.name, model))
                    for s in model.sockets]
        return _named_slots(node.inputs)

    def _output_types(self, exe: _Exec) -> list[Any]:
        node = exe.node
        if self.is_instance(node):
            return [s.get("type") for s in self.definition(node).io_outputs
                    if isinstance(s, dict)]
        model = self.model(node)
        saved = [s.get("type") if isinstance(s, dict) else None for s in node.outputs]
        if model is not None:
            return [_live_type(declared, saved[index] if index < len(saved) else None)
                    for index, declared in enumerate(model.outputs)]
        return [s.get("type") for s in node.outputs if isinstance(s, dict)]

    def _resolve_input(self, exe: _Exec, name: str, visited: frozenset,
                       type_override: Any = None) -> _Resolved | None:
        key = (exe.id, "I", name)
        if key in visited:
            raise ExportError(f"links loop through node {exe.id}")
        visited = visited | {key}
        graph = exe.node.graph
        link = graph.link_into(exe.node.id, name) or self._recorded_queue_time_link(exe, name)
        if link is None:
            return None
        input_type = type_override
        if input_type is None:
            input_type = dict(self._socket_names(exe)).get(name)
        return self._follow(exe, link, input_type, visited)

    def _recorded_queue_time_link(self, exe: _Exec, name: str) -> UiLink | None:
        """The link a pack's extension recorded for this unconnected input (document.py), replayed
        as the extension will add it when the prompt is queued (unless the graph changed since)."""
        link = exe.node.graph.queue_time_links.get(exe.node.id, {}).get(name)
        if link is not None and not self.replayed_queue_time_links:
            self.replayed_queue_time_links = True
            self.caveats.append(
                "links that Use Everywhere recorded when the file was saved (extra.ue_links) are "
                "replayed; the extension computes them again when the prompt is queued")
        return link

    def _resolve_input_slot(self, exe: _Exec, slot: int, visited: frozenset,
                            type_override: Any = None) -> _Resolved | None:
        sockets = self._socket_names(exe)
        node = exe.node
        if self.model(node) is None and not self.is_instance(node):
            link = node.graph.link_into_slot(node.id, slot)  # virtual or unknown: by position
            if link is None:
                return None
            key = (exe.id, "I", slot)
            if key in visited:
                raise ExportError(f"links loop through node {exe.id}")
            fallback = sockets[slot][1] if slot < len(sockets) else None
            return self._follow(exe, link, type_override or fallback, visited | {key})
        if not 0 <= slot < len(sockets):
            raise ExportError(f"node {exe.id} has no input slot {slot}")
        return self._resolve_input(exe, sockets[slot][0], visited, type_override)

    def _follow(self, exe: _Exec, link: UiLink, input_type: Any,
                visited: frozenset) -> _Resolved | None:
        graph = exe.node.graph
        if graph.is_subgraph and link.origin_id == SUBGRAPH_INPUT_NODE:
            return self._from_instance_input(exe, graph, link.origin_slot, visited)
        origin = graph.nodes.get(link.origin_id)
        if origin is None:
            raise ExportError(f"link {link.id} comes from node {link.origin_id}, which does not exist")
        return self._resolve_output(self._in_same_graph(exe, origin), link.origin_slot, input_type,
                                    visited)

    def _from_instance_input(self, exe: _Exec, graph: UiGraph, slot: Any,
                             visited: frozenset) -> _Resolved | None:
        instance = exe.instance
        io_inputs = graph.io_inputs
        if instance is None or not isinstance(slot, int) or not 0 <= slot < len(io_inputs):
            raise ExportError(f"a link inside subgraph {graph.pointer} reads input {slot!r}, "
                              "which the subgraph does not have")
        name = io_inputs[slot].get("name") if isinstance(io_inputs[slot], dict) else None
        if isinstance(name, str) and instance.node.graph.link_into(instance.node.id, name) is not None:
            return self._resolve_input(instance, name, visited)
        promoted = self._promoted_inputs(graph)
        if slot not in promoted:
            return None
        rank = self._host_index(instance.node, graph, slot, promoted)
        host = instance.node.widgets_values
        if isinstance(host, list) and rank is not None and rank < len(host) \
                and host[rank] is not None:
            return _Resolved(value=host[rank],
                             pointer=f"{instance.node.pointer}/widgets_values/{rank}")
        return self._interior_value(graph, slot)

    def _interior_value(self, graph: UiGraph, slot: int) -> _Resolved | None:
        """No host value (files from before promoted widgets had them): the frontend takes the
        value of the interior widget the input was promoted from."""
        for link in graph.links_from(SUBGRAPH_INPUT_NODE, slot):
            target = graph.nodes.get(link.target_id)
            if target is None or link.target_input is None:
                continue
            live = self.live(target)
            if live is None or live[0].widget(link.target_input) is None:
                continue
            restored = live[1]
            index = restored.sources.get(link.target_input)
            where = target.pointer if index is None else f"{target.pointer}/widgets_values/{index}"
            return _Resolved(value=restored.values.get(link.target_input), pointer=where)
        return None

    def _host_index(self, instance: UiNode, graph: UiGraph, slot: int,
                    promoted: list[int]) -> int | None:
        """Where instance.widgets_values holds input `slot`'s host value.

        Current files: the rank among promoted inputs. Files with legacy `proxyWidgets`
        (`[[inner node id, widget name], ...]`, "-1" meaning the subgraph input of that name):
        the index of the entry naming the widget this input feeds.
        """
        proxies = instance.properties.get("proxyWidgets")
        if not isinstance(proxies, list):
            return promoted.index(slot)
        name = graph.io_inputs[slot].get("name")
        targets = {("-1", name)} | {(link.target_id, link.target_input)
                                    for link in graph.links_from(SUBGRAPH_INPUT_NODE, slot)}
        for index, entry in enumerate(proxies):
            if isinstance(entry, list) and len(entry) >= 2 and (str(entry[0]), entry[1]) in targets:
                return index
        return None

    def _promoted_inputs(self, graph: UiGraph, depth: int = 0) -> list[int]:
        """Definition input indexes whose inner link lands on a widget (host values, in order)."""
        promoted = []
        for index in range(len(graph.io_inputs)):
            for link in graph.links_from(SUBGRAPH_INPUT_NODE, index):
                if self._lands_on_widget(graph, link, depth):
                    promoted.append(index)
                    break
        return promoted

    def _lands_on_widget(self, graph: UiGraph, link: UiLink, depth: int) -> bool:
        target = graph.nodes.get(link.target_id)
        if target is None or link.target_input is None or depth > 32:
            return False
        if self.is_instance(target):
            inner = self.definition(target)
            names = [s.get("name") for s in inner.io_inputs if isinstance(s, dict)]
            return (link.target_input in names
                    and names.index(link.target_input) in self._promoted_inputs(inner, depth + 1))
        model = self.model(target)
        if model is None or model.socket_index(link.target_input) is None:
            # An input the definition does not declare (or an unknown node): the frontend's
            # socket carries the link's type, a widget one when it names a widget kind.
            return isinstance(link.type, str) and link.type in self.facts.kinds
        return model.widget(link.target_input) is not None

    def _resolve_output(self, exe: _Exec, slot: Any, input_type: Any,
                        visited: frozenset) -> _Resolved | None:
        if isinstance(slot, str) and slot.isdigit():
            slot = int(slot)  # the frontend coerces numeric strings
        if not isinstance(slot, int) or isinstance(slot, bool):
            return None
        key = (exe.id, "O", slot)
        if key in visited:
            raise ExportError(f"links loop through node {exe.id}")
        visited = visited | {key}
        node = exe.node
        if node.mode == MUTED and not (self.is_virtual(node) and not self.is_instance(node)
                                       and self._muted_virtual_passes()):
            return _Resolved(cut=f"#{exe.id} {node.type} is muted (mode 2)")
        if node.mode == BYPASSED:
            index = self._bypass_slot(exe, slot, input_type)
            if index < 0:
                # The frontend drops the link (a console warning), and its matching rules
                # changed over the years (reference E10): a lossy result is never called exact.
                cut = f"#{exe.id} {node.type} is bypassed and has no input of type {input_type} to pass on"
                self.caveats.append(f"{cut}: the frontend drops the link")
                return _Resolved(cut=cut)
            return self._resolve_input_slot(exe, index, visited)
        if self.is_instance(node):
            definition = self.definition(node)
            inner_link = next((link for link in definition.links.values()
                               if link.target_id == SUBGRAPH_OUTPUT_NODE
                               and link.target_slot == slot), None)
            if inner_link is None:
                return None
            if inner_link.origin_id == SUBGRAPH_INPUT_NODE:
                raise ExportError(f"subgraph node {exe.id} passes an input straight to an output")
            inner = definition.nodes.get(inner_link.origin_id)
            if inner is None:
                raise ExportError(f"a link in subgraph node {exe.id} comes from a missing node")
            return self._resolve_output(self._child(exe, inner), inner_link.origin_slot,
                                        input_type, visited)
        editor_only = self.editor_only(node)
        if editor_only is not None and editor_only.kind == GET_BY_NAME:
            return self._resolve_get_node(exe, slot, input_type, visited)
        if node.type in VIRTUAL_TYPES or editor_only is not None:
            if node.type in NOTE_TYPES or node.type == "PrimitiveNode" or not isinstance(slot, int):
                return None
            if editor_only is not None and node.graph.link_into_slot(node.id, slot) is None:
                # Nothing to pass on (a value provider like PresetText|pysssss): the extension
                # writes its value into the target widget at queue time, from browser storage.
                origin = editor_only.pack or "declared in the config"
                self.caveats.append(f"#{exe.id} {node.type} (editor-only, {origin}) feeds a link "
                                    "it has no input for: its extension sets the target's value "
                                    "when queueing; the stored value is used")
                return None
            return self._resolve_input_slot(exe, slot, visited, input_type)
        return _Resolved(link=(exe.id, slot))

    def _resolve_get_node(self, exe: _Exec, slot: Any, input_type: Any,
                          visited: frozenset) -> _Resolved | None:
        """KJNodes' GetNode: output k is what feeds input k of the SetNode with its name, found in
        its own graph first, then in the graphs that enclose it (the pack's getInputLink and
        resolveVirtualOutput)."""
        values = exe.node.widgets_values
        name = values[0] if isinstance(values, list) and values else None
        if not name or not isinstance(slot, int):
            return None
        scope: _Exec | None = exe
        while scope is not None:
            for candidate in scope.node.graph.nodes.values():
                stored = candidate.widgets_values
                if candidate.type == SET_NODE and isinstance(stored, list) and stored \
                        and stored[0] == name:
                    setter = self._in_same_graph(scope, candidate)
                    link = candidate.graph.link_into_slot(candidate.id, slot)
                    return None if link is None else self._follow(setter, link, input_type, visited)
            scope = scope.instance
        return _Resolved(cut=f"#{exe.id} GetNode reads {name!r}, which no SetNode sets")

    def _bypass_slot(self, exe: _Exec, slot: Any, wanted: Any) -> int:
        """Which input a bypassed node passes to output `slot` (the frontend's `bypassSlot`)."""
        inputs = self._socket_names(exe)
        outputs = self._output_types(exe)
        out_type = outputs[slot] if isinstance(slot, int) and 0 <= slot < len(outputs) else None
        if wanted in ("*", "", None):
            return slot if isinstance(slot, int) and len(inputs) > slot else 0
        if isinstance(slot, int) and 0 <= slot < len(inputs) and valid_connection(
                inputs[slot][1], out_type) and valid_connection(inputs[slot][1], wanted):
            return slot
        for index, (_, slot_type) in enumerate(inputs):
            if slot_type == wanted:
                return index
        for index, (_, slot_type) in enumerate(inputs):
            if valid_connection(slot_type, out_type) and valid_connection(slot_type, wanted):
                return index
        return -1

    # -- phase H ------------------------------------------------------------------------------------
    def _drop_orphan_links(self) -> None:
        prompt = self.result.prompt
        for node_id, entry in prompt.items():
            inputs = entry["inputs"]
            for name in [n for n, v in inputs.items()
                         if isinstance(v, list) and len(v) == 2 and v[0] not in prompt]:
                del inputs[name]
                self.result.sources.pop((node_id, name), None)


def _named_slots(slots: list) -> list[tuple[str, Any]]:
    return [(s["name"], s.get("type")) for s in slots
            if isinstance(s, dict) and isinstance(s.get("name"), str)]


def _live_type(declared: Any, saved: Any, name: str | None = None,
               model: NodeModel | None = None) -> Any:
    """A slot's type on the live node. A v3 MatchType slot (`COMFY_MATCHTYPE_V3`) takes the
    type the frontend narrows it to from its links, which the file saves with the slot (inputs
    start as the template's allowed types, outputs as what the links bring); bypass and link
    resolution match on that, never on the literal MatchType name."""
    if declared != MATCH_TYPE:
        return declared
    if isinstance(saved, str) and saved and saved != MATCH_TYPE:
        return saved
    spec = model.node_def.inputs.get(name) if model is not None and name is not None else None
    template = spec.options.get("template") if spec is not None else None
    allowed = template.get("allowed_types") if isinstance(template, dict) else None
    return allowed if isinstance(allowed, str) and allowed else "*"


def _execution_key(node: UiNode) -> tuple:
    order = node.raw.get("order")
    return (0, order) if isinstance(order, (int, float)) and not isinstance(order, bool) else (1, 0)


def valid_connection(a: Any, b: Any) -> bool:
    """LiteGraph's isValidConnection: wildcards, equality, then case-insensitive comma lists."""
    if not a or not b or a == "*" or b == "*" or a == b:
        return True
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    a, b = a.lower(), b.lower()
    if "," not in a and "," not in b:
        return a == b
    return bool(set(a.split(",")) & set(b.split(",")))


def wrap_value(value: Any, widget_type: str | None) -> Any:
    """Array values go out as {"__value__": v} so the server does not read them as links."""
    if widget_type == "CURVE" and value is not None:
        return {"__type__": "CURVE", "__value__": value}
    if isinstance(value, list):
        return {"__value__": value}
    return value


def _valid_cnr_id(value: str) -> bool:
    return 0 < len(value) <= 100 and bool(_CNR_ID.match(value))


def _valid_aux_id(value: str) -> bool:
    return bool(_AUX_ID.match(value))


def _valid_ver(value: str) -> bool:
    text = value[1:] if value.startswith("v") else value
    return value == "unknown" or bool(_SEMVER.match(text) or _GIT_HASH.match(text))


def to_api(ui_workflow: dict, catalog: Catalog | None = None, *,
           as_saved: bool = False, editor_only: Iterable[str] = ()) -> ConversionResult:
    """Convert a UI workflow the way the frontend's "Export (API)" does, graded with reasons.

    as_saved: emulate the frontend that saved the file (`frontends.saving_frontend`) instead of
    today's: what that editor exported, e.g. the prompt embedded beside it in a PNG.
    editor_only: node types (names or fnmatch patterns) to treat as browser-only virtual nodes,
    besides the packs' ones `extensions.py` knows.
    """
    if catalog is None:
        catalog = Catalog.stock()
    document = read_document(ui_workflow)
    saved_by = saving_frontend(document, catalog) if as_saved else None
    result = _Converter(document, catalog, saved_by, editor_only).run()
    result.saved_by = saved_by
    return result
