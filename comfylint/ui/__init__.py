"""UI-format workflows (what the editor saves): schema checks, link-table lint, conversion to API.

A UI file is linted twice over: the U rules (and G108) read the UI document itself, and every API
rule runs on the API workflow the frontend's "Export (API)" would make of it. `attach_api_view`
builds that view; after the rules ran, `translate_findings` turns the API rules' node ids and
pointers into pointers into the UI file (`/nodes/4/widgets_values/1`), so editors highlight the
right place.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .convert import ConversionResult

# The converter loads on first use: API files (and `--version`) never pay for it, although the
# UI rules import this package to register.
_FROM_CONVERT = ("EXACT", "HEURISTIC", "REFUSED", "ConversionResult", "to_api")


def __getattr__(name: str):
    if name in _FROM_CONVERT:
        from . import convert

        return getattr(convert, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

if TYPE_CHECKING:
    from ..rules.base import Context

CONVERSION_KEY = "ui_conversion"  # loaded.extra[...]: the ConversionResult of a UI file
CONVERSION_ERROR_KEY = "ui_conversion_error"


def conversion(loaded) -> ConversionResult | None:
    return loaded.extra.get(CONVERSION_KEY)


def ui_node(loaded, api_id: str) -> dict | None:
    """The UI file's node behind an API node of the converted view (its `properties` carry the
    pack origin, cnr_id / aux_id / ver, even where `_meta` leaves them out); None for API files."""
    result = conversion(loaded)
    node = result.nodes.get(api_id) if result is not None else None
    return node.raw if node is not None else None


def attach_api_view(ctx: "Context") -> None:
    """Convert the UI workflow and give the API rules its graph (ctx.graph, ctx.workflow)."""
    from ..graph import WorkflowGraph

    try:  # (ctx.graph stays None when the conversion fails)
        from .convert import to_api

        result = to_api(ctx.loaded.workflow, ctx.catalog,
                        editor_only=ctx.options.editor_only_nodes)
    except Exception as exc:  # a converter bug must not hide the U rules' findings
        ctx.loaded.extra[CONVERSION_ERROR_KEY] = f"{type(exc).__name__}: {exc}"
        return
    ctx.loaded.extra[CONVERSION_KEY] = result
    ctx.api_workflow = result.prompt
    ctx.graph = WorkflowGraph(result.prompt, ctx.catalog)


def api_rule_codes() -> frozenset[str]:
    from ..rules import rule_index

    return frozenset(code for code, entry in rule_index().items()
                     if "api" in entry.formats and "*" not in entry.formats)


def translate_findings(ctx: "Context") -> None:
    """Point the API rules' findings at the UI file: the node, the widget value, the input slot."""
    result = conversion(ctx.loaded)
    if result is None:
        return
    base = ctx.loaded.base_pointer
    api_codes = api_rule_codes()
    for diag in ctx.findings:
        if diag.code in api_codes:
            if diag.pointer is not None:
                diag.pointer = base + ui_pointer(result, _relative(diag.pointer, base), diag.input)
            if diag.fix is not None:
                diag.fix = _translated_fix(result, diag.fix, base)
        elif diag.code == "F004":
            diag.help = api_file_help(ctx.loaded.path, result)


def _relative(pointer: str, base: str) -> str:
    return pointer[len(base):] if pointer.startswith(base) else pointer


def _translated_fix(result: ConversionResult, fix, base: str):
    """An API fix that only sets values becomes edits of the stored widget values; any other
    (removing inputs, relinking) has no safe equivalent in the UI file and is dropped."""
    from ..diagnostics import Edit

    edits = []
    for edit in fix.edits:
        target = ui_pointer(result, _relative(edit.pointer, base))
        if edit.remove or "/widgets_values/" not in target:
            return None
        edits.append(Edit(base + target, edit.value))
    fix.edits = edits
    return fix


def ui_pointer(result: ConversionResult, api_pointer: str, input_name: str | None = None) -> str:
    """`/12:5/inputs/seed` (API view) → `/definitions/subgraphs/0/nodes/3/widgets_values/0`.

    A finding on a whole node that names an input (a missing one) points at that input's slot.
    """
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in api_pointer.split("/")[1:]]
    if not tokens or tokens[0] not in result.nodes:
        return ""
    api_id, rest = tokens[0], tokens[1:]
    node = result.nodes[api_id]
    if rest in ([], ["inputs"]) and input_name is not None:
        rest = ["inputs", input_name]
    if not rest:
        return node.pointer
    if rest[0] == "class_type":
        return f"{node.pointer}/type"
    if rest[0] == "_meta":
        return f"{node.pointer}/title" if "title" in node.raw else node.pointer
    if rest[0] == "inputs" and len(rest) > 1:
        source = result.sources.get((api_id, rest[1]))
        return source or node.input_pointer(rest[1]) or node.pointer
    return node.pointer


def api_file_path(path: str) -> str:
    """Where F004's help suggests writing the API workflow: beside the UI file, `<stem>_api.json`."""
    original = Path(path)
    return str(original.with_name(f"{original.stem}_api.json"))


def api_file_help(path: str, result: ConversionResult) -> str:
    """F004's help for a UI file comfylint can convert: the command that writes the API file.
    (Not a fix: --fix edits the file it lints, and a new file beside it would leave the UI file,
    and its F004, where they are.)"""
    import shlex

    from .convert import EXACT

    grade = "" if result.grade == EXACT else f" ({result.grade} conversion: check the result)"
    return (f'Export the API format from the editor ("Export (API)" in the workflow menu), or '
            f"write it beside the UI file: `comfylint convert {shlex.quote(path)} -o "
            f"{shlex.quote(api_file_path(path))}`{grade}.")


__all__ = ["EXACT", "HEURISTIC", "REFUSED", "ConversionResult", "api_file_help", "api_file_path",
           "attach_api_view", "conversion", "to_api", "translate_findings", "ui_node",
           "ui_pointer"]
