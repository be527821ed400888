"""N206: the file was saved by a newer ComfyUI than the catalog, said once, as what it is.

A node saved by a newer ComfyUI and read with an older definition looks broken in many small
ways: an option the old list lacks, widget values paired with the wrong widgets, an output the
old node does not have, a required input the newer node made optional. Those are one fact, the
version skew, not defects of the workflow: this rule, which runs after the node rules, takes
such findings on core nodes that may be newer than the catalog and folds them into one finding
per file, as notes. With the bundled catalog it warns (a newer server may well accept the file);
with a server's catalog, folded errors are the server's errors: then it is an error. A newer
file the older definitions fully fit gets no finding.
"""
from __future__ import annotations

from collections.abc import Iterable

from ...diagnostics import Diagnostic, Severity
from ..base import Context, Rule, strip_dated_note
from .saved_by import SavedBy
from .unknown_consequences import linked_in_file

# Findings that a newer node definition explains: values, links, inputs and outputs read with
# the older definition (the node's own rules), and the stored widget values' drift (UI files).
FOLDED_CODES = frozenset({"T301", "T302", "T303", "T304", "T305", "T306", "T307", "T308",
                          "N205", "G102", "U003"})
SHOWN_NOTES = 6


class SavedByNewerComfyui(Rule):
    code = "N206"
    name = "saved-by-newer-comfyui"
    summary = "Saved by a newer ComfyUI than the catalog: said once, with what the old " \
              "definitions make of its nodes as notes."
    severity = Severity.WARNING
    phase = "fold"
    needs = ("findings", *sorted(FOLDED_CODES))

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        saved = ctx.saved_by_newer
        if saved is None:
            return
        folded = [d for d in ctx.findings
                  if d.code in FOLDED_CODES and self._skewed(ctx, d, self._node_of(ctx, d))]
        if not folded:
            return  # the older definitions fit everything the file holds: nothing to say
        ids = {id(d) for d in folded}
        ctx.findings[:] = [d for d in ctx.findings if id(d) not in ids]
        yield self._report(ctx, saved, folded)

    @staticmethod
    def _node_of(ctx: Context, diag: Diagnostic) -> str | None:
        """The node (API view id) whose definition the finding rests on."""
        graph = ctx.graph
        if diag.code == "G102" and graph is not None:  # the outputs of the node linked from
            link = next((link for link in graph.links_by_target.get(diag.node_id or "", ())
                         if link.input == diag.input), None)
            return link.source if link is not None else None
        if diag.code == "U003":  # a UI finding: located by the node's stored values
            from ...ui import conversion

            result = conversion(ctx.loaded)
            where = (diag.pointer or "")[len(ctx.loaded.base_pointer):].split("/widgets_values")[0]
            return next((api_id for api_id, node in result.nodes.items()
                         if node.pointer == where), None) if result is not None else None
        return diag.node_id

    @staticmethod
    def _skewed(ctx: Context, diag: Diagnostic, node_id: str | None) -> bool:
        """The finding is about a core node, whose definition in the file's ComfyUI may be newer
        than the catalog's (custom nodes have versions of their own), and not about a link the
        editor would send (a required input linked in the UI file but missing is a broken link)."""
        graph = ctx.graph
        if node_id is None or graph is None or node_id not in graph:
            return False
        node_def = graph.node_def(node_id)
        if node_def is None or node_def.python_module.startswith("custom_nodes"):
            return False
        return diag.code != "T301" or not linked_in_file(ctx, diag)

    def _report(self, ctx: Context, saved: SavedBy, folded: list[Diagnostic]) -> Diagnostic:
        catalog = ctx.catalog
        nodes = sorted({d.node_id for d in folded if d.node_id})
        notes = [strip_dated_note(d.message) for d in folded[:SHOWN_NOTES]]
        more = f"; … and {len(folded) - SHOWN_NOTES} more" if len(folded) > SHOWN_NOTES else ""
        rejected = any(d.severity == Severity.ERROR for d in folded)
        return ctx.report(
            f"saved by {saved.at_least} ({saved.evidence}); the catalog is "
            f"{catalog.version_label}: {len(folded)} finding(s) on {len(nodes) or 'its'} node(s) "
            "follow from node definitions that changed since, not from the workflow: "
            + "; ".join(notes) + more,
            node_id=saved.node_id,
            severity=Severity.ERROR if rejected and not catalog.bundled else Severity.WARNING,
            pointer=ctx.pointer(saved.node_id) if saved.node_id else ctx.loaded.base_pointer,
            help="Update the server (or lint against a snapshot of the one that will run it: "
                 "comfylint snapshot --server URL); a catalog as new as the file judges these "
                 "nodes by their own definitions.")
