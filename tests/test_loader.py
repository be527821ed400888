"""Reading files: JSON errors with positions, duplicate keys, envelopes, discovery, unreadable files."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from ci_support import comfylint
from comfylint import Catalog, lint
from comfylint.diagnostics import Severity
from comfylint.engine import Options, lint_document
from comfylint.project.check import CheckInputs, lint_run
from comfylint.load import load_bytes, load_path

PAIR = {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1,
                                                     "color": 0}},
        "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}
UI = {"last_node_id": 1, "last_link_id": 0, "version": 0.4, "links": [],
      "nodes": [{"id": 1, "type": "EmptyImage", "widgets_values": [64, 64, 1, 0]}]}


def findings_of(data: bytes, **options):
    loaded = load_bytes(data, "wf.json", **options)
    return loaded, lint_document(loaded, Catalog.stock(), Options()).diagnostics


def codes(found) -> list[str]:
    return sorted(d.code for d in found)


# -- JSON -----------------------------------------------------------------------------------------
def test_invalid_json_has_line_and_column():
    text = b'{\n  "1": {"class_type": "EmptyImage",\n        "inputs": {"width": 64,}}\n}\n'
    _, [diag] = findings_of(text)
    assert (diag.code, diag.line, diag.column) == ("F001", 3, 32)
    assert diag.severity == Severity.ERROR and "property name" in diag.message


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary", b"\xc3\x28 not utf-8", b"[" * 50_000])
def test_unparseable_bytes_are_f001(data):
    _, found = findings_of(data)
    assert codes(found) == ["F001"]


@pytest.mark.parametrize("data,kind", [(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "JPEG"),
                                       (b"GIF89a\x01\x00\x01\x00" + bytes(16), "GIF")])
def test_an_image_of_a_format_without_workflows_is_not_a_workflow(data, kind):
    # A JPEG screenshot under a .png name: a picture, not a JSON file that fails to parse.
    loaded, found = findings_of(data)
    assert loaded.format is None and codes(found) == ["F003"] and kind in found[0].message
    assert found[0].severity == Severity.INFO


def test_utf8_bom_is_accepted():
    _, found = findings_of(b"\xef\xbb\xbf" + json.dumps(PAIR).encode())
    assert found == []


def test_duplicate_key_has_pointer_and_line():
    text = (b'{\n  "1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, '
            b'"batch_size": 1, "color": 0}},\n'
            b'  "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}},\n'
            b'  "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}\n}\n')
    _, found = findings_of(text)
    diag = next(d for d in found if d.code == "F002")
    assert (diag.pointer, diag.line, diag.column) == ("/2", 4, 3)
    assert "'2'" in diag.message


# -- envelopes ------------------------------------------------------------------------------------
def test_bare_graph_has_no_envelope():
    loaded, found = findings_of(json.dumps(PAIR).encode())
    assert (loaded.format, loaded.envelope, loaded.base_pointer, found) == ("api", None, "", [])


def test_prompt_body_with_partial_targets():
    body = {"prompt": PAIR, "client_id": "c1", "extra_data": {"extra_pnginfo": {}},
            "partial_execution_targets": ["2"]}
    loaded, found = findings_of(json.dumps(body).encode())
    assert (loaded.envelope, loaded.base_pointer, found) == ("comfyui-prompt", "/prompt", [])
    assert loaded.has_partial_targets and loaded.partial_execution_targets == ["2"]


def test_positions_inside_an_envelope_point_into_the_envelope():
    body = {"prompt": dict(PAIR, **{"1": {"class_type": "EmptyImage", "inputs": {
        "width": 0, "height": 64, "batch_size": 1, "color": 0}}})}
    _, [diag] = findings_of(json.dumps(body, indent=1).encode())
    assert diag.pointer == "/prompt/1/inputs/width" and diag.line == 6


def test_workflow_id_request_with_files_webhook_and_accelerator():
    body = {"workflow_id": "w1", "prompt": PAIR, "webhook": "https://example.com/hook",
            "accelerator": "H100", "files": {"/input/cat.png": "https://example.com/cat.png"}}
    loaded, found = findings_of(json.dumps(body).encode())
    assert (loaded.envelope, found) == ("workflow-id", [])
    assert "/input/cat.png" in loaded.envelope_files


@pytest.mark.parametrize("field,value", [("webhook", "not a url"), ("accelerator", "TPU"),
                                         ("files", ["cat.png"])])
def test_workflow_id_request_with_a_bad_field(field, value):
    body = {"workflow_id": "w1", "prompt": PAIR, field: value}
    _, found = findings_of(json.dumps(body).encode())
    [diag] = found
    assert diag.code == "F005" and diag.pointer.startswith(f"/{field}")


def test_runpod_request_carries_its_images():
    body = {"input": {"workflow": PAIR, "images": [{"name": "cat.png", "image": "data:..."}]}}
    loaded, found = findings_of(json.dumps(body).encode())
    assert (loaded.envelope, loaded.base_pointer, found) == ("runpod", "/input/workflow", [])
    assert "cat.png" in loaded.envelope_files


def test_runpod_request_without_a_workflow_is_malformed():
    _, found = findings_of(json.dumps({"input": {"workflow": "x"}}).encode(), envelope="runpod")
    assert codes(found) == ["F005"]


def test_overrides_are_applied_before_linting():
    body = {"workflow": PAIR, "inputs": {"1": {"width": 0}}}
    loaded, found = findings_of(json.dumps(body).encode())
    assert loaded.envelope == "workflow-inputs"
    assert [(d.code, d.node_id, d.input) for d in found] == [("T304", "1", "width")]
    assert PAIR["1"]["inputs"]["width"] == 64  # the caller's document is not modified


def test_override_of_a_missing_node_or_input_is_reported():
    body = {"workflow": PAIR, "inputs": {"9": {"width": 8}, "1": {"widht": 8}}}
    _, found = findings_of(json.dumps(body).encode())
    assert sorted(d.pointer for d in found if d.code == "F005") == ["/inputs/9"]
    # An undeclared input is judged against the catalog, and points at the override.
    assert [d.pointer for d in found if d.code == "N205"] == ["/inputs/1/widht"]


def test_findings_on_overridden_values_point_at_the_override():
    body = {"workflow": PAIR, "inputs": {"1": {"width": 0}}}
    _, found = findings_of(json.dumps(body).encode())
    assert [(d.code, d.pointer) for d in found] == [("T304", "/inputs/1/width")]


def test_an_editor_workflow_beside_keys_no_request_uses_is_a_saved_document():
    # A pack's saved app file: the editor's workflow, its API export and the app's own settings.
    document = {"workflow": UI, "output": PAIR, "app": {"name": "demo", "version": 1}}
    loaded, found = findings_of(json.dumps(document).encode())
    assert (loaded.format, loaded.envelope, loaded.base_pointer) == ("ui", None, "/workflow")
    assert "F004" not in codes(found)
    # The request form itself still needs the API format the service applies its overrides to.
    loaded, found = findings_of(json.dumps({"workflow": UI, "inputs": {}}).encode())
    assert loaded.envelope == "workflow-inputs" and "F004" in codes(found)


def test_objects_with_a_list_of_inputs_and_no_class_type_are_data_not_nodes():
    # A tool's manifest: modes, each with the command-line inputs it takes.
    document = {"name": "tool", "modes": {"a": {"inputs": ["-i x.png"], "notes": "first"},
                                          "b": {"inputs": [], "notes": "second"}}}
    loaded, found = findings_of(json.dumps(document).encode())
    assert loaded.format is None and codes(found) == ["F003"]
    # An object of inputs is still a node's, with or without its class_type.
    loaded, found = findings_of(json.dumps({"1": {"inputs": {"width": 8}}}).encode())
    assert loaded.format == "api" and "N202" in codes(found)


def test_string_prompt_is_a_text_prompt_not_a_workflow():
    loaded, found = findings_of(json.dumps({"prompt": "a cat", "negative_prompt": "dog"}).encode())
    assert loaded.format is None and codes(found) == ["F003"]
    assert found[0].severity == Severity.INFO


@pytest.mark.parametrize("document", [{"!": 0, "files": 7198, "prompt": 12011, "front": 9},
                                      {"prompt": {"positive": "a cat"}, "steps": 20}])
def test_a_prompt_key_beside_keys_no_envelope_uses_is_data_not_a_request(document):
    loaded, found = findings_of(json.dumps(document).encode())
    assert loaded.format is None and codes(found) == ["F003"]


@pytest.mark.parametrize("document", [{"prompt": 5}, {"prompt": [], "client_id": "c"},
                                      {"prompt": {"positive": "a cat"}, "client_id": "c"}])
def test_a_request_body_whose_prompt_is_no_graph_is_still_judged_as_one(document):
    loaded, found = findings_of(json.dumps(document).encode())
    assert loaded.format == "api" and any(d.severity == Severity.ERROR for d in found)


def test_list_body_is_malformed():
    _, found = findings_of(json.dumps([PAIR]).encode())
    assert codes(found) == ["F005"] and found[0].server_error_type == "no_prompt"


def test_prompt_envelope_forced_on_a_bare_graph_is_no_prompt():
    _, found = findings_of(json.dumps(PAIR).encode(), envelope="comfyui-prompt")
    assert codes(found) == ["F005"]


def test_ui_graph_in_a_prompt_body_is_f004():
    _, found = findings_of(json.dumps({"prompt": UI}).encode())
    assert "F004" in codes(found)


def test_python_api_accepts_non_string_keys_and_odd_values():
    assert lint({1: {"class_type": "EmptyImage"}, (2, 3): None}) is not None
    assert lint({"prompt": {"1": PAIR["1"]}, "partial_execution_targets": 5}) is not None


# -- discovery ------------------------------------------------------------------------------------
def lint_paths(paths: list[str]):
    """The files as `check` lints them (no config, no cache)."""
    return lint_run(CheckInputs(paths=tuple(paths), isolated=True, use_cache=False))[2].results


def test_non_workflow_json_is_skipped_when_walking_but_reported_when_named(tmp_path):
    (tmp_path / "notes.json").write_text(json.dumps({"name": "x", "version": "1"}))
    (tmp_path / "wf.json").write_text(json.dumps(PAIR))
    (tmp_path / "empty.json").write_text("{}")
    walked = lint_paths([str(tmp_path)])
    assert {os.path.basename(r.path): r.status for r in walked} == {
        "notes.json": "skipped", "wf.json": "ok", "empty.json": "skipped"}
    [named] = lint_paths([str(tmp_path / "notes.json")])
    assert [d.code for d in named.diagnostics] == ["F003"]
    [empty] = lint_paths([str(tmp_path / "empty.json")])
    assert [d.code for d in empty.diagnostics] == ["G105"]  # named: an empty prompt


def test_broken_workflow_json_is_not_skipped_when_walking(tmp_path):
    (tmp_path / "wf.json").write_text('{"1": {"class_type": "EmptyImage", "inputs": {,}}}')
    [result] = lint_paths([str(tmp_path)])
    assert [d.code for d in result.diagnostics] == ["F001"]


def test_unreadable_file_is_a_finding_and_the_run_goes_on(tmp_path):
    (tmp_path / "a_dangling.json").symlink_to(tmp_path / "gone.json")
    (tmp_path / "b_good.json").write_text(json.dumps(PAIR))
    results = lint_paths([str(tmp_path)])
    by_name = {os.path.basename(r.path): r for r in results}
    [diag] = by_name["a_dangling.json"].diagnostics
    assert diag.code == "F001" and "cannot read" in diag.message
    assert by_name["b_good.json"].status == "ok"


def test_missing_path_through_the_loader():
    loaded = load_path("/nonexistent/dir/wf.json")
    assert [d.code for d in loaded.diagnostics] == ["F001"]


# -- the command line -----------------------------------------------------------------------------
def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return comfylint(*args, stdin=stdin, text=False)


def test_require_format_api_on_a_ui_file_is_f004(write_json):
    path = write_json("ui.json", UI)
    done = run_cli("check", str(path), "--require-format", "api", "--output-format", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 1
    assert [d["code"] for d in report["diagnostics"] if d["code"].startswith("F")] == ["F004"]


def test_cli_reads_standard_input_with_a_name():
    done = run_cli("check", "-", "--stdin-filename", "posted.json", "--output-format", "json",
                   stdin=json.dumps({"prompt": PAIR}).encode())
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["files"][0]["path"] == "posted.json"
    assert report["files"][0]["envelope"] == "comfyui-prompt"


def test_cli_missing_and_unreadable_files_do_not_stop_the_run(tmp_path, write_json):
    good = write_json("good.json", PAIR)
    done = run_cli("check", str(tmp_path / "missing.json"), str(good), "--output-format", "json")
    report = json.loads(done.stdout)
    # A path that is not there is a usage error (exit 2), reported beside the other files.
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert [f["status"] for f in report["files"]] == ["error", "ok"]


def test_position_index_locates_values_keys_and_repeats():
    from comfylint.load.positions import PositionIndex

    text = '\ufeff{"a": [1, [2, {"d~/e": 3}], []],\n "b": {}, "k\\u00e9y": "x", "a": null}'
    index = PositionIndex(text)
    assert text[index.value_at["/a/1/1/d~0~1e"]] == "3"
    assert text[index.value_at["/a/2"]] == "[" and "/a/2/0" not in index.value_at
    assert text[index.value_at["/b"]] == "{" and index.locate("/b") == (2, 7)
    assert text[index.key_at["/k\u00e9y"]] == '"' and text[index.value_at["/k\u00e9y"]] == '"'
    assert index.duplicates == ["/a"] and text[index.duplicate_key_at["/a"]:].startswith('"a": null')


@pytest.mark.parametrize("text", ['{"a": [1,', '{"a" 1}', '{"a": 1, }', "nul", '{"a": {"b": ]}',
                                  "[" * 5000, '{"a": "unterminated'])
def test_position_index_never_raises_on_broken_text(text):
    from comfylint.load.positions import PositionIndex

    PositionIndex(text)  # what it found before the break still serves; no exception
