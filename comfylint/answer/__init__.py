"""What a ComfyUI server would answer to `POST /prompt`, from comfylint's findings.

The rules decide what is wrong and where (each finding carries the node id the server would use
and the server's error type); this package only words it the way the server version in use
answers (answer/dialects.py), so that clients that already parse ComfyUI's answer can read ours:

    400 {"error": {"type", "message", "details", "extra_info"},
         "node_errors": {node_id: {"errors": [...], "dependent_outputs": [...], "class_type"}}}
    200 {"node_errors": {...}}        accepted; non-empty when an output is silently dropped
    500 text/plain                    the server crashes on the body (invalid JSON, a list prompt)

The order in which the server walks a prompt (its body checks, then every node's class, then
each output's inputs depth-first through links) is replayed in answer/validation.py over the
graph; the per-input verdicts come from the findings. Free text the catalog does not keep
(input tooltips) and server tracebacks are left out of `input_config` and `traceback`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .dialects import Dialect, dialect_for

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..diagnostics import Diagnostic
    from ..graph import WorkflowGraph
    from ..load import LoadedFile

SERVER_CRASH_TEXT = "500 Internal Server Error\n\nServer got itself in trouble"
WHOLE_PROMPT_TYPES = frozenset({"no_prompt", "invalid_prompt", "missing_node_type",
                                "prompt_no_outputs", "prompt_outputs_failed_validation"})

__all__ = ["Dialect", "ServerAnswer", "dialect_for", "rejection", "server_answer"]


@dataclass(frozen=True)
class ServerAnswer:
    """The status and body the server would send (a 200 carries no prompt_id: nothing is queued)."""

    status: int
    body: Any  # dict for 200/400, the server's text for 500

    @property
    def accepted(self) -> bool:
        return self.status == 200

    @property
    def error(self) -> dict | None:
        return self.body.get("error") if isinstance(self.body, dict) else None

    @property
    def node_errors(self) -> dict:
        return self.body.get("node_errors", {}) if isinstance(self.body, dict) else {}


def server_answer(loaded: LoadedFile, diagnostics: Iterable[Diagnostic], catalog: Catalog,
                  *, body_is_request: bool = False, view: WorkflowGraph | None = None
                  ) -> ServerAnswer:
    """The answer to the /prompt request this document stands for.

    `body_is_request`: the document is the request body itself (the gate's POST /prompt), so a UI
    export or a list is answered as posted. Otherwise a bare graph or another envelope's graph is
    what a platform sends as `{"prompt": graph}`. `view`: the graph the rules read, if any (used
    when it is the graph of the prompt answered, not built again).
    """
    from .validation import answer_prompt

    dialect = dialect_for(catalog)
    found = [d for d in diagnostics if d.server_error_type]
    if loaded.document is None and any(d.code == "F001" for d in loaded.diagnostics):
        return ServerAnswer(500, SERVER_CRASH_TEXT)  # not JSON: aiohttp's request.json() raises
    body = _request_body(loaded, body_is_request)
    try:
        has_prompt = "prompt" in body
    except TypeError:  # a number, null, ...: `"prompt" in body` raises
        return ServerAnswer(500, SERVER_CRASH_TEXT)
    if not has_prompt:
        return ServerAnswer(400, {"error": dialect.no_prompt(), "node_errors": {}})
    try:
        prompt = body["prompt"]
        targets = body.get("partial_execution_targets") if isinstance(body, dict) else None
    except (TypeError, KeyError):  # a string body that merely contains "prompt"
        return ServerAnswer(500, SERVER_CRASH_TEXT)
    if dialect.canonical_prompt_ids and any(d.server_error_type == "invalid_prompt_id"
                                            for d in found):
        return ServerAnswer(400, {"error": dialect.invalid_prompt_id(), "node_errors": {}})
    has_targets = isinstance(body, dict) and "partial_execution_targets" in body
    reuse = view if view is not None and view.workflow is prompt \
        and view.has_partial_targets == has_targets and view.partial_targets is targets else None
    return answer_prompt(prompt, targets, has_targets, found, catalog, dialect, reuse)


def _request_body(loaded: LoadedFile, body_is_request: bool) -> Any:
    if body_is_request or loaded.envelope in ("comfyui-prompt", "workflow-id"):
        return loaded.document
    if loaded.workflow is not None:
        return {"prompt": loaded.workflow}
    return loaded.document


def rejection(answer: ServerAnswer, blocking: Iterable[Diagnostic], catalog: Catalog) -> dict:
    """The 400 body a gate answers for a prompt comfylint blocks: the server's own rejection, or
    (when the server would accept it, or crash) ComfyUI's shape carrying comfylint's reasons.

    Blocking findings the server's answer does not already hold are added: node findings to
    node_errors (type: the server's error type, else comfylint's rule name), the others to the
    top-level error's details.
    """
    from .validation import extra_node_errors

    dialect = dialect_for(catalog)
    node_errors = {k: dict(v, errors=list(v["errors"])) for k, v in answer.node_errors.items()}
    covered = {(node_id, e.get("extra_info", {}).get("input_name"))
               for node_id, entry in node_errors.items() for e in entry["errors"]}
    loose: list[str] = []
    for node_id, entry in extra_node_errors(blocking, covered, loose):
        if node_id in node_errors:
            node_errors[node_id]["errors"].extend(entry["errors"])
        else:
            node_errors[node_id] = entry
    if answer.status == 400:
        error = dict(answer.error or dialect.outputs_failed(""))
        if loose:
            error["details"] = "\n".join(filter(None, [error.get("details"), *loose]))
    else:
        error = dialect.outputs_failed("\n".join(loose))
    return {"error": error, "node_errors": node_errors}
