"""comfylint's verdict against the real ComfyUI v0.3.64 server, case by case.

The cases are tests/fixtures/prompt_cases/: captured POST /prompt requests and the server's exact
answers (see its README). The catalog is that capture's own `/object_info` (`object_info.json`
there), so model lists are the captured server's real state. Always run: this is the product's
central claim.

What "agree" means, per case:
- the server rejected it (400/500) or accepted it with non-empty node_errors
  <=> comfylint reports at least one error;
- the node ids of node_errors == the node ids of our errors whose server_error_type is node-level
  (unless the server stopped before validating nodes: a 500, or a whole-prompt error type);
- every error type the server gives a node is among our server_error_types for that node;
- the server's top-level error type (invalid_prompt, prompt_no_outputs, no_prompt) is among
  ours, named exactly as 0.3.64 names it (the catalog is read as that release: its verdicts, its
  error types, e.g. invalid_prompt where newer servers say missing_node_type, and a cycle's
  prompt_outputs_failed_validation without node errors);
- a 500 answer (the server crashed on the body) gets an error finding, and linting never raises.

Deliberate divergences are listed in DIVERGENCES with the reason; everything else must agree.
Where comfylint reports an error the server accepts, the finding claims no server error type.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from comfylint import Catalog, lint
from comfylint.diagnostics import Severity
from comfylint.load import load_bytes
from comfylint.engine import Options, lint_document

CASES_DIR = Path(__file__).resolve().parent / "fixtures" / "prompt_cases"

# Server error types reported per node (in node_errors) rather than for the whole prompt.
NODE_LEVEL_TYPES = {
    "required_input_missing", "bad_linked_input", "return_type_mismatch",
    "exception_during_inner_validation", "exception_during_validation", "invalid_input_type",
    "value_smaller_than_min", "value_bigger_than_max", "value_not_in_list",
    "custom_validation_failed", "dependency_cycle",
}
# Whole-prompt types that stop the server before it validates any node.
TOP_LEVEL_TYPES = {"invalid_prompt", "prompt_no_outputs", "no_prompt"}

# case name -> why comfylint deliberately answers differently from ComfyUI 0.3.64.
DIVERGENCES = {
    # v3 COMBO values are not checked by 0.3.64 (accepted, KeyError when the node runs): T306
    # reports it as an error (no server error type) because the run cannot succeed.
    "63_v3_combo_value_not_checked": "error where 0.3.64 accepts",
    # A literal "hello" for an IMAGE input is accepted and fails at run time (AttributeError):
    # T307 reports it as an error because the run cannot succeed.
    "69_literal_value_for_socket_type_input_accepted": "error where 0.3.64 accepts",
}
# Divergences whose direction is "we report an error the server did not": for those only the
# top-level rejection may differ, and node-id equality is replaced by "the server's nodes are a
# subset of ours".
EXTRA_ERROR_CASES = {"63_v3_combo_value_not_checked",
                     "69_literal_value_for_socket_type_input_accepted"}


def _cases() -> list[str]:
    return sorted(p.name[: -len(".response.json")] for p in CASES_DIR.glob("*.response.json"))


@pytest.fixture(scope="module")
def server_catalog() -> Catalog:
    catalog = Catalog.from_object_info(CASES_DIR / "object_info.json")
    assert catalog.release.version == "0.3.64"  # a versionless capture, read as what it is
    return catalog


def _request_bytes(case: str) -> bytes:
    folder = CASES_DIR
    for suffix in (".request.json", ".request.txt"):
        if (folder / f"{case}{suffix}").exists():
            return (folder / f"{case}{suffix}").read_bytes()
    raise FileNotFoundError(case)


def _lint_case(case: str, catalog: Catalog):
    loaded = load_bytes(_request_bytes(case), f"{case}.request", envelope="comfyui-prompt")
    return lint_document(loaded, catalog, Options(envelope="comfyui-prompt")
                       ).diagnostics


def _verdict(case: str, catalog: Catalog) -> list[str]:
    """The disagreements between comfylint and the server on one case (empty: agreement)."""
    response = json.loads((CASES_DIR / f"{case}.response.json").read_text())
    status, body = response["status"], response["body"]
    findings = _lint_case(case, catalog)
    errors = [d for d in findings if d.severity == Severity.ERROR]
    problems: list[str] = []
    node_errors = body.get("node_errors", {}) if isinstance(body, dict) else {}
    server_rejects = status != 200 or bool(node_errors)
    if server_rejects != bool(errors) and case not in EXTRA_ERROR_CASES:
        problems.append(f"server rejects={server_rejects} but comfylint errors={bool(errors)}")
    ours: dict[str, set[str]] = {}
    for diag in errors:
        if diag.server_error_type in NODE_LEVEL_TYPES and diag.node_id is not None:
            ours.setdefault(diag.node_id, set()).add(diag.server_error_type)
    top = body.get("error") if isinstance(body, dict) else None
    top_type = top.get("type") if isinstance(top, dict) else None
    # A whole-prompt rejection (bad body, unknown node type, no outputs) or a crash stops the
    # server before any node is validated: node_errors is empty whatever the nodes hold.
    stopped_early = status == 500 or top_type in TOP_LEVEL_TYPES
    theirs = {node_id: {e["type"] for e in entry["errors"]} for node_id, entry in node_errors.items()}
    if case in EXTRA_ERROR_CASES:
        if not errors:
            problems.append("a documented divergence: comfylint should report an error here")
        if not set(theirs) <= set(ours):
            problems.append(f"server nodes {sorted(theirs)} not within ours {sorted(ours)}")
        claimed = [d.code for d in errors if d.node_id not in theirs and d.server_error_type]
        if claimed:
            problems.append(f"{claimed} claim a server error type the server never gave")
    elif stopped_early:
        pass  # the server never validated nodes; our node findings are extra information
    elif set(theirs) != set(ours):
        problems.append(f"node ids: server {sorted(theirs)} vs comfylint {sorted(ours)}")
    for node_id, types in theirs.items():
        missing = types - ours.get(node_id, set())
        if missing:
            problems.append(f"node {node_id}: server types {sorted(missing)} not among ours "
                            f"{sorted(ours.get(node_id, set()))}")
    if top_type in TOP_LEVEL_TYPES:
        ours_all = {d.server_error_type for d in errors}
        if top_type not in ours_all:
            problems.append(f"top-level {top_type} not among ours {sorted(filter(None, ours_all))}")
    crashes = [d.message for d in findings if d.code == "C002"]
    if crashes:
        problems.append(f"a rule crashed: {crashes}")
    if status == 500 and not errors:
        problems.append("the server crashed on this body but comfylint found no error")
    return problems


@pytest.mark.parametrize("case", _cases())
def test_case_agrees_with_server(case, server_catalog):
    assert _verdict(case, server_catalog) == []


def test_agreement_count(server_catalog, record_property, capsys):
    """Every case agrees; the count is printed and recorded for the CI log."""
    cases = _cases()
    assert len(cases) >= 71
    agreeing = [c for c in cases if not _verdict(c, server_catalog)]
    record_property("conformance_agreement", f"{len(agreeing)}/{len(cases)}")
    with capsys.disabled():
        print(f"\nconformance: {len(agreeing)}/{len(cases)} cases agree with ComfyUI 0.3.64 "
              f"({len(DIVERGENCES)} documented divergences)")
    assert len(agreeing) == len(cases)


def test_python_api_matches_the_file_path(server_catalog):
    """lint() on a parsed body finds what the bytes path finds (cases 00 and 61)."""
    for case in ("00_valid_txt2img", "61_two_outputs_one_invalid_accepted"):
        body = json.loads(_request_bytes(case))
        via_api = lint(body, server_catalog, envelope="comfyui-prompt", path=f"{case}.request")
        assert sorted(map(_identity, via_api)) == sorted(map(_identity, _lint_case(
            case, server_catalog)))


def _identity(diag) -> tuple:
    """A finding without its line/column (a parsed dict has no text to locate them in)."""
    return (diag.code, diag.severity, diag.node_id, diag.input, diag.server_error_type,
            diag.message)
