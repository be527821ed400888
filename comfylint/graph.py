"""The API-format workflow as a networkx.MultiDiGraph, with the analyses rules share.

Link semantics are the server's: an input value is a link when it is a list; a *well-formed* link
is `[source_id: str, slot: int]` whose source exists and has that output. Anything else that is
list-shaped is recorded as a LinkProblem (a finding), never a crash.

"Validated" mirrors ComfyUI: validation starts at the output nodes and recurses only through
links it can follow (well-formed, type-compatible). Nodes it never reaches are neither validated
nor executed by the server, so rules report problems there at a lower severity.

The networkx graph `g` is the model the rules and the Python API share; it is built on first use.
The analyses every file needs (what feeds an output, is there a cycle, how deep is validation)
are plain linear passes over the link lists, ~10x faster than the networkx algorithms on the same
edges; networkx answers where its algorithms are needed (naming a cycle's path).
tests/test_fast_paths.py checks each pass against the networkx algorithm on generated graphs.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .catalog import Catalog, InputSpec, NodeDef
from .catalog.types import link_types_match
from .literals import LiteralChecks, literal_checks
from .record import Record

if TYPE_CHECKING:
    import networkx as nx

    from .catalog.dynamic import ResolvedInputs


class computed_once:  # a decorator, named like functools.cached_property
    """functools.cached_property without its lock (Python 3.11 takes an RLock on every first
    access): a WorkflowGraph belongs to one document and one thread, and asks for a dozen."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


_ABSENT = object()  # (no such node)

# Link problems that still connect two existing nodes (the edge exists in the graph).
EDGE_PROBLEMS = (None, "slot-range", "slot-type")


def server_reads_as_link(value: Any) -> bool:
    """What ComfyUI's execution reads as a link in any input, declared or not (its `is_link`):
    a 2-item list of a string node id and a number. Validation reads every list value of a
    declared input as a link; any other list in an undeclared input is a value it ignores."""
    return type(value) is list and len(value) == 2 and isinstance(value[0], str) \
        and isinstance(value[1], (int, float))


class Link(Record):
    """One input whose value is list-shaped, with what the server would make of it."""

    __slots__ = ("target", "input", "value", "source", "slot", "problem", "received_type",
                 "declared_type", "type_ok", "navigable")

    def __init__(self, target: str, input: str, value: list, source: Any = None,
                 slot: Any = None, problem: str | None = None, received_type: Any = None,
                 declared_type: Any = None, type_ok: bool | None = None,
                 navigable: bool = True) -> None:
        self.target = target
        self.input = input
        self.value = value
        self.source = source
        self.slot = slot
        # None, "length", "source-type", "missing-source", "slot-type", "slot-range",
        # "source-malformed"
        self.problem = problem
        self.received_type = received_type  # the source output's declared type, when known
        self.declared_type = declared_type  # the target input's declared type, when known
        self.type_ok = type_ok  # None when either side is unknown
        # Newer servers do not recurse through links into inputs marked `nonNavigable` (§12).
        self.navigable = navigable

    @property
    def followed(self) -> bool:
        """The server recurses into the source through this link."""
        return self.problem is None and self.type_ok is not False and self.navigable


class WorkflowGraph:
    def __init__(self, workflow: dict, catalog: Catalog, partial_targets: Any = None,
                 has_partial_targets: bool = False) -> None:
        self.workflow = workflow
        self.catalog = catalog
        self._server = catalog.release.server  # how the release in use validates links
        self.partial_targets = partial_targets
        self.has_partial_targets = has_partial_targets
        # Every list-valued input, in order: a Link, or for a plain link (most of them) the
        # fields of its Link, made when `links` is first read (a record costs 4x a tuple).
        self._link_rows: list[Link | tuple] = []
        self._class_types: dict[str, Any] = {}
        self._titles: dict[str, str | None] = {}
        self._node_defs: dict[str, NodeDef | None] = {}  # rules ask for these thousands of times
        self._specs: dict[str, dict[str, InputSpec]] = {}  # known nodes: input_specs()
        # (node_id, node_def, input_name, spec, value) for every literal input a known node
        # declares (links, list values, are the link rules'; `{"__value__": v}` stays wrapped).
        self.literal_inputs: list[tuple[str, NodeDef, str, InputSpec, Any]] = []
        # Nodes with v3 dynamic inputs: their inputs as finalized against the prompt (catalog.dynamic).
        self._resolved: dict[str, ResolvedInputs] = {}
        # The graph satisfies schemas/api-workflow.schema.json: node objects with a class_type and
        # an inputs object, every list-valued input a `["<id>", <int>]` link. When it does, the
        # node-structure rules (missing-class-type, malformed-node) have nothing to say; when it
        # does not, they explain where and how the server reacts. (bad-link-shape still looks:
        # JSON Schema's integer admits 2.0, which the server cannot index with.) Decided while
        # building, with the schema's exact semantics (tests/test_api_schema.py).
        self.well_formed = True
        # Shared with the rules that would otherwise each walk every node or link, in order:
        self.unknown_nodes: list[str] = []  # no definition (an unknown class, no class_type)
        self._known_nodes: list[tuple[str, NodeDef]] = []  # the others, with their definition
        self.all_output_nodes: list[str] = []  # known nodes of an output class
        self.known_classes: set[str] = set()  # the classes of the known nodes
        self.deprecated_nodes: list[str] = []  # known nodes of a class the catalog deprecates
        self.without_inputs: set[str] = set()  # not an object, or its "inputs" is not one
        # Known nodes whose inputs object may lack a required input (or whose dynamic inputs
        # decide which are required), and those with an input their class does not declare.
        self.incomplete_nodes: list[str] = []
        self.undeclared_nodes: list[str] = []
        # Links a link rule may report: a problem, a bool or negative output index, a type
        # mismatch (the rest are plain links: the commonest input of all).
        self.odd_links: list[Link] = []
        # (node_id, class_type or "", input, value): the literal strings of every node, known
        # class or not, `{"__value__": s}` unwrapped, that may be a path (they hold a '/' or a
        # '\\', or are ".."): the others are neither an absolute path nor one out of a folder.
        self.path_strings: list[tuple[str, str, str, str]] = []
        self._sources_of: dict[str, list[str]] = {}  # node id -> the sources of its edges
        self._targets_of: dict[str, list[str]] = {}  # node id -> the targets of its edges
        # Whether the server follows every edge (no type mismatch, no nonNavigable input, no
        # edge with a problem): then the followed links are the edges (_followed_of).
        self._every_edge_followed = True
        self._build()

    # -- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        """One pass over the nodes and their literal inputs, then one over the list-valued
        inputs (links need every node's definition). Rules ask for what it gathers thousands of
        times: every per-node and per-input cost here is paid per node."""
        workflow = self.workflow
        catalog = self.catalog
        decoded, get_def = catalog.decoded, catalog.get
        class_types, titles, node_defs = self._class_types, self._titles, self._node_defs
        specs_of, unknown, without_inputs = self._specs, self.unknown_nodes, self.without_inputs
        known, outputs = self._known_nodes, self.all_output_nodes
        known_classes, deprecated = self.known_classes, self.deprecated_nodes
        incomplete, undeclared = self.incomplete_nodes, self.undeclared_nodes
        literals, paths = self.literal_inputs, self.path_strings
        skips_type_check = catalog.skips_link_type_check
        well_formed = True
        # (node_id, input, value, the node's specs, whether its links' types are checked)
        pending: list[tuple[str, str, Any, Any, bool]] = []
        class_type: Any
        for node_id, node in workflow.items():
            if isinstance(node, dict):
                class_type = node.get("class_type")
                meta = node.get("_meta")
                title = meta.get("title") if isinstance(meta, dict) else None
                inputs = node.get("inputs")
                if not isinstance(inputs, dict):
                    without_inputs.add(node_id)
                # The api-workflow schema's node: a non-empty string class_type, an inputs
                # object, and a `_meta` (when present) that is an object whose title (when
                # present) is a string.
                if well_formed and not (
                        type(node) is dict and type(class_type) is str and class_type != ""
                        and type(inputs) is dict
                        and ("_meta" not in node or (type(meta) is dict and (
                            "title" not in meta or type(meta["title"]) is str)))):
                    well_formed = False
            else:
                class_type = title = inputs = None
                well_formed = False
                without_inputs.add(node_id)
            class_types[node_id] = class_type
            titles[node_id] = title
            node_def: Any = decoded.get(class_type) if type(class_type) is str else None
            if node_def is None:  # (a class not decoded yet, or none)
                node_def = get_def(class_type)
            node_defs[node_id] = node_def
            specs: Any = None
            if node_def is None:
                unknown.append(node_id)
            else:
                known.append((node_id, node_def))
                known_classes.add(node_def.name)
                if node_def.is_output_node:
                    outputs.append(node_id)
                if node_def.deprecated:
                    deprecated.append(node_id)
                if node_def.has_dynamic_inputs:
                    from .catalog.dynamic import resolve_inputs  # (v3 dynamic inputs only)

                    resolved = self._resolved[node_id] = resolve_inputs(
                        node_def, inputs if isinstance(inputs, dict) else {})
                    specs = specs_of[node_id] = resolved.specs
                    if isinstance(inputs, dict):
                        incomplete.append(node_id)  # (its required inputs are this prompt's)
                        if not inputs.keys() <= specs.keys():
                            undeclared.append(node_id)
                else:
                    specs = specs_of[node_id] = node_def.inputs
                    # (tests in C: a required input not given, an input not declared; most
                    # nodes give exactly the inputs their class declares, which answers both)
                    if isinstance(inputs, dict) and inputs.keys() != specs.keys():
                        if not inputs.keys() >= node_def.required:
                            incomplete.append(node_id)
                        if not inputs.keys() <= specs.keys():
                            undeclared.append(node_id)
            if not inputs or not isinstance(inputs, dict):
                continue
            check_types = None
            for name, value in inputs.items():
                kind = type(value)
                if kind is list or (kind is not str and kind is not int and kind is not float
                                    and isinstance(value, list)):
                    if check_types is None:  # (the node's first link)
                        # (specs: a known node, whose class_type is a string)
                        check_types = bool(specs) and class_type not in skips_type_check
                    pending.append((node_id, name, value, specs, check_types))
                    continue
                if kind is str:
                    if "/" in value or "\\" in value or value == "..":
                        paths.append((node_id if type(node_id) is str else str(node_id),
                                      class_type if isinstance(class_type, str) else "", name,
                                      value))
                elif kind is not int and kind is not float:  # `{"__value__": v}`, and rarer
                    text = value["__value__"] if isinstance(value, dict) \
                        and "__value__" in value else value
                    if isinstance(text, str) and ("/" in text or "\\" in text or text == ".."):
                        paths.append((node_id if type(node_id) is str else str(node_id),
                                      class_type if isinstance(class_type, str) else "", name,
                                      text))
                if specs:
                    spec = specs.get(name)
                    if spec is not None:
                        literals.append((node_id, node_def, name, spec, value))
        rows, odd = self._link_rows, self.odd_links
        sources_of, targets_of = self._sources_of, self._targets_of
        every_edge_followed = True
        skips_non_navigable = self._server.skips_non_navigable_links
        server = self._server
        for node_id, name, value, specs, check_types in pending:
            spec = specs.get(name) if specs else None
            if spec is None:
                declared, navigable = None, True
            else:
                # Newer servers do not recurse through links into `nonNavigable` inputs (§12).
                declared = spec.type
                navigable = not (skips_non_navigable and spec.options.get("nonNavigable"))
            if type(value) is list and len(value) == 2:  # the commonest input of all: a
                #                                            well-formed link, checked here
                source, slot = value
                if type(source) is str and type(slot) is int:
                    source_def = node_defs.get(source)
                    if source_def is not None and -len(source_def.outputs) <= slot \
                            < len(source_def.outputs):
                        received = source_def.outputs[slot]
                        type_ok = None if declared is None or not check_types else (
                            received == declared or link_types_match(received, declared, server))
                        row = (node_id, name, value, source, slot, None, received, declared,
                               type_ok, navigable)
                        if type_ok is False or slot < 0:
                            odd.append(link := Link(*row))
                            rows.append(link)
                        else:
                            rows.append(row)
                        sources = sources_of.get(node_id)
                        if sources is None:
                            sources_of[node_id] = [source]
                        else:
                            sources.append(source)
                        consumers = targets_of.get(source)
                        if consumers is None:
                            targets_of[source] = [node_id]
                        else:
                            consumers.append(node_id)
                        if type_ok is False or not navigable:  # (not Link.followed)
                            every_edge_followed = False
                        continue
            link = self._classify(node_id, name, value, declared, navigable, check_types)
            rows.append(link)
            problem, source = link.problem, link.source
            if problem is None or (problem in EDGE_PROBLEMS and source in workflow):
                sources_of.setdefault(node_id, []).append(source)
                targets_of.setdefault(source, []).append(node_id)
                if not link.followed:
                    every_edge_followed = False
            if problem is not None or link.type_ok is False or type(link.slot) is bool \
                    or link.slot < 0:
                odd.append(link)
            if well_formed and not (type(value) is list and len(value) == 2
                                    and type(value[0]) is str and _schema_integer(value[1])):
                well_formed = False
        self.well_formed = well_formed
        self._every_edge_followed = every_edge_followed

    @computed_once
    def _followed_of(self) -> dict[str, list[str]]:
        """node id -> the sources of its followed links, in order: the edges themselves when the
        server follows them all (most prompts), else read from the links."""
        if self._every_edge_followed:
            return self._sources_of
        followed: dict[str, list[str]] = {}
        for link in self.links:
            if link.followed:
                followed.setdefault(link.target, []).append(link.source)
        return followed

    @computed_once
    def links(self) -> list[Link]:
        """Every input whose value is list-shaped, as a Link, in the workflow's order."""
        return [row if isinstance(row, Link) else Link(*row) for row in self._link_rows]

    @computed_once
    def links_by_target(self) -> dict[str, list[Link]]:
        """node id -> its links, for the nodes with any, in the workflow's order."""
        by_target: dict[str, list[Link]] = {}
        for link in self.links:
            found = by_target.get(link.target)
            if found is None:
                by_target[link.target] = [link]
            else:
                found.append(link)
        return by_target

    @computed_once
    def edges(self) -> list[Link]:
        """The links between two existing nodes (the graph's edges), in order."""
        workflow = self.workflow
        return [link for link in self.links if link.problem is None
                or (link.problem in EDGE_PROBLEMS and link.source in workflow)]

    @computed_once
    def g(self) -> nx.MultiDiGraph:
        """The workflow as a networkx.MultiDiGraph: one node per node id (attributes class_type,
        title), one edge per link between existing nodes (key: the input name, attribute link)."""
        import networkx as nx

        graph = nx.MultiDiGraph()
        titles = self._titles
        graph.add_nodes_from((node_id, {"class_type": class_type, "title": titles[node_id]})
                             for node_id, class_type in self._class_types.items())
        graph.add_edges_from((link.source, link.target, link.input, {"link": link})
                             for link in self.edges)
        return graph

    def _classify(self, target: str, name: str, value: list, declared: Any, navigable: bool,
                  check_types: bool) -> Link:
        """What the server makes of a list-valued input (Link.problem, the types on both ends)."""
        if len(value) != 2:
            return Link(target, name, value, None, None, "length", None, declared, None, navigable)
        source, slot = value
        if not isinstance(source, str):
            problem = "source-type"
        elif source not in self.workflow:
            problem = "missing-source"
        elif not isinstance(self.workflow[source], dict):
            problem = "source-malformed"
        elif not isinstance(slot, int):  # bool is an int: the server indexes True as 1
            problem = "slot-type"
        else:
            source_def = self._node_defs[source]
            if source_def is None:
                return Link(target, name, value, source, slot, None, None, declared, None,
                            navigable)
            outputs = source_def.outputs
            if not -len(outputs) <= slot < len(outputs):
                return Link(target, name, value, source, slot, "slot-range", None, declared,
                            None, navigable)
            received = outputs[slot]
            if declared is None or not check_types:
                type_ok = None
            else:  # (equal types, the commonest case, match without asking)
                type_ok = received == declared or link_types_match(received, declared, self._server)
            return Link(target, name, value, source, slot, None, received, declared, type_ok,
                        navigable)
        return Link(target, name, value, source, slot, problem, None, declared, None, navigable)

    # -- node accessors -------------------------------------------------------------------------
    def node(self, node_id: str) -> Any:
        return self.workflow.get(node_id)

    def __contains__(self, node_id: object) -> bool:
        """A node id of the workflow (a node of `g`)."""
        try:
            return node_id in self._class_types
        except TypeError:  # unhashable: no node id
            return False

    @property
    def node_count(self) -> int:
        return len(self._class_types)

    @property
    def node_ids(self) -> list[str]:
        """Every node id, in the workflow's order (the order of `g.nodes`)."""
        return list(self._class_types)

    def describe(self, node_id: Any) -> tuple[str | None, str | None] | None:
        """(class_type when it is a string, title) of a node of the workflow; None for an id that
        is none of its nodes."""
        try:
            class_type = self._class_types.get(node_id, _ABSENT)
        except TypeError:  # unhashable: no node id
            return None
        if class_type is _ABSENT:
            return None
        return class_type if isinstance(class_type, str) else None, self._titles[node_id]

    def class_type(self, node_id: str) -> Any:
        return self._class_types.get(node_id)

    def title(self, node_id: str) -> str | None:
        return self._titles.get(node_id)

    def node_def(self, node_id: str) -> NodeDef | None:
        return self._node_defs.get(node_id)

    def input_specs(self, node_id: str) -> dict[str, InputSpec]:
        """The inputs the server validates on this node: declared ones, dynamic ones finalized."""
        specs = self._specs.get(node_id)
        return specs if specs is not None else {}

    def dynamic_inputs(self, node_id: str) -> ResolvedInputs | None:
        """How a node's v3 dynamic inputs resolved, or None for a node without any."""
        return self._resolved.get(node_id)

    def inputs(self, node_id: str) -> dict:
        node = self.workflow.get(node_id)
        inputs = node.get("inputs") if isinstance(node, dict) else None
        return inputs if isinstance(inputs, dict) else {}

    def known_nodes(self) -> list[tuple[str, NodeDef]]:
        """(node_id, definition) for every node whose class the catalog knows (gathered by the
        build: a definition implies a node object with that class)."""
        return self._known_nodes

    # -- shared analyses ------------------------------------------------------------------------

    @computed_once
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

    @computed_once
    def validated(self) -> frozenset[str]:
        """Nodes the server validates: outputs and what they reach through followable links.
        All of them, without a walk, when the server follows every edge and every node feeds a
        selected output (no dead end, which the engine has asked about already, and no node of
        an unknown type, where a chain of consumers may end instead)."""
        if self._every_edge_followed and not self.unknown_nodes and not self.has_dead_end:
            return frozenset(self._class_types)
        return self._followable_closure(self.output_nodes)

    def validated_closure(self, output: str) -> frozenset[str]:
        """The nodes the server validates on behalf of one output."""
        return self._followable_closure([output])

    def _followable_closure(self, starts: list[str]) -> frozenset[str]:
        return frozenset(_reach(starts, self._followed_of))

    def reached_only_through_unfollowed_links(self, node_id: str) -> bool:
        """Every well-formed link out of the node goes into a nonNavigable input (§12)."""
        out = [link for link in self.links if link.source == node_id and link.problem is None]
        return bool(out) and not any(link.navigable for link in out)

    @computed_once
    def feeds_output(self) -> frozenset[str]:
        """Nodes any selected output depends on through any link that names an existing node."""
        return frozenset(self.ancestors(self.output_nodes))

    def ancestors(self, starts: list[str] | set[str]) -> set[str]:
        """`starts` and every node they depend on through any edge (networkx.ancestors of each,
        united with the starts), by one pass over the link lists."""
        return _reach(starts, self._sources_of)

    @computed_once
    def has_dead_end(self) -> bool:
        """Whether a node may feed no output: a node no link leaves that is neither a selected
        output nor of an unknown type, or a cycle. (The nodes that feed neither an output nor an
        unknown node hold every consumer of theirs too: unless they form a cycle, one of them
        has none. Linear, where what feeds an output is a walk.)"""
        consumed, outputs = self._targets_of, self.output_nodes
        if len(consumed) + len(outputs) + len(self.unknown_nodes) < len(self._class_types):
            return True  # (some node is none of the three)
        ends = set(self._class_types).difference(consumed, outputs, self.unknown_nodes)
        return bool(ends) or not self.is_acyclic

    @computed_once
    def dependent_outputs(self) -> dict[str, list[str]]:
        """node id -> the selected outputs whose validation reaches it (the server's field)."""
        result: dict[str, list[str]] = {}
        for output in self.output_nodes:
            for node_id in self.ancestors([output]):
                result.setdefault(node_id, []).append(output)
        return result

    @computed_once
    def is_acyclic(self) -> bool:
        """No node depends on itself (Kahn's algorithm over the edges: linear)."""
        sources_of, consumers = self._sources_of, self._targets_of
        waiting = {node_id: len(sources) for node_id, sources in sources_of.items()}
        ready = [node_id for node_id in self._class_types if node_id not in waiting]
        done = 0
        while ready:
            done += 1
            for target in consumers.get(ready.pop(), ()):
                waiting[target] -= 1
                if not waiting[target]:
                    ready.append(target)
        return done == len(self._class_types)

    @computed_once
    def cycles(self) -> list[list[str]]:
        """One cycle path per strongly connected knot (self-loops included), in a stable order."""
        if self.is_acyclic:
            return []
        import networkx as nx

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

    def longest_path(self, nodes: set[str] | frozenset[str]) -> list[str]:
        """networkx.dag_longest_path of the acyclic subgraph induced by `nodes`, by the same
        rules (generations of Kahn's algorithm, first predecessor and first node of greatest
        depth win ties), with nodes in the workflow's order: a linear pass, no subgraph view."""
        successors: dict[str, dict[str, int]] = {}  # node -> {target: edges to it}, in order
        predecessors: dict[str, dict[str, None]] = {}  # node -> its distinct sources, in order
        waiting: dict[str, int] = {}  # node -> edges from sources not yet placed
        for link in self.edges:
            source, target = link.source, link.target
            if source in nodes and target in nodes:
                after = successors.get(source)
                if after is None:
                    successors[source] = {target: 1}
                else:
                    after[target] = after.get(target, 0) + 1
                before = predecessors.get(target)
                if before is None:
                    predecessors[target] = {source: None}
                else:
                    before[source] = None
                waiting[target] = waiting.get(target, 0) + 1
        generation = [node_id for node_id in self._class_types
                      if node_id in nodes and node_id not in waiting]
        length: dict[str, int] = {}  # node -> edges on its longest path
        previous: dict[str, str] = {}  # node -> the node before it on that path (itself: none)
        end, longest = None, -1
        while generation:
            following = []
            for node_id in generation:
                best, before_it = 0, node_id  # a node without predecessors starts a path
                for source in predecessors.get(node_id, ()):
                    if length[source] + 1 > best:
                        best, before_it = length[source] + 1, source
                length[node_id], previous[node_id] = best, before_it
                if best > longest:  # the first node of greatest depth ends the path
                    end, longest = node_id, best
                after = successors.get(node_id)
                if after:
                    for target, count in after.items():
                        left = waiting[target] - count
                        if left:
                            waiting[target] = left
                        else:
                            following.append(target)
                            del waiting[target]
            generation = following
        if end is None:
            return []
        path = [end]
        while previous[path[-1]] != path[-1]:
            path.append(previous[path[-1]])
        path.reverse()
        return path

    @computed_once
    def literal_checks(self) -> LiteralChecks:
        """The literal inputs sorted into the value rules' worklists (comfylint.literals)."""
        return literal_checks(self)

    @computed_once
    def topological_order(self) -> list[str] | None:
        if self.cycles:
            return None
        import networkx as nx

        return list(nx.lexicographical_topological_sort(self.g, key=natural_key))


def _reach(starts: list[str] | set[str], sources_of: dict[str, list[str]]) -> set[str]:
    """`starts` and every node reached from them through `sources_of` (node -> its sources)."""
    seen = set(starts)
    stack = list(seen)
    while stack:
        for source in sources_of.get(stack.pop(), ()):
            if source not in seen:
                seen.add(source)
                stack.append(source)
    return seen


def _schema_integer(value: Any) -> bool:
    """JSON Schema's integer (a link's output index in the schema): 2.0 is one, true is not."""
    return type(value) is int or (type(value) is float and value.is_integer())


def natural_key(node_id: str) -> tuple:
    """Order ids as people read them: "2" < "10" < "10:3" < "abc"."""
    parts = []
    for part in str(node_id).replace(":", ".").split("."):
        parts.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(parts)


