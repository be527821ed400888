"""The compiled schema check accepts exactly what jsonschema accepts (U001 relies on it)."""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comfylint.resources import validator
from comfylint.schema_check import Unsupported, compile_schema, plainly_valid, shipped_check
from conftest import ROOT

SCHEMAS = ("ui-workflow-0.4.schema.json", "ui-workflow-1.schema.json")
BASE = json.loads((ROOT / "tests/fixtures/ui/txt2img.json").read_text())
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from([1.0, 0.5, -1.5, 4.0]),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3),
                    st.sampled_from(["0", "1", "-10", "IMAGE", "id", "name"]))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=7), st.dictionaries(st.sampled_from(
        ["0", "1", "id", "name", "type", "link", "links", "nodes", "version", "title", "bounding",
         "origin_id", "target_id", "origin_slot", "target_slot", "mode", "widget", "inputs"]),
        inner, max_size=6)), max_leaves=12)


def _v1(document: dict) -> dict:
    """The fixture with object links and a subgraph definition (what version 1 files hold)."""
    doc = copy.deepcopy(document)
    doc["version"] = 1
    doc["links"] = [dict(zip(("id", "origin_id", "origin_slot", "target_id", "target_slot", "type"), link))
                    for link in doc["links"]]
    doc["definitions"] = {"subgraphs": [{"id": "sg", "name": "inner", "version": 1, "nodes": copy.deepcopy(
        doc["nodes"][:2]), "links": [], "inputs": [{"id": "a", "name": "x", "type": "INT"}]}]}
    return doc


BASES = [BASE, _v1(BASE)]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, path + (index,))


def _similar(value):
    """A value of the same JSON kind (or a near miss: an integral float, a bool for a number)."""
    if isinstance(value, bool) or value is None:
        return SCALARS
    if isinstance(value, (int, float)):
        return st.one_of(st.integers(-3, 10**12), st.sampled_from([2.0, 0.5, float("nan"), True]))
    if isinstance(value, str):
        return st.text(max_size=4)
    if isinstance(value, list):
        return st.just(value[:-1]) if value else st.just([])
    return st.just({k: v for k, v in value.items() if k != next(iter(value), None)})


@st.composite
def mutated_documents(draw):
    """A real workflow with a few values replaced, keys removed or items appended anywhere."""
    doc = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "similar", "remove", "append"]))
        if action == "replace":
            parent[path[-1]] = draw(JSON)
        elif action == "similar":  # mostly keeps the document valid: probes the boundaries
            parent[path[-1]] = draw(_similar(parent[path[-1]]))
        elif action == "remove" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, list):
            parent.append(draw(JSON))
    return doc


def _agree(document) -> None:
    for name in SCHEMAS:
        assert plainly_valid(document, name) == validator(name).is_valid(document), name


def test_shipped_ui_schemas_compile():
    assert all(shipped_check(name) is not None for name in SCHEMAS)


def test_real_documents_are_valid_for_both():
    for document in BASES:
        _agree(document)
    assert plainly_valid(BASE, SCHEMAS[0]) and plainly_valid(BASES[1], SCHEMAS[1])


# Every branch of the compiled checks (comfylint/schema_check.py) is taken by 40 examples of each
# test below, as by 200 and 150 (coverage.py, 20 to 100 % of those): 80 and 60, twice that.
@settings(max_examples=80)
@given(mutated_documents())
def test_fast_check_accepts_exactly_what_jsonschema_accepts_on_mutated_workflows(document):
    _agree(document)


@settings(max_examples=60)
@given(JSON)
def test_fast_check_accepts_exactly_what_jsonschema_accepts_on_random_json(document):
    _agree(document)


@pytest.mark.parametrize("schema", [{"pattern": "x"}, {"$ref": "http://elsewhere"},
                                    {"type": "decimal"}, {"items": [{"type": "string"}]}])
def test_keywords_it_cannot_mirror_are_refused_so_jsonschema_decides(schema):
    with pytest.raises(Unsupported):
        compile_schema(schema)
