"""ComfyUI's answer to POST /prompt, worded from comfylint's findings (comfylint/answer).

The recorded cases (tests/fixtures/prompt_cases, as in test_conformance.py) are the ground truth:
for each, the status and the body we compute equal the server's, up to what the catalog cannot
hold (input tooltips: free text) and what the server makes up (tracebacks of its own files; for a
200, the prompt_id and number it assigns). Where ComfyUI's order comes from a Python set
(`dependent_outputs`, the errors of one node: PYTHONHASHSEED decides it, cases 09 and 34) lists
are compared as sorted.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import comfylint
from comfylint.answer import dialect_for

FIXTURES = Path(__file__).parent / "fixtures"
CASES_DIR = FIXTURES / "prompt_cases"


def _cases() -> list[str]:
    return sorted(p.name[: -len(".response.json")] for p in CASES_DIR.glob("*.response.json"))


@pytest.fixture(scope="module")
def validator_0364() -> comfylint.Validator:
    catalog = comfylint.load_catalog(object_info=CASES_DIR / "object_info.json",
                                     comfyui_version="0.3.64")
    return comfylint.Validator(catalog)


def _request(case: str) -> bytes:
    folder = CASES_DIR
    found = [folder / f"{case}{s}" for s in (".request.json", ".request.txt")]
    return next(p for p in found if p.exists()).read_bytes()


def comparable(value):
    """Drop what the catalog cannot hold or the server makes up; sort set-ordered lists."""
    if isinstance(value, dict):
        out = {k: comparable(v) for k, v in value.items() if k not in ("tooltip", "traceback")}
        if isinstance(out.get("errors"), list):
            out["errors"] = sorted(out["errors"], key=json.dumps)
        if isinstance(out.get("dependent_outputs"), list):
            out["dependent_outputs"] = sorted(out["dependent_outputs"])
        return out
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def test_every_recorded_case_is_here():
    assert len(_cases()) == 71


@pytest.mark.parametrize("case", _cases())
def test_recorded_answer_is_reproduced(case, validator_0364):
    recorded = json.loads((CASES_DIR / f"{case}.response.json").read_text())
    verdict = validator_0364.validate(_request(case), envelope="comfyui-prompt", path=case)
    assert verdict.server.status == recorded["status"]
    if recorded["status"] == 500:
        assert verdict.server.body.startswith("500 Internal Server Error")
        return
    expected = recorded["body"]
    if recorded["status"] == 200:
        expected = {"node_errors": expected["node_errors"]}
    assert comparable(verdict.server.body) == comparable(expected)


def test_rejection_is_the_server_answer_when_it_rejects(validator_0364):
    """The gate answers a prompt the server rejects with the server's own 400 body."""
    verdict = validator_0364.validate(_request("21_value_below_min"), envelope="comfyui-prompt")
    assert not verdict.ok and verdict.server.status == 400
    assert verdict.response == verdict.server.body


def test_a_dropped_output_becomes_a_rejection(validator_0364):
    """Case 61: the server answers 200 and silently skips output 11; the gate refuses it in
    ComfyUI's shape, holding the server's node errors and comfylint's reason (G106)."""
    verdict = validator_0364.validate(_request("61_two_outputs_one_invalid_accepted"),
                                      envelope="comfyui-prompt")
    assert verdict.server.status == 200 and verdict.server.node_errors
    assert not verdict.ok
    response = verdict.response
    assert response["error"]["type"] == "prompt_outputs_failed_validation"
    assert response["node_errors"]["10"] == verdict.server.node_errors["10"]
    dropped = response["node_errors"]["11"]["errors"][0]
    assert dropped["type"] == "output-dropped" and dropped["extra_info"]["comfylint"]["code"] == "G106"


def test_a_comfylint_only_error_is_carried_in_the_server_shape(validator_0364):
    """Case 69: the server accepts a literal for an IMAGE input (it fails at run time); T307
    blocks it, and the rejection names the node and input as ComfyUI's node_errors would."""
    verdict = validator_0364.validate(_request("69_literal_value_for_socket_type_input_accepted"),
                                      envelope="comfyui-prompt")
    assert verdict.server.status == 200 and not verdict.ok
    [entry] = verdict.response["node_errors"]["9"]["errors"]
    assert entry["details"] == "images" and entry["extra_info"]["input_name"] == "images"
    assert verdict.response["node_errors"]["9"]["class_type"] == "SaveImage"


def test_newer_servers_word_an_unknown_node_as_missing_node_type():
    """ComfyUI >= 0.26 (reference §12): missing_node_type, with id, class and title."""
    catalog = comfylint.load_catalog(object_info=FIXTURES / "object_info.small.json",
                                     comfyui_version="0.26.0")
    assert dialect_for(catalog).missing_node_type and dialect_for(catalog).cycle_errors_per_node
    prompt = {"1": {"class_type": "NoSuchNode", "inputs": {}, "_meta": {"title": "Mine"}}}
    verdict = comfylint.validate({"prompt": prompt}, catalog)
    assert verdict.server.status == 400
    assert verdict.server.error == {
        "type": "missing_node_type",
        "message": "Node 'Mine' not found. The custom node may not be installed.",
        "details": "Node ID '#1'",
        "extra_info": {"node_id": "1", "class_type": "NoSuchNode", "node_title": "Mine"}}
    old = comfylint.load_catalog(object_info=FIXTURES / "object_info.small.json",
                                 comfyui_version="0.3.64")
    assert not dialect_for(old).missing_node_type and not dialect_for(old).checks_v3_combo_values
    assert comfylint.validate({"prompt": prompt}, old).server.error["type"] == "invalid_prompt"


def test_allowed_unknown_nodes_pass_the_class_check():
    """allow_unknown_nodes says the server has them: no unknown-node rejection."""
    catalog = comfylint.load_catalog(object_info=FIXTURES / "object_info.small.json")
    prompt = {"1": {"class_type": "MyPackSave", "inputs": {}},
              "2": {"class_type": "SaveImage", "inputs": {"images": ["3", 0],
                                                           "filename_prefix": "x"}},
              "3": {"class_type": "LoadImage", "inputs": {"image": "cat.png"}}}
    strict = comfylint.validate({"prompt": prompt}, catalog)
    assert strict.server.error["type"] == "missing_node_type"
    allowed = comfylint.validate({"prompt": prompt}, catalog, allow_unknown_nodes=["MyPack*"])
    assert allowed.server.status == 200, allowed.server.body


def test_newer_servers_refuse_a_prompt_id_that_is_not_a_canonical_uuid():
    """ComfyUI >= 0.26 (reference §12) checks prompt_id before validating: 400 invalid_prompt_id."""
    catalog = comfylint.load_catalog(object_info=FIXTURES / "object_info.small.json",
                                     comfyui_version="0.26.0")
    prompt = {"1": {"class_type": "LoadImage", "inputs": {"image": "cat.png"}},
              "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}
    body = {"prompt": prompt, "prompt_id": "my-job-1"}
    verdict = comfylint.validate(body, catalog, envelope="comfyui-prompt")
    assert verdict.server.status == 400 and verdict.server.error["type"] == "invalid_prompt_id"
    old = comfylint.load_catalog(object_info=FIXTURES / "object_info.small.json",
                                 comfyui_version="0.3.64")
    assert comfylint.validate(body, old, envelope="comfyui-prompt").server.status == 200
