from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Severity
from ...ui import conversion
from ...ui.widgets import IMPLICIT_CONTROL_NAMES
from ..base import Context, Rule

MAX_LISTED = 3


class EmbeddedPromptMismatch(Rule):
    """An image's `prompt` metadata is not what its `workflow` metadata converts to.

    Both come from one frontend call, so they agree unless one was edited afterwards (or the
    image was written by another tool). The workflow is converted as the frontend that saved it
    exported (`to_api(..., as_saved=True)`): older frontends sent the upload button and nothing
    for inputs nodes gained later, which is no sign of editing. Only inputs the node declares are
    compared: the server ignores the rest, widgets frontend extensions add to every node
    (`speak_and_recognation`) or the upload button whose era the file leaves open. Seeds are left
    out: the frontend may change them after queueing.
    """

    code = "U004"
    name = "embedded-prompt-mismatch"
    summary = "An image's embedded API prompt differs from what its embedded UI workflow converts to."
    severity = Severity.WARNING
    formats = ("ui",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        embedded = ctx.loaded.extra.get("image_prompt")
        if not isinstance(embedded, dict) or conversion(ctx.loaded) is None:
            return
        from ...ui.convert import to_api

        result = to_api(ctx.loaded.workflow, ctx.catalog, as_saved=True,
                        editor_only=ctx.options.editor_only_nodes)
        if not result.ok:
            return
        converted = result.prompt
        for node_id in sorted(set(embedded) | set(converted)):
            differences = _node_differences(embedded.get(node_id), converted.get(node_id),
                                            ctx.catalog)
            if not differences:
                continue
            node = result.nodes.get(node_id)
            pointer = f"/prompt/{node_id}" if node is None else f"{ctx.pointer()}{node.pointer}"
            shown = "; ".join(differences[:MAX_LISTED])
            more = f" (and {len(differences) - MAX_LISTED} more)" if len(differences) > MAX_LISTED else ""
            yield ctx.report(f"node {node_id}: the embedded prompt differs from the embedded "
                             f"workflow: {shown}{more}", node_id=node_id, pointer=pointer,
                             help="One of the two was edited after the image was saved; the "
                                  "prompt is what ran, the workflow is what the editor loads.")


def _node_differences(embedded, converted, catalog) -> list[str]:
    if embedded is None or converted is None:
        return ["only in the workflow" if embedded is None else "only in the prompt"]
    if not isinstance(embedded, dict):
        return ["the prompt's entry is not an object"]
    found = []
    if embedded.get("class_type") != converted.get("class_type"):
        found.append(f"class_type {embedded.get('class_type')!r} vs {converted.get('class_type')!r}")
    want = embedded.get("inputs")
    want = want if isinstance(want, dict) else {}
    got = converted["inputs"]
    node_def = catalog.get(converted.get("class_type"))
    for name in sorted(set(want) | set(got)):
        if name in IMPLICIT_CONTROL_NAMES or want.get(name) == got.get(name):
            continue
        if node_def is not None and name.split(".")[0] not in node_def.inputs:
            continue  # an input the server ignores: a frontend extension's widget, an upload button
        found.append(f"{name!r}: prompt {_short(want.get(name, '<absent>'))} vs workflow "
                     f"{_short(got.get(name, '<absent>'))}")
    return found


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
