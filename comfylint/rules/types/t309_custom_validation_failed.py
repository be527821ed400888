from __future__ import annotations

from typing import Any, Callable, Iterable

from ...catalog.types import ConversionError, convert_value, unwrap_value
from ...diagnostics import Diagnostic
from ..base import Context, Rule


def _camera_moves_all_zero(values: dict[str, Any]) -> str | None:
    """KlingCameraControls refuses a camera that does not move at all (ComfyUI case 67)."""
    if all(value == 0 for value in values.values()):
        return "every camera movement is 0; at least one must be non-zero"
    return None


# class_type -> (the inputs the node's own validate function reads, the check on their values).
# Facts observed on the real server; the check only runs when every one of them is a literal,
# because linked inputs reach the server's validate function as None.
KNOWN_VALIDATORS: dict[str, tuple[tuple[str, ...], Callable[[dict[str, Any]], str | None]]] = {
    "KlingCameraControls": (("horizontal_movement", "vertical_movement", "pan", "tilt", "roll",
                             "zoom"), _camera_moves_all_zero),
}


class CustomValidationFailed(Rule):
    code = "T309"
    name = "custom-validation-failed"
    summary = "Values a core node's own validation refuses (a camera that does not move, ...)."
    server_error_type = "custom_validation_failed"
    server_node_check = True
    needs = ("node_types", *sorted(KNOWN_VALIDATORS))

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        graph = ctx.graph
        for node_id, node_def in graph.known_nodes():
            known = KNOWN_VALIDATORS.get(node_def.name)
            if known is None:
                continue
            names, validate = known
            values = _converted_literals(node_def, graph.inputs(node_id), names)
            if values is None:
                continue
            reason = validate(values)
            if reason:
                yield ctx.report(
                    f"{ctx.label(node_id)}: {reason} (the server's custom validation rejects it for "
                    f"{', '.join(names)})", node_id=node_id, pointer=ctx.pointer(node_id, "inputs"),
                    help="Change the values named; the node checks them before anything runs.")


def _converted_literals(node_def, inputs: dict, names: tuple[str, ...]) -> dict[str, Any] | None:
    """The values the server's validate function would receive, or None when it cannot judge."""
    values = {}
    for name in names:
        spec = node_def.inputs.get(name)
        if spec is None or name not in inputs or isinstance(inputs[name], list):
            return None
        try:
            values[name] = convert_value(spec.type, unwrap_value(inputs[name]))
        except ConversionError:
            return None  # invalid-value-type reports it
    return values
