"""The API-format workflow as a networkx.MultiDiGraph, with the analyses rules share.

Link semantics are the server's: an input value is a link when it is a list; a *well-formed* link
is `[source_id: str, slot: int]` whose source exists and has that output. Anything else that is
list-shaped is recorded as a LinkProblem (a finding), never a crash.

"Validated" mirrors ComfyUI: validation starts at the output nodes and recurses only through
links it can follow (well-formed, type-compatible). Nodes it never reaches are neither validated
nor executed by the server, so rules report problems there at a lower severity.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx

from .catalog import Catalog, InputSpec, NodeDef
from .catalog.dynamic import ResolvedInputs, resolve_inputs
from .catalog.types import link_types_match


@dataclass(slots=True)
class Link:
    """One input whose value is list-shaped, with what the server would make of it."""

    target: str
    input: str
    value: list
    source: Any = None
    slot: Any = None
    problem: str | None = None  # None, "length", "source-type", "missing-source", "slot-type",
    #                             "slot-range", "source-malformed"
    received_type: Any = None  # the source output's declared type, when known
    declared_type: Any = None  # the target input's declared type, when known
    type_ok: bool | None = None  # None when either side is unknown

    @property
    def followed(self) -> bool:
        """The server recurses into the source through this link."""
        return self.problem is None and self.type_ok is not False


class WorkflowGraph:
    def __init__(self, workflow: dict, catalog: Catalog, partial_targets: Any = None,
                 has_partial_targets: bool = False) -> None:
        self.workflow = workflow
        self.catalog = catalog
        self.partial_targets = partial_targets
        self.has_partial_targets = has_partial_targets
        self.g = nx.MultiDiGraph()
        self.links: list[Link] = []
        self.links_by_target: dict[str, list[Link]] = {}
        self._node_defs: dict[str, NodeDef | None] = {}  # rules ask for these thousands of times
        # Nodes with v3 dynamic inputs: their inputs as finalized against the prompt (catalog.dynamic).
        self._resolved: dict[str, ResolvedInputs] = {}
        self._build()

    # -- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        for node_id, node in self.workflow.items():
            class_type = node.get("class_type") if isinstance(node, dict) else None
            meta = node.get("_meta") if isinstance(node, dict) else None
            title = meta.get("title") if isinstance(meta, dict) else None
            self.g.add_node(node_id, class_type=class_type, title=title)
            node_def = self._node_defs[node_id] = self.catalog.get(class_type)
            if node_def is not None and node_def.has_dynamic_inputs:
                self._resolved[node_id] = resolve_inputs(node_def, self.inputs(node_id))
        for node_id in list(self.g.nodes):
            for name, value in self.inputs(node_id).items():
                if isinstance(value, list):
                    link = self._classify(node_id, name, value)
                    self.links.append(link)
                    self.links_by_target.setdefault(node_id, []).append(link)
                    if link.problem in (None, "slot-range", "slot-type") and link.source in self.g:
                        self.g.add_edge(link.source, node_id, key=name, link=link)

    def _classify(self, target: str, name: str, value: list) -> Link:
        link = Link(target=target, input=name, value=value)
        target_spec = self.input_specs(target).get(name)
        if target_spec is not None:
            link.declared_type = target_spec.type
        if len(value) != 2:
            link.problem = "length"
            return link
        link.source, link.slot = value
        if not isinstance(link.source, str):
            link.problem = "source-type"
            return link
        if link.source not in self.workflow:
            link.problem = "missing-source"
            return link
        if not isinstance(self.workflow[link.source], dict):
            link.problem = "source-malformed"
            return link
        source_def = self.node_def(link.source)
        if not isinstance(link.slot, int):  # bool is an int: the server indexes True as 1
            link.problem = "slot-type"
            return link
        if source_def is None:
            return link
        outputs = source_def.outputs
        if not -len(outputs) <= link.slot < len(outputs):
            link.problem = "slot-range"
            return link
        link.received_type = outputs[link.slot]
        if link.declared_type is not None and not self.catalog.skips_link_type_check(
                self.class_type(target) or ""):
            link.type_ok = link_types_match(link.received_type, link.declared_type)
        return link

    # -- node accessors -------------------------------------------------------------------------
    def node(self, node_id: str) -> Any:
        return self.workflow.get(node_id)

    def class_type(self, node_id: str) -> Any:
        return self.g.nodes[node_id]["class_type"] if node_id in self.g else None

    def title(self, node_id: str) -> str | None:
        return self.g.nodes[node_id]["title"] if node_id in self.g else None

    def node_def(self, node_id: str) -> NodeDef | None:
        return self._node_defs.get(node_id)

    def input_specs(self, node_id: str) -> dict[str, InputSpec]:
        """The inputs the server validates on this node: declared ones, dynamic ones finalized."""
        resolved = self._resolved.get(node_id)
        if resolved is not None:
            return resolved.specs
        node_def = self._node_defs.get(node_id)
        return node_def.inputs if node_def is not None else {}

    def dynamic_inputs(self, node_id: str) -> ResolvedInputs | None:
        """How a node's v3 dynamic inputs resolved, or None for a node without any."""
        return self._resolved.get(node_id)

    def inputs(self, node_id: str) -> dict:
        node = self.workflow.get(node_id)
        inputs = node.get("inputs") if isinstance(node, dict) else None
        return inputs if isinstance(inputs, dict) else {}

    def known_nodes(self) -> list[tuple[str, NodeDef]]:
        """(node_id, definition) for every well-formed node whose class the catalog knows."""
        return self._known_nodes

    @cached_property
    def well_formed(self) -> bool:
        """The graph satisfies schemas/api-workflow.schema.json: node objects with a class_type
        and an inputs object, every list-valued input a `["<id>", <int>]` link. When it does,
        the node-structure rules (missing-class-type, malformed-node) have nothing to say; when it
        does not, they explain where and how the server reacts. (bad-link-shape still looks:
        JSON Schema's integer admits 2.0, which the server cannot index with.)"""
        from .schema_check import plainly_valid

        return plainly_valid(self.workflow, "api-workflow.schema.json")

    @cached_property
    def _known_nodes(self) -> list[tuple[str, NodeDef]]:
        return [(node_id, node_def) for node_id, node_def in self._node_defs.items()
                if node_def is not None and isinstance(self.workflow[node_id], dict)]

    # -- shared analyses ------------------------------------------------------------------------
    @cached_property
    def all_output_nodes(self) -> list[str]:
        return [n for n, d in self.known_nodes() if d.is_output_node]

    @cached_property
    def output_nodes(self) -> list[str]:
        """Output nodes the server would run, honouring partial_execution_targets exactly.

        The server tests `node_id in targets` with Python's `in`: on a list that is membership,
        on a string a substring test ("19" selects output "9").
        """
        if not self.has_partial_targets or self.partial_targets is None:
            return self.all_output_nodes
        targets = self.partial_targets
        selected = []
        for node_id in self.all_output_nodes:
            try:
                if node_id in targets:
                    selected.append(node_id)
            except TypeError:
                return []
        return selected

    @cached_property
    def validated(self) -> frozenset[str]:
        """Nodes the server validates: outputs and what they reach through followable links."""
        return self._followable_closure(self.output_nodes)

    def validated_closure(self, output: str) -> frozenset[str]:
        """The nodes the server validates on behalf of one output."""
        return self._followable_closure([output])

    def _followable_closure(self, starts: list[str]) -> frozenset[str]:
        seen: set[str] = set()
        stack = list(starts)
        while stack:
            node_id = stack.pop()
            if node_id in seen:
                continue
            seen.add(node_id)
            for link in self.links_by_target.get(node_id, ()):
                if link.followed and link.source not in seen:
                    stack.append(link.source)
        return frozenset(seen)

    @cached_property
    def feeds_output(self) -> frozenset[str]:
        """Nodes any selected output depends on through any link that names an existing node."""
        seen: set[str] = set()
        for output in self.output_nodes:
            if output not in seen:
                seen.add(output)
                seen.update(nx.ancestors(self.g, output))
        return frozenset(seen)

    @cached_property
    def dependent_outputs(self) -> dict[str, list[str]]:
        """node id -> the selected outputs whose validation reaches it (the server's field)."""
        result: dict[str, list[str]] = {}
        for output in self.output_nodes:
            for node_id in nx.ancestors(self.g, output) | {output}:
                result.setdefault(node_id, []).append(output)
        return result

    @cached_property
    def cycles(self) -> list[list[str]]:
        """One cycle path per strongly connected knot (self-loops included), in a stable order."""
        found = []
        for component in nx.strongly_connected_components(self.g):
            if len(component) == 1:
                (node_id,) = component
                if not self.g.has_edge(node_id, node_id):
                    continue
                found.append([node_id])
                continue
            sub = self.g.subgraph(component)
            start = min(component, key=natural_key)
            edges = nx.find_cycle(sub, source=start)
            found.append([edge[0] for edge in edges])
        return sorted(found, key=lambda path: natural_key(path[0]))

    @cached_property
    def topological_order(self) -> list[str] | None:
        if self.cycles:
            return None
        return list(nx.lexicographical_topological_sort(self.g, key=natural_key))


def natural_key(node_id: str) -> tuple:
    """Order ids as people read them: "2" < "10" < "10:3" < "abc"."""
    parts = []
    for part in str(node_id).replace(":", ".").split("."):
        parts.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(parts)


