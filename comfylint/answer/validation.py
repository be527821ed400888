"""The server's walk over a prompt, replayed: which errors it reaches, in which order, on which node.

The walk is ComfyUI's `validate_prompt` (reference §1-§8): every node's class in dict order, then
per output a depth-first `validate_inputs` through links. Where a link cannot be read (a missing
node, an int id, a bad output index) the server raises outside its error handling: the exception
escapes the node and its consumer files it on that node with the consumer's input. Where an input
is wrong, the finding on it (its server error type) is worded as the server words it. Python
exceptions are raised for real (`{}[source]`, `()[slot]`) so their text is Python's own.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..catalog.types import ConversionError, convert_value, unwrap_value
from . import SERVER_CRASH_TEXT, ServerAnswer
from .dialects import Dialect

if TYPE_CHECKING:
    from ..catalog import Catalog, InputSpec
    from ..diagnostics import Diagnostic
    from ..graph import Link, WorkflowGraph

UNKNOWN_NODE_TYPES = frozenset({"missing_node_type", "invalid_prompt"})
VALUE_TYPES = ("invalid_input_type", "value_smaller_than_min", "value_bigger_than_max",
               "value_not_in_list")
LONG_LIST = 20  # longer combo lists are shown as "(list of length N)", without input_config
# What the validate functions of core nodes answer (recorded cases 35 and 67), by class.
CUSTOM_VALIDATION_TEXT = {
    "LoadImage": "Invalid image file: {value}",
    "LoadImageMask": "Invalid image file: {value}",
    "KlingCameraControls": "Invalid camera control configs: at least one of the values must be "
                           "non-zero",
}


class _Raised(Exception):
    """An exception the server's validation lets escape (type name and str(), as Python gives)."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__(text)
        self.kind, self.text = kind, text


def answer_prompt(prompt: Any, targets: Any, has_targets: bool, found: list[Diagnostic],
                  catalog: Catalog, dialect: Dialect, graph: WorkflowGraph | None = None
                  ) -> ServerAnswer:
    if not isinstance(prompt, dict):
        # `for x in prompt` then `prompt[x]`: an empty list or string has nothing to look at.
        if isinstance(prompt, (list, str)) and not prompt:
            return ServerAnswer(400, {"error": dialect.no_outputs(), "node_errors": {}})
        return ServerAnswer(500, SERVER_CRASH_TEXT)
    stop = _class_check(prompt, found, dialect)
    if stop is not None:
        return stop
    if graph is None:
        from ..graph import WorkflowGraph

        graph = WorkflowGraph(prompt, catalog, targets, has_targets)
    if not graph.output_nodes:
        return ServerAnswer(400, {"error": dialect.no_outputs(), "node_errors": {}})
    walk = _Walk(graph, found, dialect)
    try:
        return walk.answer()
    except RecursionError:  # deeper than the server can go itself (reference §8, deep chains)
        return ServerAnswer(400, {"error": dialect.outputs_failed(""),
                                  "node_errors": walk.too_deep()})


def _class_check(prompt: dict, found: list[Diagnostic], dialect: Dialect) -> ServerAnswer | None:
    """Every node's class_type, in dict order, as the server checks it before anything else."""
    unknown = {d.node_id for d in found if d.server_error_type in UNKNOWN_NODE_TYPES}
    for node_id, node in prompt.items():
        if not isinstance(node, (dict, str, list)):
            return ServerAnswer(500, SERVER_CRASH_TEXT)  # `'class_type' in 5` raises
        title = _title(node)
        if title is _CRASH and dialect.missing_node_type:
            return ServerAnswer(500, SERVER_CRASH_TEXT)  # node_data.get('_meta', {}) on a non-dict
        if "class_type" not in node:
            return ServerAnswer(400, {"error": dialect.no_class_type(node_id, title),
                                      "node_errors": {}})
        if not isinstance(node, dict):
            return ServerAnswer(500, SERVER_CRASH_TEXT)  # 'str'['class_type'] raises
        class_type = node["class_type"]
        try:
            hash(class_type)
        except TypeError:
            return ServerAnswer(500, SERVER_CRASH_TEXT)  # NODE_CLASS_MAPPINGS.get([...]) raises
        if not isinstance(class_type, str) or node_id in unknown:
            shown = title if title is not None else None
            return ServerAnswer(400, {"error": dialect.unknown_class(node_id, class_type, shown),
                                      "node_errors": {}})
    return None


_CRASH = object()
_NO_META: dict = {}  # (read only: the server's `node.get('_meta', {})`)


def _title(node: Any) -> Any:
    if not isinstance(node, dict):
        return _CRASH
    meta = node.get("_meta", _NO_META)
    if not isinstance(meta, dict):
        return _CRASH
    return meta.get("title")


class _Walk:
    """`validate_inputs` for each output, memoised per node as the server memoises it."""

    def __init__(self, graph: WorkflowGraph, found: list[Diagnostic], dialect: Dialect) -> None:
        self.graph = graph
        self.dialect = dialect
        self.found = found
        self.by_input: dict[tuple[str, str | None], list[Diagnostic]] = {}
        for diag in found:
            if diag.node_id is not None:
                self.by_input.setdefault((diag.node_id, diag.input), []).append(diag)
        self.flagged = {node_id for node_id, _input in self.by_input}  # nodes with a finding
        # ... of their validate function's (the one kind of error checked on every input)
        self.custom_flagged = {diag.node_id for diag in found
                               if diag.server_error_type == "custom_validation_failed"}
        # (node id, input) -> its link, for the links the server cannot read (the others need
        # no record: their value says where they lead)
        self.unreadable = {(link.target, link.input): link for link in graph.odd_links
                           if link.problem in UNREADABLE_LINKS}
        # node -> (valid, reasons), in the order the server finishes them (it reports in this order)
        self.validated: dict[str, tuple[bool, list[dict]]] = {}
        self.stack: list[str] = []
        self.cycle_errors: dict[str, list[dict]] = {}  # newer servers: dependency_cycle per node

    def answer(self) -> ServerAnswer:
        good: list[str] = []
        failed: list[tuple[str, list[dict]]] = []
        node_errors: dict[str, dict] = {}
        for output in self.graph.output_nodes:
            try:
                valid = self.validate(output)
                reasons = self.validated[output][1]
            except _Raised as exc:
                valid = False
                reasons = [{"type": "exception_during_validation",
                            "message": "Exception when validating node", "details": exc.text,
                            "extra_info": {"exception_type": exc.kind, "traceback": []}}]
                self.validated[output] = (False, reasons)
            if valid:
                good.append(output)
                continue
            failed.append((output, reasons))
            # As the server does: every failing node validated so far lists this output.
            for node_id, (node_valid, node_reasons) in self.validated.items():
                if not node_valid and node_reasons:
                    entry = node_errors.setdefault(node_id, {
                        "errors": node_reasons, "dependent_outputs": [],
                        "class_type": self.graph.class_type(node_id)})
                    entry["dependent_outputs"].append(output)
        if good:
            return ServerAnswer(200, {"node_errors": node_errors})
        details = "\n".join(f"{r['message']}: {r['details']}" for _o, rs in failed for r in rs)
        return ServerAnswer(400, {"error": self.dialect.outputs_failed(details),
                                  "node_errors": node_errors})

    # -- one node -------------------------------------------------------------------------------
    def validate(self, node_id: str) -> bool:
        if node_id in self.validated:
            return self.validated[node_id][0]
        if node_id in self.stack:
            return self._cycle(node_id)
        node = self.graph.node(node_id)
        if "inputs" not in node:
            raise _Raised("KeyError", "'inputs'")
        inputs = node["inputs"]
        if not isinstance(inputs, dict):
            raise _Raised("TypeError", f"{type(inputs).__name__} indices must be integers")
        self.stack.append(node_id)
        try:
            valid, errors = self._inputs(node_id, inputs)
        finally:
            self.stack.pop()
        if node_id in self.custom_flagged:  # (a node without such findings has no such entries)
            errors += self._errors(node_id, None, ("custom_validation_failed",))
            for name in self.graph.input_specs(node_id):
                errors += self._errors(node_id, name, ("custom_validation_failed",))
        errors += self.cycle_errors.pop(node_id, [])
        self.validated[node_id] = (valid and not errors, errors)
        return valid and not errors

    def _inputs(self, node_id: str, inputs: dict) -> tuple[bool, list[dict]]:
        graph = self.graph
        valid, errors = True, []  # type: tuple[bool, list[dict]]
        specs = graph.input_specs(node_id)
        if graph.node_def(node_id) is None:  # a class the server has and the catalog does not
            return self._unknown_class(graph.links_by_target.get(node_id, ())), errors
        if node_id not in self.flagged:  # (most nodes) no finding, so no error entries: the
            for name, spec in specs.items():  # server only follows the node's links
                value = inputs.get(name)
                if isinstance(value, list) and len(value) == 2:
                    self._raise_if_unreadable(node_id, name)
                    if not self._validate_source(name, spec, value):
                        valid = False
            return valid, errors
        for name, spec in specs.items():
            if name not in inputs:
                if spec.required:
                    errors += self._errors(node_id, name, ("required_input_missing",))
                continue
            value = inputs[name]
            if not isinstance(value, list):
                errors += self._errors(node_id, name, VALUE_TYPES)[:1]
                continue
            if len(value) != 2:
                errors += self._errors(node_id, name, ("bad_linked_input",))
                continue
            self._raise_if_unreadable(node_id, name)
            mismatch = self._errors(node_id, name, ("return_type_mismatch",))
            if mismatch:
                errors += mismatch
                continue
            if not self._validate_source(name, spec, value):
                valid = False
        return valid, errors

    def _raise_if_unreadable(self, node_id: str, name: str) -> None:
        """What the server raises reading a link it cannot follow (most prompts have none)."""
        if self.unreadable:
            link = self.unreadable.get((node_id, name))
            if link is not None:
                _raise_if_unreadable(link, self.graph)

    def _validate_source(self, name: str, spec: InputSpec, value: list) -> bool:
        """The server's recursion into the source of a readable link `[source, slot]`."""
        source = value[0]
        try:
            return self.validate(source)
        except _Raised as exc:
            self.validated[source] = (False, [_inner_exception(name, spec, value, exc)])
            return False

    def _unknown_class(self, links: Iterable[Link]) -> bool:
        valid = True
        for link in links:
            if link.problem is None and not self.validate(link.source):
                valid = False
        return valid

    def _cycle(self, node_id: str) -> bool:
        """A link back into a node being validated. 0.3.64 recurses until RecursionError and
        files nothing (cases 38, 39); newer servers name the cycle on each of its nodes."""
        if self.dialect.cycle_errors_per_node:
            cycle = self.stack[self.stack.index(node_id):]
            path = " -> ".join(f"{n} ({self.graph.class_type(n)})" for n in cycle + [node_id])
            for member in cycle:
                self.cycle_errors.setdefault(member, []).append(
                    self.dialect.dependency_cycle(path, cycle))
        return False

    def _errors(self, node_id: str, name: str | None, types: Iterable[str]) -> list[dict]:
        """The server's error entries for the findings on one input of one node."""
        found = self.by_input.get((node_id, name))
        if not found:
            return []  # (most inputs)
        out: list[dict] = []
        wanted = tuple(types)
        for diag in found:
            if diag.server_error_type in wanted:
                out.extend(self._entries(node_id, name, diag))
        out.sort(key=lambda e: wanted.index(e["type"]))
        return out

    def _entries(self, node_id: str, name: str | None, diag: Diagnostic) -> Iterator[dict]:
        graph = self.graph
        kind = diag.server_error_type
        spec = graph.input_specs(node_id).get(name) if name is not None else None
        value = graph.inputs(node_id).get(name) if name is not None else None
        if kind == "custom_validation_failed":
            yield from self._custom(node_id, name, value)
            return
        if kind == "required_input_missing":
            yield _entry(kind, "Required input is missing", name, {"input_name": name})
            return
        if spec is None or name is None or kind is None:
            return
        config = _input_config(spec)
        if kind == "bad_linked_input":
            yield _entry(kind, "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                         name, {"input_name": name, "input_config": config, "received_value": value})
        elif kind == "return_type_mismatch":
            link = next(each for each in graph.links_by_target[node_id] if each.input == name)
            yield _entry(kind, "Return type mismatch between linked nodes",
                         f"{name}, received_type({link.received_type}) mismatch "
                         f"input_type({spec.type})",
                         {"input_name": name, "input_config": config,
                          "received_type": link.received_type, "linked_node": value})
        elif kind != "value_not_in_list" or not spec.is_v3_combo or \
                self.dialect.checks_v3_combo_values:
            yield from _value_entries(kind, name, spec, config, _unwrap(value))

    def _custom(self, node_id: str, name: str | None, value: Any) -> Iterator[dict]:
        """One entry per argument of the node's validate function (case 67: identical text)."""
        class_type = self.graph.class_type(node_id)
        facts = self.graph.catalog.custom_validation.get(class_type, {})
        names = [name] if name is not None else list(facts.get("skips_min_max_combo_for") or [])
        template = CUSTOM_VALIDATION_TEXT.get(class_type)
        for arg in names:
            shown = _unwrap(self.graph.inputs(node_id).get(arg)) if name is None else _unwrap(value)
            reason = template.format(value=shown) if template else "validation failed"
            yield _entry("custom_validation_failed", "Custom validation failed for node",
                         f"{arg} - {reason}", {"input_name": arg})

    def too_deep(self) -> dict:
        """Node errors for a chain too deep to replay: the findings that say so."""
        errors: dict[str, dict] = {}
        for diag in self.found:
            if diag.code == "G109" and diag.node_id is not None:
                errors[diag.node_id] = {"errors": [_entry(
                    "exception_during_inner_validation", "Exception when validating inner node",
                    "maximum recursion depth exceeded",
                    {"exception_type": "RecursionError", "traceback": []})],
                    "dependent_outputs": [diag.node_id],
                    "class_type": self.graph.class_type(diag.node_id)}
        return errors


UNREADABLE_LINKS = ("source-type", "missing-source", "slot-type", "slot-range")


def _raise_if_unreadable(link: Link, graph: WorkflowGraph) -> None:
    """`prompt[o_id]['class_type']` and `RETURN_TYPES[slot]`, which the server evaluates outside
    any try: the same Python operations, so the exception and its text are Python's."""
    if link.problem in UNREADABLE_LINKS[:2]:
        _python({}.__getitem__, link.source)
    if link.problem in UNREADABLE_LINKS[2:]:
        source = graph.node_def(link.source)
        return_types = tuple(source.outputs) if source is not None else ()
        _python(return_types.__getitem__, link.slot)


def _python(operation, argument: Any) -> None:
    try:
        operation(argument)
    except Exception as exc:  # noqa: BLE001 - we want exactly what Python raises
        raise _Raised(type(exc).__name__, str(exc)) from None


def _inner_exception(name: str, spec: InputSpec, value: Any, exc: _Raised) -> dict:
    return _entry("exception_during_inner_validation", "Exception when validating inner node",
                  exc.text, {"input_name": name, "input_config": _input_config(spec),
                             "exception_message": exc.text, "exception_type": exc.kind,
                             "traceback": [], "linked_node": value})


def _value_entries(kind: str, name: str, spec: InputSpec, config: list, value: Any) -> Iterator[dict]:
    if kind == "invalid_input_type":
        error = _conversion_error(spec.type, value)
        yield _entry(kind, f"Failed to convert an input value to a {spec.type} value",
                     f"{name}, {value}, {error}",
                     {"input_name": name, "input_config": config, "received_value": value,
                      "exception_message": error})
        return
    if kind == "value_not_in_list":
        choices = spec.choices or []
        long = len(choices) > LONG_LIST
        listed = f"(list of length {len(choices)})" if long else str(choices)
        yield _entry(kind, "Value not in list", f"{name}: '{value}' not in {listed}",
                     {"input_name": name, "input_config": None if long else config,
                      "received_value": value})
        return
    try:
        converted = convert_value(spec.type, value) if isinstance(spec.type, str) else value
    except ConversionError:
        converted = value
    if kind == "value_smaller_than_min":
        yield _entry(kind, f"Value {converted} smaller than min of {spec.options.get('min')}", name,
                     {"input_name": name, "input_config": config, "received_value": converted})
    elif kind == "value_bigger_than_max":
        yield _entry(kind, f"Value {converted} bigger than max of {spec.options.get('max')}", name,
                     {"input_name": name, "input_config": config, "received_value": converted})


def _conversion_error(declared: Any, value: Any) -> str:
    convert = {"INT": int, "FLOAT": float}.get(declared)
    if convert is None:
        return ""
    try:
        convert(value)
    except Exception as exc:  # noqa: BLE001 - the text Python gives is the server's text
        return str(exc)
    return ""


def _input_config(spec: InputSpec) -> list:
    return [spec.type, spec.options]


def _unwrap(value: Any) -> Any:
    return unwrap_value(value)


def _entry(kind: str, message: str, details: Any, extra_info: dict) -> dict:
    return {"type": kind, "message": message, "details": details, "extra_info": extra_info}


def extra_node_errors(blocking: Iterable[Diagnostic], covered: set, loose: list[str]
                      ) -> Iterator[tuple[str, dict]]:
    """Blocking findings the server's own answer lacks, as node errors (or, without a node, as
    lines for the top-level details)."""
    for diag in blocking:
        if diag.node_id is None:
            loose.append(f"{diag.code} {diag.name}: {diag.message}")
            continue
        if diag.server_error_type and (diag.node_id, diag.input) in covered:
            continue
        yield diag.node_id, {
            "errors": [_entry(diag.server_error_type or diag.name, diag.message, diag.input or "",
                              {"input_name": diag.input,
                               "comfylint": {"code": diag.code, "name": diag.name,
                                             "severity": diag.severity.label, "help": diag.help}})],
            "dependent_outputs": [], "class_type": diag.class_type}
