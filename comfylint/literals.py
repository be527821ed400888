"""What the value rules read: every literal input of a known node, sorted once per document.

The graph lists the literal inputs (graph.literal_inputs). Rather than each value rule walking
all of them (conversions, ranges, choices, sockets, lossy coercions, server files), one pass here
sorts each literal into the short worklists those rules read, guided by a plan decided once per
node class and input (what the declaration and the catalog say to check: catalog.literal_plans).
A rule then reads only the literals it may report, and its own code decides what it reports.
tests/test_fast_paths.py holds each worklist to the test the rule made over every literal.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .catalog.types import CONVERTED_TYPES, ConversionError, convert_value, lossy_reason
from .record import Record

if TYPE_CHECKING:
    from .catalog import Catalog, InputSpec, NodeDef
    from .graph import WorkflowGraph

# A literal as the graph lists it: (node_id, node_def, input name, spec, raw value).
Literal = tuple[str, "NodeDef", str, "InputSpec", Any]
_EXACT = {"INT": int, "FLOAT": float, "STRING": str, "BOOLEAN": bool}  # convert_value keeps these
LOSSY_TYPES = ("BOOLEAN", "INT", "FLOAT")  # the declared types a conversion can betray


class InputPlan(Record):
    """What to check about a literal given to one declared input."""

    __slots__ = ("convert", "exact", "low", "high", "lossy", "socket_only", "listed", "dynamic",
                 "choices", "multiselect", "folder", "checked", "inert")

    def __init__(self, *, convert: str | None, exact: type | None, low: Any, high: Any,
                 lossy: bool, socket_only: bool, listed: bool, dynamic: bool,
                 choices: frozenset | None, multiselect: bool, folder: str | None,
                 checked: bool) -> None:
        self.convert = convert  # INT, FLOAT, STRING or BOOLEAN: the server converts the value
        self.exact = exact  # the Python type that conversion returns unchanged
        self.low = low  # the numeric min the server checks after conversion (None: no check)
        self.high = high  # the numeric max
        self.lossy = lossy  # a conversion that may change the value's meaning (lossy-coercion)
        self.socket_only = socket_only  # only a link can feed it (literal-on-link-input)
        self.listed = listed  # a combo the server compares the value with (value-not-in-list)
        self.dynamic = dynamic  # a v3 dynamic combo: the value must name an option
        self.choices = choices  # the choices, when hashable: a quick "it is one of them"
        self.multiselect = multiselect
        self.folder = folder  # the server folder a file combo lists (the model rules), or None
        self.checked = checked  # the server in use compares a file combo's value with its list
        # A value of the `exact` type needs no look at all (no range, no list, no file, not
        # socket-only; a FLOAT may be NaN, which lossy-coercion reports): most text inputs.
        self.inert = (convert in ("STRING", "INT", "BOOLEAN") and low is None and high is None
                      and not socket_only and not listed and not dynamic and folder is None)


class LiteralChecks(Record):
    """The literals each value rule may report, in the workflow's order."""

    __slots__ = ("invalid", "below_min", "above_max", "lossy", "socket_only", "not_listed",
                 "files")

    def __init__(self) -> None:
        self.invalid: list[tuple[str, str, InputSpec, Any, str]] = []
        self.below_min: list[tuple[str, str, InputSpec, Any, Any]] = []
        self.above_max: list[tuple[str, str, InputSpec, Any, Any]] = []
        self.lossy: list[tuple[str, str, InputSpec, Any, str]] = []
        self.socket_only: list[Literal] = []
        self.not_listed: list[Literal] = []
        # (node_id, class_type, input, value, folder, choices, checked): FileInput's fields
        self.files: list[tuple[str, str, str, Any, str, Any, bool]] = []


def input_plan(catalog: "Catalog", node_def: "NodeDef", name: str, spec: "InputSpec") -> InputPlan:
    """The plan for one declared input (its spec as the graph resolved it)."""
    declared = spec.type
    class_type = node_def.name
    options = spec.options
    convert = declared if isinstance(declared, str) and declared in CONVERTED_TYPES else None
    skips = catalog.skips_value_checks(class_type, name)
    bounded = not skips and ("min" in options or "max" in options)
    low, high = options.get("min"), options.get("max")
    choices = spec.choices
    remote = bool(options.get("remote"))
    folder = None
    if choices is not None and not remote and not options.get("multiselect"):
        folder = catalog.server_list_folder(class_type, name)
    listed = (not spec.dynamic_options and choices is not None and not remote
              and not options.get("remote_combo") and not skips
              and catalog.server_list_folder(class_type, name) is None)
    try:
        quick = frozenset(choices) if listed and choices is not None else None
    except TypeError:  # an unhashable choice: compare with the list
        quick = None
    return InputPlan(
        convert=convert, exact=_EXACT.get(convert) if convert else None,
        low=low if bounded and isinstance(low, (int, float)) else None,
        high=high if bounded and isinstance(high, (int, float)) else None,
        lossy=convert in LOSSY_TYPES, socket_only=catalog.is_socket_only(spec), listed=listed,
        dynamic=bool(spec.dynamic_options), choices=quick,
        multiselect=bool(options.get("multiselect")), folder=folder,
        checked=not spec.is_v3_combo or catalog.release.server.checks_v3_combo_values)


def _class_plans(catalog: "Catalog", node_def: "NodeDef") -> dict[str, InputPlan]:
    """The plans of a class's declared inputs, decided once per catalog."""
    plans = catalog.literal_plans.get(node_def.name)
    if plans is None:
        plans = catalog.literal_plans[node_def.name] = {
            name: input_plan(catalog, node_def, name, spec) for name, spec in node_def.inputs.items()}
    return plans


def literal_checks(graph: "WorkflowGraph") -> LiteralChecks:
    """Every literal of the graph's known nodes sorted into the value rules' worklists."""
    catalog = graph.catalog
    checks = LiteralChecks()
    invalid, below_min, above_max = checks.invalid, checks.below_min, checks.above_max
    lossy, socket_only, not_listed, files = (checks.lossy, checks.socket_only, checks.not_listed,
                                             checks.files)
    node_def = plans = None
    isfinite = math.isfinite
    for item in graph.literal_inputs:
        node_id, item_def, name, spec, raw = item
        if item_def is not node_def:
            node_def = item_def
            # Dynamic inputs are resolved per node (their specs are this document's): no reuse.
            plans = None if node_def.has_dynamic_inputs else _class_plans(catalog, node_def)
        plan = plans[name] if plans is not None else input_plan(catalog, node_def, name, spec)
        value = raw["__value__"] if isinstance(raw, dict) and "__value__" in raw else raw
        kind = type(value)
        if plan.inert and kind is plan.exact or (
                kind is str and plan.choices is not None and value in plan.choices):
            continue  # (plan.choices: a listed combo's, which takes no conversion, socket or file)
        declared = plan.convert
        converted = value  # as the server has it before its range checks
        if declared is not None and kind is not plan.exact:
            try:
                converted = convert_value(declared, value)
            except ConversionError as exc:
                invalid.append((node_id, name, spec, raw, str(exc)))
                converted = None
        if isinstance(converted, (int, float)):
            low, high = plan.low, plan.high
            if low is not None and converted < low:
                below_min.append((node_id, name, spec, converted, low))
            if high is not None and converted > high:
                above_max.append((node_id, name, spec, converted, high))
            if kind is plan.exact and (kind is not float or isfinite(value)):
                continue  # (a number of its input's own type, which lists no choices or files)
        # (an int given to INT or FLOAT, a bool to BOOLEAN, a finite float to FLOAT keep their
        # meaning: lossy_reason says nothing of them)
        if plan.lossy and declared and not (kind is int and declared != "BOOLEAN"
                                            or kind is bool and declared == "BOOLEAN"
                                            or kind is float and declared == "FLOAT"
                                            and math.isfinite(value)):
            reason = lossy_reason(declared, value)
            if reason:
                lossy.append((node_id, name, spec, raw, reason))
        if plan.socket_only:
            socket_only.append(item)
        if plan.dynamic:
            not_listed.append(item)
        elif plan.listed:
            if plan.multiselect and isinstance(value, list):
                not_listed.append(item)
            else:
                try:
                    known = plan.choices is not None and value in plan.choices
                except TypeError:  # an unhashable value: the rule compares it with the list
                    known = False
                if not known:
                    not_listed.append(item)
        if plan.folder is not None:
            files.append((node_id, node_def.name, name, value, plan.folder, spec.choices,
                          plan.checked))
    return checks
