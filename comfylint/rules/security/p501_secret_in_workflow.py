"""P501: an API key, token or password stored in the workflow file.

Workflows get shared, committed and embedded in every PNG the server saves, so a key in a widget
value leaks with them. The engine finds the document's secrets (engine/secrets.py) and masks them
in every finding and snippet whatever rules run; this rule reports them.
"""
from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic
from ...engine.secrets import document_secrets, mask
from ...load.positions import pointer as make_pointer
from ..base import Context, Rule


class SecretInWorkflow(Rule):
    code = "P501"
    name = "secret-in-workflow"
    summary = "An API key, token or password stored in the workflow (masked in every output)."
    formats = ("*",)
    needs = ("secrets",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        if ctx.loaded.format is None:
            return
        for secret in document_secrets(ctx.loaded):
            node_id, input_name = self._node_of(ctx, secret.tokens)
            where = f"{ctx.label(node_id)} input {input_name!r}" if node_id and input_name \
                else f"{make_pointer(*secret.tokens)}"
            yield ctx.report(
                f"{where} holds {secret.kind} ({mask(secret.value)!s}): anyone with this file (or "
                "an image saved from it) can use it", node_id=node_id, input=input_name,
                pointer=make_pointer(*secret.tokens),
                help="Remove it from the workflow and rotate the key. Give credentials to the "
                     "server at run time (its environment, or extra_data in the /prompt "
                     "request), not in widget values.")

    @staticmethod
    def _node_of(ctx: Context, tokens: tuple) -> tuple[str | None, str | None]:
        """The node (and input) a document location belongs to, in API or UI layout."""
        base = [t for t in ctx.loaded.base_pointer.split("/")[1:] if t]
        rest = [str(t) for t in tokens]
        if rest[:len(base)] != base:
            return None, None
        rest = rest[len(base):]
        workflow = ctx.loaded.workflow
        if ctx.loaded.format == "api" and rest and isinstance(workflow, dict) and rest[0] in workflow:
            name = rest[2] if len(rest) > 2 and rest[1] == "inputs" else None
            return rest[0], name
        if ctx.loaded.format == "ui" and len(rest) > 1 and rest[0] == "nodes" and rest[1].isdigit():
            nodes = workflow.get("nodes") if isinstance(workflow, dict) else None
            node = nodes[int(rest[1])] if isinstance(nodes, list) and int(rest[1]) < len(nodes) else None
            if isinstance(node, dict) and "id" in node:
                return str(node["id"]), None
        return None, None
