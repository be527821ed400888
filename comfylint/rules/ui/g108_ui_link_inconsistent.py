from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ...ui.document import SUBGRAPH_INPUT_NODE, SUBGRAPH_OUTPUT_NODE, UiGraph
from ..base import Context, Rule
from . import finding_node_id, ui_document

IO_NODES = (SUBGRAPH_INPUT_NODE, SUBGRAPH_OUTPUT_NODE)


class UiLinkInconsistent(Rule):
    """The link table against the nodes' slots, like the frontend's link fixer (and a bit more).

    What changes the graph is an error (a link to a node that is not there, an input naming a link
    that does not exist, two links into one input); stale bookkeeping the frontend repairs
    silently on load (an output's `links` list) is a warning.
    """

    code = "G108"
    name = "ui-link-inconsistent"
    summary = "The UI link table disagrees with the nodes' slots (dangling, duplicate or misplaced links)."
    formats = ("ui",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        document = ui_document(ctx)
        for graph in document.graphs():
            yield from self._nodes(ctx, graph)
            yield from self._links(ctx, graph)
            if graph.is_subgraph:
                yield from self._subgraph_io(ctx, graph)

    def _nodes(self, ctx: Context, graph: UiGraph) -> Iterable[Diagnostic]:
        for node_id, where in graph.duplicate_node_ids:
            yield ctx.report(f"node id {node_id} is used twice in {_graph_name(graph)}: links to "
                             "it are ambiguous", pointer=ctx.pointer() + where,
                             node_id=finding_node_id(ctx, graph, node_id))
        for link_id, where in graph.duplicate_link_ids:
            yield ctx.report(f"link id {link_id} is used twice in {_graph_name(graph)}",
                             pointer=ctx.pointer() + where)
        for node in graph.nodes.values():
            owner = finding_node_id(ctx, graph, node.id)
            for index, slot in enumerate(node.inputs):
                link_id = slot.get("link") if isinstance(slot, dict) else None
                if link_id is None or isinstance(link_id, (list, dict)) \
                        or link_id in graph.queue_time_link_ids:
                    continue  # (the last: a pack's own link, deleted on load; see document.py)
                link = graph.links.get(link_id)
                name = slot.get("name")
                if link is None:
                    yield ctx.report(
                        f"node {node.id} ({node.type}) input {name!r} names link {link_id}, which "
                        "is not in the links table: the input is not connected",
                        pointer=f"{ctx.pointer()}{node.pointer}/inputs/{index}/link",
                        node_id=owner)
                elif link.target_id != node.id:
                    yield ctx.report(
                        f"node {node.id} ({node.type}) input {name!r} names link {link_id}, which "
                        f"goes to node {link.target_id}", severity=Severity.WARNING,
                        pointer=f"{ctx.pointer()}{node.pointer}/inputs/{index}/link",
                        node_id=owner)
            for index, slot in enumerate(node.outputs):
                ids = slot.get("links") if isinstance(slot, dict) else None
                for link_id in ids if isinstance(ids, list) else []:
                    if isinstance(link_id, (list, dict)) or link_id in graph.queue_time_link_ids:
                        continue
                    if link_id not in graph.links:
                        yield ctx.report(
                            f"node {node.id} ({node.type}) output {index} lists link {link_id}, "
                            "which is not in the links table", severity=Severity.WARNING,
                            pointer=f"{ctx.pointer()}{node.pointer}/outputs/{index}/links",
                            node_id=owner)

    def _subgraph_io(self, ctx: Context, graph: UiGraph) -> Iterable[Diagnostic]:
        """A definition's outputs list the inner links that feed them; when none of the listed
        links exists the output is cut off (the instance then sends nothing downstream). A stale
        extra id beside a live one (real templates carry them) is only untidy."""
        for side, slots in (("output", graph.io_outputs), ("input", graph.io_inputs)):
            for index, slot in enumerate(slots):
                ids = slot.get("linkIds") if isinstance(slot, dict) else None
                ids = ids if isinstance(ids, list) else []
                known = [i for i in ids if not isinstance(i, (list, dict)) and i in graph.links]
                cut_off = side == "output" and not known
                for link_id in ids:
                    if isinstance(link_id, (list, dict)) or link_id not in graph.links:
                        yield ctx.report(
                            f"{_graph_name(graph)} {side} {slot.get('name')!r} lists link "
                            f"{link_id}, which is not in its links table",
                            severity=None if cut_off else Severity.WARNING,
                            pointer=f"{ctx.pointer()}{graph.pointer}/{side}s/{index}/linkIds",
                            node_id=finding_node_id(ctx, graph, None))

    def _links(self, ctx: Context, graph: UiGraph) -> Iterable[Diagnostic]:
        for where in graph.malformed_links:
            yield ctx.report("a link entry is neither [id, origin, slot, target, slot, type] nor a "
                             "link object", pointer=ctx.pointer() + where)
        claimed: dict[tuple[str, str], object] = {}
        for link in graph.links.values():
            here = ctx.pointer() + link.pointer
            origin, target = graph.nodes.get(link.origin_id), graph.nodes.get(link.target_id)
            io_origin = graph.is_subgraph and link.origin_id == SUBGRAPH_INPUT_NODE
            io_target = graph.is_subgraph and link.target_id == SUBGRAPH_OUTPUT_NODE
            missing = []
            if origin is None and not io_origin:
                missing.append(f"origin node {link.origin_id}")
            if target is None and not io_target:
                missing.append(f"target node {link.target_id}")
            if missing:
                # Only a link some input still uses changes the graph; others (a stale entry whose
                # target input names another link) are inert leftovers.
                used = target is not None and link.target_input is not None \
                    and graph.incoming.get(target.id, {}).get(link.target_input) is link
                yield ctx.report(f"link {link.id} connects {' and '.join(missing)}, which "
                                 f"{'do' if len(missing) > 1 else 'does'} not exist",
                                 pointer=here, severity=None if used else Severity.WARNING,
                                 node_id=_link_node(ctx, graph, link))
                continue
            yield from self._slots(ctx, graph, link, here)
            if target is None or link.target_input is None:
                continue
            key = (link.target_id, link.target_input)
            if key in claimed:
                yield ctx.report(f"links {claimed[key]} and {link.id} both go into input "
                                 f"{link.target_input!r} of node {link.target_id}: only the one the "
                                 "input names is used", pointer=here, severity=Severity.WARNING,
                                 node_id=_link_node(ctx, graph, link))
            claimed.setdefault(key, link.id)

    def _slots(self, ctx: Context, graph: UiGraph, link, here: str) -> Iterable[Diagnostic]:
        from ...ui.convert import valid_connection  # loaded with the converter, on demand

        origin, target = graph.nodes.get(link.origin_id), graph.nodes.get(link.target_id)
        node_id = _link_node(ctx, graph, link)
        if graph.is_subgraph and link.origin_id in IO_NODES:
            count = len(graph.io_inputs)
            if not isinstance(link.origin_slot, int) or not 0 <= link.origin_slot < count:
                yield ctx.report(f"link {link.id} reads subgraph input {link.origin_slot}, but the "
                                 f"subgraph has {count} input(s)", pointer=here, node_id=node_id)
        elif origin is not None and origin.outputs and (
                not isinstance(link.origin_slot, int)
                or not 0 <= link.origin_slot < len(origin.outputs)):
            yield ctx.report(f"link {link.id} leaves output {link.origin_slot} of node "
                             f"{origin.id} ({origin.type}), which has {len(origin.outputs)} "
                             "output(s)", pointer=here, node_id=node_id)
        if graph.is_subgraph and link.target_id == SUBGRAPH_OUTPUT_NODE:
            count = len(graph.io_outputs)
            if not isinstance(link.target_slot, int) or not 0 <= link.target_slot < count:
                yield ctx.report(f"link {link.id} feeds subgraph output {link.target_slot}, but the "
                                 f"subgraph has {count} output(s)", pointer=here, node_id=node_id)
            return
        if target is not None and link.target_input is None:
            yield ctx.report(f"link {link.id} goes into slot {link.target_slot} of node {target.id} "
                             f"({target.type}), which has no such input and no input names the "
                             "link", pointer=here, node_id=node_id)
            return
        origin_type = _slot_type(origin.outputs, link.origin_slot) if origin is not None else None
        target_type = None
        for slot in target.inputs if target is not None else []:
            if isinstance(slot, dict) and slot.get("name") == link.target_input:
                target_type = slot.get("type")
        declared = link.type
        if isinstance(declared, str) and declared and not (
                valid_connection(declared, origin_type) or valid_connection(declared, target_type)):
            yield ctx.report(f"link {link.id} is declared {declared!r}, which fits neither its "
                             f"origin slot ({origin_type!r}) nor its target input ({target_type!r})",
                             severity=Severity.WARNING, pointer=here, node_id=node_id)


def _link_node(ctx: Context, graph: UiGraph, link) -> str | None:
    """The node a link finding is about: its target, else its origin (when they exist)."""
    for node_id in (link.target_id, link.origin_id):
        if node_id in graph.nodes:
            return finding_node_id(ctx, graph, node_id)
    return None


def _slot_type(slots: list, index) -> object:
    if isinstance(index, int) and 0 <= index < len(slots) and isinstance(slots[index], dict):
        return slots[index].get("type")
    return None


def _graph_name(graph: UiGraph) -> str:
    return f"subgraph {graph.raw.get('name')!r}" if graph.is_subgraph else "the workflow"
