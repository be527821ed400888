"""What the P rules share: the literal string inputs of every node, known class or not."""
from __future__ import annotations

from typing import Iterator

from ...catalog.types import unwrap_value
from ..base import Context


def string_inputs(ctx: Context) -> list[tuple[str, str, str, str]]:
    """(node_id, class_type, input name, value) for each literal string input (links skipped),
    collected once per file for the rules that scan them."""
    return ctx.shared("string-inputs", lambda: list(_string_inputs(ctx)))


def _string_inputs(ctx: Context) -> Iterator[tuple[str, str, str, str]]:
    workflow = ctx.workflow
    if not isinstance(workflow, dict):
        return
    for node_id, node in workflow.items():
        inputs = node.get("inputs") if isinstance(node, dict) else None
        if not isinstance(inputs, dict):
            continue
        class_type = node.get("class_type")
        for name, value in inputs.items():
            if isinstance(value, dict) and "__value__" in value:
                value = unwrap_value(value)
            if isinstance(value, str):
                yield str(node_id), class_type if isinstance(class_type, str) else "", name, value
