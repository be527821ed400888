from __future__ import annotations

from typing import Any, Iterable

from ...diagnostics import Diagnostic, json_kind
from ...load.positions import pointer as make_pointer
from ..base import Context, Rule

MAX_FINDINGS = 20


def schema_name(document: dict) -> str:
    """The frontend validates version 1 files with the v1 schema and any other number with 0.4's."""
    return "ui-workflow-1.schema.json" if document.get("version") == 1 else "ui-workflow-0.4.schema.json"


class UiSchemaInvalid(Rule):
    code = "U001"
    name = "ui-schema-invalid"
    summary = "The UI workflow's structure does not match the frontend's schema (nodes, links, slots)."
    formats = ("ui",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        from ...resources import validator
        from ...schema_check import plainly_valid

        document = ctx.loaded.workflow
        version = document.get("version")
        if not isinstance(version, (int, float)) or isinstance(version, bool):
            yield ctx.report("the UI workflow has no numeric \"version\": the frontend refuses to "
                             "validate it (0.4 is what it writes, 1 for object links)",
                             pointer=ctx.pointer("version") if "version" in document else ctx.pointer(),
                             help='Add "version": 0.4 (array links) or 1 (object links and "state").')
        name = schema_name(document)
        if plainly_valid(document, name):
            return
        errors = sorted(validator(name).iter_errors(document),
                        key=lambda e: list(map(str, e.absolute_path)))
        for error in errors[:MAX_FINDINGS]:
            where = list(error.absolute_path)
            if where == ["version"] or _only_missing_version(error):
                continue  # said above, with what to write
            yield ctx.report(f"{_place(where)}: {_explain(error)}", pointer=ctx.pointer(*where),
                             help="Re-save the workflow in the editor, or repair the file by hand.")


def _only_missing_version(error: Any) -> bool:
    return error.validator == "required" and not error.absolute_path and [
        name for name in error.validator_value if name not in (error.instance or {})] == ["version"]


def _place(path: list) -> str:
    return make_pointer(*path) or "the document"


def _explain(error: Any) -> str:
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        return "missing " + ", ".join(repr(name) for name in missing)
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {expected}, found {_kind(error.instance)}"
    if error.validator in ("minimum", "maximum"):
        return f"{error.instance!r} is out of range ({error.validator} {error.validator_value})"
    if error.validator == "const":
        return f"must be {error.validator_value!r}, found {error.instance!r}"
    if error.validator in ("oneOf", "anyOf"):
        return f"{_kind(error.instance)} value of the wrong shape"
    if error.validator in ("minItems", "maxItems"):
        return f"{error.validator} {error.validator_value}, found {len(error.instance)} items"
    return error.message[:160]


def _kind(value: Any) -> str:
    """"an object", "a string", "null": the JSON kind with its article, for messages."""
    kind = json_kind(value)
    return kind if kind == "null" else ("an " if kind[0] in "aeiou" else "a ") + kind
