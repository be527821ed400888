from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ...ui.widget_kinds import facts_for
from ...ui.widgets import NodeModel, restore_node, value_misfit
from ..base import Context, Rule
from . import finding_node_id, ui_document


class WidgetDrift(Rule):
    """`widgets_values` that do not fit the node's widgets: the "node updated, values shifted" break.

    The frontend pairs stored values with widgets by position, so a node whose definition gained
    or lost a widget reads every later value into the wrong widget (a sampler name in a float).
    """

    code = "U003"
    name = "widget-drift"
    summary = "Stored widget values do not fit the node's widgets (count or types): values shifted."
    severity = Severity.WARNING
    formats = ("ui",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        models: dict = {}
        facts = facts_for(ctx.catalog)
        for node in ui_document(ctx).all_nodes():
            node_def = ctx.catalog.get(node.type)
            stored = node.widgets_values
            if node_def is None or not isinstance(stored, list):
                continue
            model, restored = restore_node(node_def, stored, facts, models)
            base = f"{ctx.pointer()}{node.pointer}"
            label = f"node {node.id} ({node.type})"
            node_id = finding_node_id(ctx, node.graph, node.id)
            if restored.layout == "mismatch":
                yield _count_finding(ctx, model, stored, f"{base}/widgets_values", label, node_id)
            for widget in model.widgets:
                if not widget.persisted:
                    continue
                source = restored.sources.get(widget.name) if widget.is_value else \
                    restored.companion_sources.get(widget.name)
                value = restored.values.get(widget.name) if widget.is_value else \
                    restored.companions.get(widget.name)
                problem = value_misfit(widget, value)
                if problem is None:
                    continue
                where = f"{base}/widgets_values" + ("" if source is None else f"/{source}")
                yield ctx.report(f"{label} widget {widget.name!r} holds {value!r}, {problem}: "
                                 "the stored values do not line up with the node's widgets",
                                 pointer=where, node_id=node_id,
                                 help="Re-enter the node's values in the editor and save again.")
            yield from _named_disagreements(ctx, node, model, restored, base, label, node_id)


def _count_finding(ctx: Context, model: NodeModel, stored: list, where: str,
                   label: str, node_id: str | None) -> Diagnostic:
    """A count that differs is usually a definition that grew or shrank at the end (info); the
    type checks below say when values really shifted."""
    names = ", ".join(w.name for w in model.persisted) or "none"
    fewer = len(stored) < len(model.persisted)
    effect = "the missing ones take their defaults" if fewer else "the extra ones are ignored"
    # More values than widgets: also what a custom-node pack's browser extension leaves when it
    # adds a widget to nodes (a speech-input toggle on every text node, say).
    cause = "The node's definition changed since the file was saved" if fewer else (
        "The node's definition changed since the file was saved, or a browser extension of a "
        "custom-node pack added widgets to it")
    return ctx.report(
        f"{label} stores {len(stored)} widget value(s) but its widgets take "
        f"{len(model.persisted)} ({names}): the editor pairs them by position and {effect}",
        pointer=where, severity=Severity.INFO, node_id=node_id,
        help=f"{cause}: check its values in the editor and save the workflow again.")


def _named_disagreements(ctx: Context, node, model: NodeModel, restored, base: str,
                         label: str, node_id: str | None) -> Iterable[Diagnostic]:
    """`widgets_values_named` (2026 frontends) against the positional reading the editor uses."""
    named = node.raw.get("widgets_values_named")
    if not isinstance(named, dict):
        return
    for widget in model.persisted:
        if widget.is_value and widget.name in named and widget.name in restored.sources \
                and named[widget.name] != restored.values[widget.name]:
            yield ctx.report(
                f"{label} widget {widget.name!r}: widgets_values_named says "
                f"{named[widget.name]!r} but the positional widgets_values give "
                f"{restored.values[widget.name]!r}; the editor loads the positional one",
                pointer=f"{base}/widgets_values_named/{widget.name}", node_id=node_id)
