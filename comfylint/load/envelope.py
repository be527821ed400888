"""Format sniffing and request envelopes: find the workflow inside whatever was saved or posted.

Recognised (DESIGN.md): a ComfyUI `/prompt` body, `{"workflow_id", "prompt", "files"}`, RunPod's
`{"input": {"workflow", "images"}}` (or ai-dock's `{"input": {"workflow_json"}}`), `{"workflow",
"inputs"}` (overrides applied before linting), and a bare API or UI graph.
"""
from __future__ import annotations

import copy
from typing import Any, TypeGuard

from ..diagnostics import Severity, json_kind
from . import findings
from .positions import pointer

ENVELOPES = ("comfyui-prompt", "workflow-id", "runpod", "workflow-inputs")
ENVELOPE_CHOICES = ("auto", "none") + ENVELOPES
PROMPT_BODY_KEYS = {"client_id", "extra_data", "partial_execution_targets", "number", "front",
                    "prompt_id"}
# Every top-level key a `prompt`-carrying envelope defines: a document with others besides a
# `prompt` that holds no graph is some other data (a tokenizer's vocabulary has "prompt": 12345).
PROMPT_ENVELOPE_KEYS = PROMPT_BODY_KEYS | {"prompt", "workflow_id", "files", "webhook", "accelerator"}
# Every top-level key of a `{"workflow", "inputs"}` request.
WORKFLOW_INPUTS_KEYS = {"workflow", "inputs"}
# Where RunPod handlers read the graph in `{"input": {...}}`, in the order they are tried:
# runpod-workers/worker-comfyui reads `workflow`, ai-dock's comfyui api-wrapper `workflow_json`.
RUNPOD_GRAPH_KEYS = ("workflow", "workflow_json")

API_HELP = ('in ComfyUI use "Export (API)" from the workflow menu (or enable dev mode and use '
            '"Save (API Format)"), or convert it with `comfylint convert FILE`')


def is_ui_graph(doc: Any) -> TypeGuard[dict]:
    return isinstance(doc, dict) and isinstance(doc.get("nodes"), list) and (
        "links" in doc or "last_node_id" in doc or "version" in doc)


def looks_like_api(doc: Any) -> bool:
    """Most values are node objects (a dict with class_type, or with inputs that are an object:
    a list of "inputs" beside no class_type is some other data's field, as in a tool's manifest)."""
    if not isinstance(doc, dict) or not doc:
        return False
    enough, nodes = (len(doc) + 1) // 2, 0  # (counted until there are enough)
    for v in doc.values():
        if isinstance(v, dict) and ("class_type" in v or isinstance(v.get("inputs"), dict)):
            nodes += 1
            if nodes >= enough:
                return True
    return False


def unwrap(loaded, *, envelope: str = "auto", require_format: str = "any") -> None:
    doc = loaded.document
    if envelope == "comfyui-prompt":
        _unwrap_prompt_body(loaded, doc, require_format)
    elif envelope == "none":
        _take_graph(loaded, doc, "", None, require_format, strict=True)
    elif envelope in ("workflow-id", "runpod", "workflow-inputs"):
        _unwrap_named(loaded, doc, envelope, require_format)
    else:
        _unwrap_auto(loaded, doc, require_format)


def _unwrap_auto(loaded, doc: Any, require_format: str) -> None:
    if isinstance(doc, dict):
        if is_ui_graph(doc):
            _take_graph(loaded, doc, "", None, require_format)
            return
        if "prompt" in doc and not looks_like_api(doc):
            prompt = doc["prompt"]
            if isinstance(prompt, str) and not (PROMPT_BODY_KEYS & doc.keys()):
                _not_a_workflow(loaded, 'its "prompt" is text (a text-to-image prompt, not a graph)')
                return
            if not _holds_graph(prompt) and not doc.keys() <= PROMPT_ENVELOPE_KEYS:
                _not_a_workflow(loaded, f'its "prompt" is a JSON {json_kind(prompt)} that holds no '
                                "graph, beside keys no request envelope uses")
                return
            _unwrap_prompt_body(loaded, doc, require_format)
            return
        runpod_input = doc.get("input")
        if isinstance(runpod_input, dict) and any(k in runpod_input for k in RUNPOD_GRAPH_KEYS):
            _unwrap_named(loaded, doc, "runpod", require_format)
            return
        workflow = doc.get("workflow")
        if isinstance(workflow, dict) and not looks_like_api(doc):
            if is_ui_graph(workflow) and not doc.keys() <= WORKFLOW_INPUTS_KEYS:
                # An editor workflow beside keys that request does not use is a saved document
                # carrying it (mixlab's app file: workflow, output, app), not a request for the
                # API format: lint the workflow as the editor saved it.
                _take_graph(loaded, workflow, "/workflow", None, require_format)
                return
            _unwrap_named(loaded, doc, "workflow-inputs", require_format)
            return
        if looks_like_api(doc) or (not doc and loaded.explicit):
            # `{}` named by the user is an empty prompt: the server answers prompt_no_outputs
            # (reference §10, case 07). Found while walking a tree, it is just an empty JSON file.
            # (strict: taken as the graph it was just found to be, without asking again)
            _take_graph(loaded, doc, "", None, require_format, strict=True)
            return
        nested = find_nested_graph(doc)
        if nested is not None:
            _take_misplaced_graph(loaded, nested[0], nested[1], require_format)
            return
        _not_a_workflow(loaded, "an object with no nodes, no graph and no known request envelope"
                        if doc else "an empty object")
        return
    if isinstance(doc, list) and doc and all(looks_like_api(item) for item in doc):
        loaded.diagnostics.append(findings.malformed_envelope(
            loaded.path, "the body is a JSON list of workflows; ComfyUI expects one object "
            '({"prompt": {...}} or the graph itself)', server_error_type="no_prompt"))
        loaded.format = "api"
        return
    _not_a_workflow(loaded, f"the document is a JSON {json_kind(doc)}, not an object")


def _holds_graph(value: Any) -> bool:
    """An API or UI graph, or an empty one: what an envelope's graph slot carries."""
    return isinstance(value, dict) and (not value or is_ui_graph(value) or looks_like_api(value))


def _unwrap_prompt_body(loaded, doc: Any, require_format: str) -> None:
    if not isinstance(doc, dict) or "prompt" not in doc:
        if is_ui_graph(doc):
            loaded.format = "ui"
            loaded.diagnostics.append(findings.ui_not_api(loaded.path, "the request body"))
            loaded.diagnostics[-1].server_error_type = "no_prompt"
            return
        loaded.format = "api"
        loaded.diagnostics.append(findings.malformed_envelope(
            loaded.path, 'the /prompt request body has no "prompt" key (the server answers '
            "no_prompt)", server_error_type="no_prompt"))
        return
    prompt = doc["prompt"]
    envelope = "workflow-id" if ("workflow_id" in doc or "files" in doc) else "comfyui-prompt"
    loaded.envelope = envelope
    if "partial_execution_targets" in doc:
        loaded.has_partial_targets = True
        loaded.partial_execution_targets = doc["partial_execution_targets"]
    check_envelope_schema(loaded, doc, envelope)
    if envelope == "workflow-id" and isinstance(doc.get("files"), dict):
        loaded.envelope_files.update(k for k in doc["files"] if isinstance(k, str))
    if isinstance(prompt, dict) and is_ui_graph(prompt) or (
            isinstance(prompt, dict) and "nodes" in prompt and "links" in prompt):
        loaded.format = "ui"
        loaded.ui_version = prompt.get("version")
        loaded.workflow = prompt
        loaded.base_pointer = "/prompt"
        loaded.diagnostics.append(findings.ui_not_api(loaded.path, 'the request\'s "prompt"',
                                                      "/prompt"))
        return
    if not isinstance(prompt, dict):
        loaded.format = "api"
        loaded.diagnostics.append(findings.malformed_envelope(
            loaded.path, f'"prompt" is a JSON {json_kind(prompt)}; it must be an object mapping node '
            "ids to nodes (the server fails with HTTP 500)", "/prompt"))
        return
    _take_graph(loaded, prompt, "/prompt", envelope, require_format)


def check_envelope_schema(loaded, doc: Any, envelope: str) -> None:
    """Validate the envelope's own fields against schemas/request-envelopes.schema.json.

    Each schema error becomes an F005 finding at the offending field. The graph inside is only
    required to be an object here; the rules check it.
    """
    from ..resources import envelope_validator

    for error in envelope_validator(envelope).iter_errors(doc):
        where = pointer(*error.absolute_path)
        if where == "/prompt":
            continue  # a "prompt" that is not an object gets its own finding (the server's 500)
        diag = findings.malformed_envelope(
            loaded.path, f"{ENVELOPE_TITLES[envelope]}: {_schema_message(error)}", where)
        if where == "/partial_execution_targets" and isinstance(error.instance, str):
            # Accepted by the server, which then tests `id in "..."` as a substring.
            diag.severity = Severity.WARNING
            diag.message += (f"; the server treats a string as a substring test, so "
                             f"{error.instance!r} selects every output whose id occurs in it")
        loaded.diagnostics.append(diag)


ENVELOPE_TITLES = {
    "comfyui-prompt": "ComfyUI /prompt body",
    "workflow-id": "workflow_id request",
    "runpod": "RunPod request",
    "workflow-inputs": "workflow + inputs request",
}


def _schema_message(error) -> str:
    field = "/".join(str(p) for p in error.absolute_path) or "the body"
    if error.validator == "pattern" and field == "webhook":
        return f'"webhook" must be an http(s) URL, not {error.instance!r}'
    if error.validator == "enum":
        return f'"{field}" is {error.instance!r}, not one of ' + ", ".join(map(str, error.validator_value))
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[0] == "files":
        return '"files" keys are server paths such as "/input/x.png"'
    return f'"{field}": {error.message}'


def _unwrap_named(loaded, doc: Any, envelope: str, require_format: str) -> None:
    loaded.envelope = envelope
    if envelope == "workflow-id":
        _unwrap_prompt_body(loaded, doc, require_format)
        return
    if envelope == "runpod":
        body = doc.get("input") if isinstance(doc, dict) else None
        key = next((k for k in RUNPOD_GRAPH_KEYS if isinstance(body, dict) and k in body),
                   RUNPOD_GRAPH_KEYS[0])
        if not isinstance(body, dict) or not isinstance(body.get(key), dict):
            loaded.format = "api"
            loaded.diagnostics.append(findings.malformed_envelope(
                loaded.path, 'a RunPod request needs {"input": {"workflow": {...}}}', "/input"))
            return
        check_envelope_schema(loaded, doc, envelope)
        _carry_runpod_images(loaded, body)
        _take_graph(loaded, body[key], f"/input/{key}", envelope, require_format, strict=True)
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("workflow"), dict):
        loaded.format = "api"
        loaded.diagnostics.append(findings.malformed_envelope(
            loaded.path, 'expected {"workflow": {...}, "inputs": {...}}', ""))
        return
    check_envelope_schema(loaded, doc, envelope)
    _take_graph(loaded, doc["workflow"], "/workflow", envelope, require_format, strict=True)
    if loaded.format == "api":
        _apply_overrides(loaded, doc.get("inputs"))


def _carry_runpod_images(loaded, body: dict) -> None:
    """RunPod's `input.images` are uploaded to the input folder before the run."""
    images = body.get("images")
    if isinstance(images, list):
        loaded.envelope_files.update(item["name"] for item in images if isinstance(item, dict)
                                     and isinstance(item.get("name"), str))


def _apply_overrides(loaded, overrides: Any) -> None:
    """`inputs` overrides node values before the run: lint what will actually run."""
    if overrides is None:
        return
    if not isinstance(overrides, dict):
        return  # the envelope schema reported it
    graph = copy.deepcopy(loaded.workflow)
    for node_id, values in overrides.items():
        node = graph.get(node_id)
        where = pointer("inputs", node_id)
        if not isinstance(node, dict):
            loaded.diagnostics.append(findings.malformed_envelope(
                loaded.path, f"the override names node {node_id!r}, which is not in the workflow",
                where))
            continue
        if not isinstance(values, dict):
            continue  # the envelope schema reported it
        node_inputs = node.setdefault("inputs", {})
        if not isinstance(node_inputs, dict):
            continue  # malformed-node reports the node
        for name, value in values.items():
            # Whether the node declares `name` is unknown-input's call (it has the catalog).
            node_inputs[name] = value
            loaded.overridden[(node_id, name)] = pointer("inputs", node_id, name)
    loaded.workflow = graph


def _take_graph(loaded, graph: Any, base: str, envelope: str | None, require_format: str,
                strict: bool = False) -> None:
    loaded.envelope = envelope
    loaded.base_pointer = base
    loaded.workflow = graph
    if is_ui_graph(graph):
        loaded.format = "ui"
        loaded.ui_version = graph.get("version")
        if require_format == "api" or envelope is not None:
            where = "this file" if not base else f"the workflow at {base}"
            loaded.diagnostics.append(findings.ui_not_api(loaded.path, where, base))
        return
    if isinstance(graph, dict) and (strict or envelope or not graph or looks_like_api(graph)):
        loaded.format = "api"
        if require_format == "ui":
            loaded.diagnostics.append(findings.malformed_envelope(
                loaded.path, "an API-format workflow where the UI format is required", base))
        return
    _not_a_workflow(loaded, f"expected a graph of nodes, found a JSON {json_kind(graph)}")


NESTED_SEARCH_DEPTH = 4  # request bodies nest their graph a level or two down
NESTED_SEARCH_BUDGET = 10_000  # containers looked at, at most: a big data file stays cheap


def find_nested_graph(doc: Any) -> tuple[tuple, dict] | None:
    """The first API or UI graph below the top of `doc` (breadth first, a few levels deep):
    (its path of keys and indexes, the graph), or None."""
    pending: list[tuple[tuple, Any]] = [((), doc)]
    budget = NESTED_SEARCH_BUDGET
    while pending and budget > 0:
        path, value = pending.pop(0)
        budget -= 1
        if path and isinstance(value, dict) and (is_ui_graph(value) or looks_like_api(value)):
            return path, value
        if len(path) >= NESTED_SEARCH_DEPTH:
            continue
        if isinstance(value, dict):
            pending.extend(((*path, key), item) for key, item in value.items()
                           if isinstance(item, (dict, list)))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value)
                           if isinstance(item, (dict, list)))
    return None


def _take_misplaced_graph(loaded, path: tuple, graph: dict, require_format: str) -> None:
    """A graph under a key no known envelope uses (`input.prompt`, `data.graph`): lint
    it, and say that the request as it stands does not deliver it (an error, never a pass)."""
    where = pointer(*path)
    runpod = path[0] == "input" and isinstance(loaded.document.get("input"), dict)
    _take_graph(loaded, graph, where, "runpod" if runpod else None, require_format, strict=True)
    if runpod:
        _carry_runpod_images(loaded, loaded.document["input"])
        message = (f"RunPod request: the workflow is at {where}, but worker-comfyui reads it from "
                   "input.workflow: the job fails before ComfyUI sees the graph")
        fix_hint = "/input/workflow"
    else:
        message = (f"a workflow is nested at {where}, where no known request envelope puts one "
                   "(a /prompt body: prompt; RunPod: input.workflow; workflow + inputs: workflow)")
        fix_hint = None
    diag = findings.malformed_envelope(loaded.path, message, where)
    diag.help = (f"Move the graph to {fix_hint}." if fix_hint else
                 "Send the graph where your server reads it, or lint it with the matching "
                 "--envelope.")
    loaded.diagnostics.append(diag)


def _not_a_workflow(loaded, reason: str) -> None:
    loaded.format = None
    loaded.diagnostics.append(findings.not_a_workflow(loaded.path, reason))
