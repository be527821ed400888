"""schemas/api-workflow.schema.json is the run-time contract for structure.

The compiled check must agree with jsonschema, and the structural rules must speak exactly when
the schema is broken: a schema-valid graph gets none of them, a schema-invalid one gets at least
one (unless only `_meta`, which the server ignores, is off).
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from comfylint import Catalog, lint
from comfylint.graph import WorkflowGraph
from comfylint.resources import validator
from comfylint.schema_check import plainly_valid, shipped_check

FOX = json.loads((Path(__file__).parent / "fixtures" / "fox.api.json").read_text())
SCHEMA = "api-workflow.schema.json"
BUNDLED = Catalog.stock()
STRUCTURAL = {"N202", "N203", "G103"}
GATED = {"N202", "N203"}  # silent whenever the schema holds
# A link to a missing node is explained by dangling-link whatever its slot holds: the server
# looks the node up before it reads the slot, so that is the root cause it reports. A null or
# numeric class_type is looked up as a node name ("node None does not exist"): unknown-node-type.
EXPLAINERS = STRUCTURAL | {"G101", "N201"}
SETTINGS = settings(max_examples=150)  # on conftest's profile

values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 40) | st.floats(allow_nan=False)
    | st.sampled_from(["1", "2", "3", "", "KSampler", "x"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["class_type", "inputs", "_meta", "title", "seed", "a"]), children,
        max_size=3),
    max_leaves=8)
edit = st.tuples(st.sampled_from(sorted(FOX)),
                 st.sampled_from(["class_type", "inputs", "_meta", "node", "input"]), values)


def mutated(edits) -> dict:
    workflow = copy.deepcopy(FOX)
    for node_id, where, value in edits:
        node = workflow[node_id]
        if where == "node":
            workflow[node_id] = value
        elif where == "input" and isinstance(node, dict) and isinstance(node.get("inputs"), dict):
            name = sorted(node["inputs"])[0] if node["inputs"] else "a"
            node["inputs"][name] = value
        elif isinstance(node, dict):
            node[where] = value
    return workflow


def test_the_api_schema_compiles_to_a_fast_check():
    assert shipped_check(SCHEMA) is not None
    assert plainly_valid(FOX, SCHEMA)


@SETTINGS
@given(st.lists(edit, min_size=1, max_size=3))
def test_compiled_check_agrees_with_jsonschema(edits):
    workflow = mutated(edits)
    valid = validator(SCHEMA).is_valid(workflow)
    assert plainly_valid(workflow, SCHEMA) == valid
    # The graph decides it while it builds (no second walk over the workflow).
    assert WorkflowGraph(workflow, BUNDLED).well_formed == valid


@SETTINGS
@given(st.lists(edit, min_size=1, max_size=3))
def test_structural_rules_speak_exactly_when_the_schema_is_broken(edits):
    workflow = mutated(edits)
    codes = {d.code for d in lint(workflow)}
    if validator(SCHEMA).is_valid(workflow):
        assert not codes & GATED
        # JSON Schema's integer admits 2.0; Python cannot index with it, so the server fails.
        assert "G103" not in codes or any(isinstance(v, list) and len(v) == 2
                                          and isinstance(v[1], float) for v in _inputs(workflow))
        return
    only_meta = all(error.absolute_path and len(error.absolute_path) >= 2
                    and error.absolute_path[1] == "_meta"
                    for error in validator(SCHEMA).iter_errors(workflow))
    assert codes & EXPLAINERS or only_meta


def _inputs(workflow: dict):
    for node in workflow.values():
        if isinstance(node, dict) and isinstance(node.get("inputs"), dict):
            yield from node["inputs"].values()
