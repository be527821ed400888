"""Verdicts that follow the server version: what newer ComfyUI answers where 0.3.64 differs.

Each test is written from the reference's §12 (newer upstream sources, read, not run: no recorded
answer exists for these) and checks both sides: the bundled v0.26.0 catalog answers the newer way,
the bundled v0.3.64 catalog (or a server catalog said to be 0.3.64) the way the recorded cases
show (tests/test_conformance.py). Nodes that no bundled release has are declared here, in the
/object_info shape.
"""
from __future__ import annotations

import functools

import pytest

import comfylint
from comfylint import Catalog
from comfylint.diagnostics import Severity

NEW, OLD = Catalog.stock("0.26.0"), Catalog.stock("0.3.64")
PREVIEW = {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}
EMPTY_IMAGE = {"class_type": "EmptyImage",
               "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}


def lint(workflow: dict, catalog: Catalog) -> list:
    return comfylint.lint(workflow, catalog)


def only(found: list, code: str):
    [diag] = [d for d in found if d.code == code]
    return diag


@functools.cache
def stock_definitions(version: str) -> dict:
    """The bundled release's node definitions, copied once per version for every server below
    (a catalog reads the definitions it is given, never changes them)."""
    return Catalog.stock(version).definitions()


def server(nodes: dict, version: str) -> Catalog:
    """A server catalog: the bundled release's nodes plus `nodes`, said to be `version`."""
    return Catalog.from_object_info({**stock_definitions(version), **nodes}, comfyui_version=version)


def node(inputs: dict, outputs: list, *, output_node: bool = False) -> dict:
    return {"input": {"required": inputs}, "output": outputs, "output_is_list": [False] * len(outputs),
            "output_name": outputs, "name": "X", "display_name": "X", "category": "test",
            "python_module": "custom_nodes.test", "output_node": output_node}


# -- §12: missing_node_type replaces invalid_prompt -------------------------------------------------
def test_ref12_an_unknown_node_is_missing_node_type_on_newer_servers():
    workflow = {"1": EMPTY_IMAGE, "2": PREVIEW, "3": {"class_type": "NoSuchNode", "inputs": {}}}
    assert only(lint(workflow, NEW), "N201").server_error_type == "missing_node_type"
    assert only(lint(workflow, OLD), "N201").server_error_type == "invalid_prompt"  # cases 01, 03


def test_ref12_a_node_without_class_type_is_missing_node_type_on_newer_servers():
    workflow = {"1": EMPTY_IMAGE, "2": PREVIEW, "3": {"inputs": {}}}
    assert only(lint(workflow, NEW), "N202").server_error_type == "missing_node_type"
    assert only(lint(workflow, OLD), "N202").server_error_type == "invalid_prompt"  # case 02


# -- §12: dependency_cycle on each node of a cycle ------------------------------------------------
def cycle() -> dict:
    return {"1": EMPTY_IMAGE,
            "2": {"class_type": "PreviewImage", "inputs": {"images": ["4", 0]}},
            "3": {"class_type": "ImageBlend", "inputs": {"image1": ["1", 0], "image2": ["4", 0],
                                                         "blend_factor": 0.5, "blend_mode": "normal"}},
            "4": {"class_type": "ImageInvert", "inputs": {"image": ["3", 0]}}}


def test_ref12_a_cycle_is_dependency_cycle_on_every_node_of_it():
    found = [d for d in lint(cycle(), NEW) if d.code == "G104"]
    assert sorted(d.node_id for d in found) == ["3", "4"]
    assert {d.server_error_type for d in found} == {"dependency_cycle"}
    assert {d.input for d in found} == {"image2", "image"}  # the link into each node of the loop
    assert all(d.severity == Severity.ERROR for d in found)


def test_a_cycle_on_0_3_64_is_one_finding_without_a_node_error_type():
    [diag] = [d for d in lint(cycle(), OLD) if d.code == "G104"]  # cases 38, 39
    assert diag.server_error_type == "prompt_outputs_failed_validation"


# -- §12: v3 COMBO values checked, multiselect element-wise -----------------------------------------
def align(model_type) -> dict:
    return {"1": {"class_type": "AlignYourStepsScheduler",
                  "inputs": {"model_type": model_type, "steps": 10, "denoise": 1.0}},
            "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}


def test_ref12_a_v3_combo_value_is_value_not_in_list_on_newer_servers():
    diag = only(lint(align("SD9"), server({}, "0.26.0")), "T306")
    assert diag.severity == Severity.ERROR and diag.server_error_type == "value_not_in_list"
    assert "does not check" not in diag.message
    old = only(lint(align("SD9"), server({}, "0.3.64")), "T306")  # case 63: accepted
    assert old.severity == Severity.ERROR and old.server_error_type is None
    assert "ComfyUI 0.3.64 does not check this kind of input" in old.message


TAGS = node({"tags": ["COMBO", {"options": ["red", "green", "blue"], "multiselect": True}]},
            ["STRING"])


@pytest.mark.parametrize("version, error_type", [("0.26.0", "value_not_in_list"), ("0.3.64", None)])
def test_ref12_a_multiselect_combo_is_checked_element_by_element(version, error_type):
    catalog = server({"Tags": TAGS}, version)
    workflow = {"1": {"class_type": "Tags", "inputs": {"tags": {"__value__": ["red", "pink"]}}},
                "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    diag = only(lint(workflow, catalog), "T306")
    assert "'pink'" in diag.message and "'red'" not in diag.message
    assert diag.server_error_type == error_type
    workflow["1"]["inputs"]["tags"] = {"__value__": ["red", "blue"]}
    assert [d.code for d in lint(workflow, catalog)] == []


# -- §12: validate_node_input: `*` anywhere, MatchType, a list into COMBO ------------------------------
def linked(class_type: str) -> dict:
    """Node "Source" output 0 linked into `class_type`'s input "value"."""
    return {"1": {"class_type": "Source", "inputs": {}},
            "2": {"class_type": class_type, "inputs": {"value": ["1", 0]}}}


SOURCE_IMAGE = node({}, ["IMAGE"])
SINK = {"input": {"required": {"value": ["MASK,*"]}}, "output": [], "output_node": True,
        "python_module": "custom_nodes.test"}


def test_ref12_a_star_inside_a_union_is_a_wildcard_on_newer_servers():
    workflow = linked("Sink")
    assert "T302" not in [d.code for d in lint(workflow, server(
        {"Source": SOURCE_IMAGE, "Sink": SINK}, "0.26.0"))]
    diag = only(lint(workflow, server({"Source": SOURCE_IMAGE, "Sink": SINK}, "0.3.64")), "T302")
    assert diag.server_error_type == "return_type_mismatch"


MATCH_SINK = {"input": {"required": {"value": ["COMFY_MATCHTYPE_V3", {
    "template": {"template_id": "t", "allowed_types": "MASK"}}]}},
    "output": [], "output_node": True, "python_module": "custom_nodes.test"}
CHOICES = {"input": {"required": {}}, "output": [["a", "b"]], "python_module": "custom_nodes.test"}
COMBO_SINK = {"input": {"required": {"value": ["COMBO", {"options": ["a", "b"]}]}},
              "output": [], "output_node": True, "python_module": "custom_nodes.test"}


@pytest.mark.parametrize("source, sink", [
    (SOURCE_IMAGE, MATCH_SINK),  # a MatchType link always passes (0.3.64: a literal type name)
    (CHOICES, COMBO_SINK),  # a list-typed output (a node's choices) may feed a v3 COMBO
], ids=["match-type", "list-into-combo"])
def test_ref12_links_newer_servers_let_through(source, sink):
    workflow = linked("Sink")
    nodes = {"Source": source, "Sink": sink}
    assert "T302" not in [d.code for d in lint(workflow, server(nodes, "0.26.0"))]
    assert only(lint(workflow, server(nodes, "0.3.64")), "T302")


# -- §12: nonNavigable links are not followed ----------------------------------------------------------
def test_ref12_the_server_does_not_validate_through_a_non_navigable_link():
    nodes = {"Gate": {"input": {"required": {"image": ["IMAGE", {"nonNavigable": True}]}},
                      "output": [], "output_node": True, "python_module": "custom_nodes.test"}}
    workflow = {"1": dict(EMPTY_IMAGE, inputs=dict(EMPTY_IMAGE["inputs"], width=0)),
                "2": {"class_type": "Gate", "inputs": {"image": ["1", 0]}}}
    new = only(lint(workflow, server(nodes, "0.26.0")), "T304")
    assert new.severity == Severity.WARNING and "nonNavigable" in new.message
    assert only(lint(workflow, server(nodes, "0.3.64")), "T304").severity == Severity.ERROR


# -- §12: a client prompt_id must be a canonical lowercase UUID -------------------------------------------
@pytest.mark.parametrize("prompt_id", ["job-42", "3F2B6A4E-9C1D-4E8F-A0B2-7D5C1E9F0A34", 7])
def test_ref12_a_prompt_id_that_is_not_a_canonical_uuid_is_refused(prompt_id):
    body = {"prompt": {"1": EMPTY_IMAGE, "2": PREVIEW}, "prompt_id": prompt_id}
    diag = only(lint(body, NEW), "F006")
    assert diag.severity == Severity.ERROR and diag.server_error_type == "invalid_prompt_id"
    assert lint(body, OLD) == []  # case 66: 0.3.64 echoes any id back


@pytest.mark.parametrize("prompt_id", ["3f2b6a4e-9c1d-4e8f-a0b2-7d5c1e9f0a34", None])
def test_a_canonical_or_null_prompt_id_is_fine(prompt_id):
    body = {"prompt": {"1": EMPTY_IMAGE, "2": PREVIEW}, "prompt_id": prompt_id}
    assert lint(body, NEW) == []
