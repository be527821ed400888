"""What only follows from a node type the catalog lacks, folded into that node's N201 finding.

A UI file with an unknown node cannot be exported exactly (the conversion is refused): values
that reach a known node through the unknown part (a subgraph input it feeds, a promoted widget)
are lost on the way, and the known node then looks as if a required input were missing. The file
links that input, so the editor would send it: the missing input is a consequence of the unknown
node, not a defect of its own, and it is said with it, as a note (an output then seen to fail,
G106, is not reported either: it runs after this fold).
"""
from __future__ import annotations

from ...diagnostics import Diagnostic
from ..base import Context


def fold_consequences(ctx: Context, unknown: list[Diagnostic]) -> None:
    """Move missing-input findings on linked UI inputs of a refused conversion into the first
    unknown-node finding, as notes."""
    if not unknown or ctx.loaded.format != "ui":
        return  # only UI files have a conversion (and then the converter is loaded)
    from ...ui import REFUSED, conversion

    result = conversion(ctx.loaded)
    if result is None:
        return

    if result.grade != REFUSED:
        return
    folded = [d for d in ctx.findings if d.code == "T301" and linked_in_file(ctx, d)]
    if not folded:
        return
    ids = {id(d) for d in folded}
    ctx.findings[:] = [d for d in ctx.findings if id(d) not in ids]
    inputs = ", ".join(f"{ctx.label(d.node_id)} {d.input!r}" for d in folded if d.node_id)
    unknown[0].message += (f"; {len(folded)} required input(s) linked in the file cannot be "
                           f"followed past the unknown node(s) and look missing: {inputs}")


def linked_in_file(ctx: Context, diag: Diagnostic) -> bool:
    """The finding's input is linked in the UI file (the editor would send something for it)."""
    if ctx.loaded.format != "ui":
        return False  # (ui_node: None for API files)
    from ...ui import ui_node

    node = ui_node(ctx.loaded, diag.node_id) if diag.node_id else None
    slots = node.get("inputs") if isinstance(node, dict) else None
    return isinstance(slots, list) and any(
        isinstance(slot, dict) and slot.get("name") == diag.input and slot.get("link") is not None
        for slot in slots)
