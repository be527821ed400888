"""A fast yes/no check of a document against a shipped JSON Schema, compiled from the schema itself.

jsonschema costs ~20 ms on a 30-node UI workflow and ~4 ms on a 40-node API one (and ~60 ms more
to import). The shipped schemas use a small set of keywords, so `compile_schema` turns one into nested Python
closures that only answer "valid?" in well under a millisecond. The schema file stays the single
source of truth: nothing here restates it, and a schema using a keyword outside the supported
set raises `Unsupported`, so callers fall back to jsonschema. Callers run jsonschema only to
explain a document this check rejects; tests/test_ui_schema_check.py asserts (hypothesis) that
both agree on random and mutated documents.

Semantics follow jsonschema's draft 2020-12 validator: `integer` accepts integral floats, booleans
are neither integers nor numbers, `const` tells `true` from `1`, and keywords ignore instances of
other types (`minimum` only judges numbers, `required` only objects). Types are matched by exact
class (what `json.loads` makes): a subclass is not "plainly valid" and goes to jsonschema.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

Check = Callable[[Any], bool]
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$defs", "$comment"})


class Unsupported(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


PYTHON_TYPES = {"object": (dict,), "array": (list,), "string": (str,), "null": (type(None),),
                "boolean": (bool,), "number": (int, float), "integer": (int,)}


def _type_check(names: list[str]) -> Check:
    """Exact classes (what json.loads makes); anything else is left to jsonschema to judge."""
    if not all(name in PYTHON_TYPES for name in names):
        raise Unsupported(f"type {names!r}")
    accepted = frozenset(cls for name in names for cls in PYTHON_TYPES[name])
    integral_floats = "integer" in names and "number" not in names

    def check(v: Any) -> bool:
        cls = type(v)
        return cls in accepted or (integral_floats and cls is float and v.is_integer())
    return check


def _same(a: Any, b: Any) -> bool:
    """jsonschema's equality: booleans never equal numbers; containers compare element-wise."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def compile_schema(schema: dict) -> Check:
    """The whole document's check; raises Unsupported for keywords it cannot mirror exactly."""
    definitions = schema.get("$defs", {})
    compiled: dict[str, Check] = {}
    building: set[str] = set()

    def ref(target: str) -> Check:
        name = target[8:] if target.startswith("#/$defs/") else None
        if name is None or name not in definitions or name in building:  # elsewhere, or recursive
            raise Unsupported(f"$ref {target!r}")
        if name not in compiled:
            building.add(name)
            compiled[name] = build(definitions[name])
            building.discard(name)
        return compiled[name]

    def build(node: Any) -> Check:
        if not isinstance(node, dict):
            raise Unsupported(f"schema node {node!r}")
        checks: list[Check] = []
        for key, value in node.items():
            if key in ANNOTATIONS:
                continue
            checks.append(keyword(key, value, node))
        if not checks:
            return lambda v: True
        if len(checks) == 1:
            return checks[0]

        def every(v: Any) -> bool:
            for check in checks:
                if not check(v):
                    return False
            return True
        return every

    def keyword(key: str, value: Any, node: dict) -> Check:
        if key == "$ref":
            return ref(value)
        if key == "type":
            return _type_check(value if isinstance(value, list) else [value])
        if key == "const":
            return lambda v: _same(v, value)
        if key == "required":
            names = tuple(value)
            return lambda v: not isinstance(v, dict) or all(n in v for n in names)
        if key == "properties":
            props = {name: build(sub) for name, sub in value.items()}

            def properties(v: Any) -> bool:
                if isinstance(v, dict):
                    for name, item in v.items():
                        check = props.get(name)
                        if check is not None and not check(item):
                            return False
                return True
            return properties
        if key == "items":
            start = len(node.get("prefixItems", ()))
            each = build(value)

            def items(v: Any) -> bool:
                if isinstance(v, list):
                    for item in (v[start:] if start else v):
                        if not each(item):
                            return False
                return True
            return items
        if key == "prefixItems":
            firsts = [build(sub) for sub in value]
            return lambda v: not isinstance(v, list) or all(
                check(x) for check, x in zip(firsts, v))
        if key == "additionalProperties":
            known = frozenset(node.get("properties", ()))
            if node.get("patternProperties"):
                raise Unsupported("additionalProperties beside patternProperties")
            if value is False:
                return lambda v: not isinstance(v, dict) or all(k in known for k in v)
            extra = build(value) if value is not True else None
            if extra is None:
                return lambda v: True

            def additional(v: Any) -> bool:
                if isinstance(v, dict):
                    for name, item in v.items():
                        if name not in known and not extra(item):
                            return False
                return True
            return additional
        if key == "minLength":
            # jsonschema counts code points, as len() does.
            return lambda v: not isinstance(v, str) or len(v) >= value
        if key == "if":
            condition = build(value)
            then = build(node["then"]) if "then" in node else None
            otherwise = build(node["else"]) if "else" in node else None

            def conditional(v: Any) -> bool:
                branch = then if condition(v) else otherwise
                return branch is None or branch(v)
            return conditional
        if key in ("then", "else"):
            return lambda v: True  # applied by "if"
        if key == "minItems":
            return lambda v: not isinstance(v, list) or len(v) >= value
        if key == "maxItems":
            return lambda v: not isinstance(v, list) or len(v) <= value
        if key == "minimum":
            return lambda v: not _is_number(v) or not v < value
        if key == "maximum":
            return lambda v: not _is_number(v) or not v > value
        if key == "oneOf":
            options = [build(sub) for sub in value]
            return lambda v: sum(1 for option in options if option(v)) == 1
        if key == "anyOf":
            options = [build(sub) for sub in value]
            return lambda v: any(option(v) for option in options)
        raise Unsupported(f"keyword {key!r}")

    return build(schema)


@lru_cache(maxsize=None)
def shipped_check(name: str) -> Check | None:
    """The compiled check of a schema in schemas/, or None when it needs the full validator."""
    from .resources import schema

    try:
        return compile_schema(schema(name))
    except Unsupported:
        return None


def plainly_valid(document: Any, name: str) -> bool:
    """True when `document` certainly satisfies schemas/<name>; False means: ask jsonschema."""
    check = shipped_check(name)
    return check is not None and check(document)
