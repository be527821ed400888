"""T rules: input values and link types against the node catalog."""
from __future__ import annotations

from typing import Any

from ...diagnostics import Edit, Fix
from ..base import Context


def clamp_fix(ctx: Context, node_id: str, name: str, limit: Any, verb: str) -> Fix:
    """An unsafe fix that moves the value to the violated limit (the intent may be elsewhere)."""
    return Fix(f"{verb} it to {limit!r}", [Edit(ctx.pointer(node_id, "inputs", name), limit)],
               safe=False)
