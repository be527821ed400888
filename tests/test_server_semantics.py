"""What the real ComfyUI server does with a prompt, one lesson per test, on our own workflows.

Each test encodes a behaviour observed on ComfyUI 0.3.64 (the reference's captured cases): which
values it converts, which nodes it validates, how links are read, which error type it gives. The
fixtures are ours: tests/fixtures/fox.api.json (a txt2img graph) and object_info.small.json (a few
core node classes in the real /object_info shape, with this imaginary server's model and image
lists).
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import comfylint
from comfylint import Catalog
from comfylint.diagnostics import Severity

FIXTURES = Path(__file__).parent / "fixtures"
FOX = json.loads((FIXTURES / "fox.api.json").read_text())
SERVER = Catalog.from_object_info(FIXTURES / "object_info.small.json", comfyui_version="0.3.64")
BUNDLED_0_3_64 = Catalog.stock("0.3.64")  # the release whose answers these lessons record
# The same release as a server's catalog: ranges and lists are its verdicts, not maybes.
SERVER_0_3_64 = Catalog.from_object_info(BUNDLED_0_3_64.definitions(), comfyui_version="0.3.64")


def lint(workflow, catalog: Catalog | None = None, **options) -> list:
    return comfylint.lint(workflow, catalog or BUNDLED_0_3_64, **options)


DELETE = object()


def fox(**changes) -> dict:
    """The fox workflow with `{"node_id.input": value}` changes (DELETE removes the input)."""
    workflow = copy.deepcopy(FOX)
    for where, value in changes.items():
        node_id, name = where.split(".")
        if value is DELETE:
            del workflow[node_id]["inputs"][name]
        else:
            workflow[node_id]["inputs"][name] = value
    return workflow


def image_pair(**inputs) -> dict:
    """EmptyImage -> PreviewImage, the smallest valid graph without models."""
    empty = {"width": 64, "height": 64, "batch_size": 1, "color": 0}
    empty.update(inputs)
    return {"1": {"class_type": "EmptyImage", "inputs": empty},
            "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}


def codes(found) -> list[str]:
    return sorted(d.code for d in found)


def errors(found) -> list:
    return [d for d in found if d.severity == Severity.ERROR]


def only(found, code: str):
    [diag] = [d for d in found if d.code == code]
    return diag


def test_the_fixture_itself_is_clean_on_both_catalogs():
    assert lint(FOX) == []
    assert lint(FOX, SERVER) == []


# -- conversions and ranges (INT/FLOAT/STRING/BOOLEAN go through Python's constructors) -----------
def test_int_from_numeric_text_is_converted_and_accepted():
    assert lint(fox(**{"14.steps": "20"})) == []


def test_int_from_a_fraction_is_truncated_with_a_warning():
    diag = only(lint(fox(**{"14.steps": 20.7})), "T308")
    assert diag.severity == Severity.WARNING and "truncated to 20" in diag.message
    assert errors(lint(fox(**{"14.steps": 20.7}))) == []


@pytest.mark.parametrize("value", ["abc", None, {}, "1.5", "1e3"])
def test_int_that_int_cannot_parse_is_invalid_input_type(value):
    diag = only(lint(fox(**{"14.steps": value})), "T303")
    assert (diag.node_id, diag.input, diag.server_error_type) == ("14", "steps",
                                                                  "invalid_input_type")


def test_float_from_words_is_invalid_input_type():
    assert only(lint(fox(**{"14.cfg": "high"})), "T303").server_error_type == "invalid_input_type"


def test_bool_for_int_is_accepted_as_one_with_a_warning():
    found = lint(fox(**{"13.batch_size": True}))
    assert codes(found) == ["T308"] and "becomes 1" in found[0].message


def test_string_from_number_is_fine():
    assert lint(fox(**{"11.text": 123})) == []


def test_boolean_from_text_false_is_true_with_a_warning():
    workflow = {"1": {"class_type": "PrimitiveBoolean", "inputs": {"value": "false"}},
                "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    diag = only(lint(workflow), "T308")
    assert diag.severity == Severity.WARNING and "True" in diag.message


def test_nan_passes_every_range_check_but_is_warned_about():
    found = lint(fox(**{"14.cfg": float("nan")}))
    assert codes(found) == ["T308"] and errors(found) == []


def test_seed_up_to_uint64_max_is_accepted():
    assert lint(fox(**{"14.seed": 2**64 - 1})) == []


def test_seed_past_uint64_max_is_value_bigger_than_max():
    diag = only(lint(fox(**{"14.seed": 2**64})), "T305")
    assert diag.server_error_type == "value_bigger_than_max" and "64-bit" in diag.message


def test_negative_seed_is_value_smaller_than_min():
    assert only(lint(fox(**{"14.seed": -1})), "T304").server_error_type == "value_smaller_than_min"


def test_range_is_checked_on_the_converted_value():
    assert only(lint(fox(**{"14.steps": "0"})), "T304").input == "steps"


def test_value_wrapper_is_unwrapped_before_checking():
    assert lint(fox(**{"14.steps": {"__value__": 30}})) == []
    assert only(lint(fox(**{"14.steps": {"__value__": 0}})), "T304").input == "steps"


def test_v3_node_int_minimum_is_checked():
    workflow = {"1": {"class_type": "AlignYourStepsScheduler",
                      "inputs": {"model_type": "SD1", "steps": 0, "denoise": 1.0}},
                "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    assert only(lint(workflow), "T304").input == "steps"


def test_v3_combo_value_is_not_checked_by_0_3_64_and_fails_when_the_node_runs():
    # case 63: accepted, KeyError at execution; newer servers reject it (value_not_in_list)
    workflow = {"1": {"class_type": "AlignYourStepsScheduler",
                      "inputs": {"model_type": "SD9", "steps": 10, "denoise": 1.0}},
                "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    diag = only(lint(workflow), "T306")
    assert "ComfyUI 0.3.64 does not check this kind of input" in diag.message
    assert diag.server_error_type is None  # the server accepts it: no error type to mirror
    # Combo lists grow with ComfyUI: the bundled catalog only warns, a server's catalog decides.
    assert diag.severity == Severity.WARNING and "--object-info" in diag.message
    assert only(lint(workflow, SERVER_0_3_64), "T306").severity == Severity.ERROR


# -- combos ---------------------------------------------------------------------------------------
def test_value_not_in_a_long_list_suggests_the_closest_choice():
    diag = only(lint(fox(**{"14.sampler_name": "dpmpp_2n"})), "T306")
    assert diag.server_error_type == "value_not_in_list" and "'dpmpp_2m'" in diag.message
    assert "in all" in diag.help  # a long list is shortened


@pytest.mark.parametrize(("value", "meant"), [("dpmpp_2n", "dpmpp_2m"), ("Euler", "euler"),
                                            ("eulre_ancestral", "euler_ancestral"),
                                            ("res_2s", None), ("my_sampler", None)])
def test_a_choice_is_suggested_only_for_a_typo(value, meant):
    # res_2s (a sampler pack's) looks like seeds_2 to difflib, but it is another name: a
    # suggestion (and its --unsafe-fixes edit) would turn the workflow into something else.
    diag = only(lint(fox(**{"14.sampler_name": value})), "T306")
    assert (f"did you mean {meant!r}?" in diag.message) if meant else "did you mean" not in diag.message
    assert (diag.fix is not None) == (meant is not None)


def test_value_not_in_a_short_list_lists_every_choice():
    workflow = image_pair()
    workflow["3"] = {"class_type": "ImageScaleBy", "inputs": {
        "image": ["1", 0], "upscale_method": "Bicubic", "scale_by": 2.0}}
    workflow["4"] = {"class_type": "PreviewImage", "inputs": {"images": ["3", 0]}}
    diag = only(lint(workflow), "T306")
    assert "'bicubic'" in diag.help and "in all" not in diag.help
    assert diag.fix is not None and diag.fix.safe  # only the case differs


def test_model_names_are_judged_only_against_a_server_catalog():
    workflow = fox(**{"10.ckpt_name": "dreamshaper_7.safetensors"})
    assert lint(workflow) == []
    diag = only(lint(workflow, SERVER), "M401")
    assert diag.server_error_type == "value_not_in_list" and "dreamshaper_8" in diag.message


def test_input_file_missing_on_the_server_is_custom_validation_failed():
    workflow = {"1": {"class_type": "LoadImage", "inputs": {"image": "fox.png"}},
                "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}
    assert lint(workflow) == []
    assert only(lint(workflow, SERVER), "M402").server_error_type == "custom_validation_failed"
    workflow["1"]["inputs"]["image"] = "dogs/corgi.jpg"
    assert lint(workflow, SERVER) == []


def top_level_images_only(*names: str) -> Catalog:
    """A server whose input folder holds `names`, listed as ComfyUI lists it (top level only)."""
    raw = json.loads((FIXTURES / "object_info.small.json").read_text())
    raw["LoadImage"]["input"]["required"]["image"][0] = list(names)
    return Catalog.from_object_info(raw)


@pytest.mark.parametrize("value", ["sub/fox.png", "input/fox.png"])
def test_input_file_in_a_subfolder_the_server_does_not_list_is_rejected(value):
    # LoadImage.VALIDATE_INPUTS tests os.path.exists(input/<name>) (§7, case 35): a subfolder
    # name passes only if that file exists, and the server's lists show top-level files only.
    workflow = {"1": {"class_type": "LoadImage", "inputs": {"image": value}},
                "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}
    diag = only(lint(workflow, top_level_images_only("fox.png", "owl.png")), "M402")
    assert diag.severity == Severity.ERROR and diag.server_error_type == "custom_validation_failed"
    assert f"input/{value}" in diag.message
    assert diag.fix is not None and diag.fix.edits[0].value == "fox.png"


def test_custom_validation_arguments_skip_min_and_max():
    workflow = {"1": {"class_type": "KlingCameraControls", "inputs": {
        "camera_control_type": "simple", "horizontal_movement": 0.0, "vertical_movement": 0.0,
        "pan": 0.0, "tilt": 0.0, "roll": 0.0, "zoom": 100}},
        "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    assert lint(workflow) == []  # zoom's max is 10, but the node's own validation takes zoom
    workflow["1"]["inputs"]["zoom"] = 0
    diag = only(lint(workflow), "T309")
    assert diag.server_error_type == "custom_validation_failed" and diag.node_id == "1"


# -- which nodes the server validates -------------------------------------------------------------
def test_unknown_extra_inputs_are_only_a_warning():
    found = lint(fox(**{"14.stepz": 30, "14.unique_id": "x"}))
    assert codes(found) == ["N205", "N205"] and errors(found) == []
    assert any("did you mean 'steps'" in d.message for d in found)


def test_hidden_inputs_are_not_unknown():
    assert lint(fox(**{"16.prompt": "anything"})) == []


def test_invalid_node_no_output_needs_gets_warnings_and_g107():
    workflow = fox()
    workflow["30"] = {"class_type": "KSampler", "inputs": {"steps": -5}}
    found = lint(workflow)
    assert errors(found) == []
    assert "G107" in codes(found) and "T304" in codes(found)
    assert "skips this node" in only(found, "T304").message


def test_cycle_reachable_from_an_output_is_an_error_naming_its_path():
    workflow = image_pair()
    workflow["3"] = {"class_type": "ImageBlend", "inputs": {
        "image1": ["1", 0], "image2": ["4", 0], "blend_factor": 0.5, "blend_mode": "normal"}}
    workflow["4"] = {"class_type": "ImageInvert", "inputs": {"image": ["3", 0]}}
    workflow["2"]["inputs"]["images"] = ["4", 0]
    diag = only(lint(workflow), "G104")
    # 0.3.64 (cases 38, 39): a 400 without node errors, the cycle said once
    assert diag.severity == Severity.ERROR
    assert diag.server_error_type == "prompt_outputs_failed_validation"
    assert "#3 ImageBlend -> #4 ImageInvert -> #3 ImageBlend" in diag.message
    assert "without naming a node" in diag.message


def test_cycle_no_output_depends_on_is_a_warning():
    workflow = image_pair()
    workflow["3"] = {"class_type": "ImageInvert", "inputs": {"image": ["3", 0]}}
    diag = only(lint(workflow), "G104")
    assert diag.severity == Severity.WARNING and "skips it" in diag.message


def test_partial_targets_list_selects_outputs_by_id():
    body = {"prompt": fox(), "partial_execution_targets": ["16"]}
    assert lint(body) == []


def test_partial_targets_string_is_a_substring_test():
    workflow = image_pair()
    workflow["9"] = {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}
    workflow["2"]["inputs"]["images"] = ["9", 0]
    found = lint({"prompt": workflow, "partial_execution_targets": "12"})
    assert "G105" not in codes(found)  # "2" in "12": output 2 is selected
    assert only(found, "F005").severity == Severity.WARNING


@pytest.mark.parametrize("targets", [[], ["14"]])
def test_partial_targets_selecting_no_output_is_prompt_no_outputs(targets):
    diag = only(lint({"prompt": fox(), "partial_execution_targets": targets}), "G105")
    assert diag.server_error_type == "prompt_no_outputs" and diag.severity == Severity.ERROR


def test_two_outputs_one_invalid_is_output_dropped():
    workflow = fox()
    workflow.update({"20": {"class_type": "EmptyImage", "inputs": {
        "width": 0, "height": 64, "batch_size": 1, "color": 0}},
        "21": {"class_type": "PreviewImage", "inputs": {"images": ["20", 0]}}})
    found = lint(workflow, SERVER_0_3_64)
    assert codes(found) == ["G106", "T304"]
    assert only(found, "G106").node_id == "21" and "#16 SaveImage" in only(found, "G106").message


def test_a_node_the_server_lacks_rejects_the_prompt_rather_than_dropping_an_output():
    # §2: an unknown class_type rejects the whole prompt (400) before any output is validated.
    workflow = fox()
    workflow.update({"20": {"class_type": "FancyUpscaler", "inputs": {"image": ["15", 0]}},
                     "21": {"class_type": "PreviewImage", "inputs": {"images": ["20", 0]}}})
    found = lint(workflow, SERVER)
    assert only(found, "N201").severity == Severity.ERROR and "G106" not in codes(found)


def test_shared_upstream_error_is_reported_once_and_no_output_runs():
    workflow = image_pair(width=0)
    workflow["3"] = {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}
    assert codes(lint(workflow)) == ["T304"]


def test_errors_on_two_nodes_are_both_reported():
    found = lint(fox(**{"13.batch_size": DELETE, "14.steps": 0}))
    assert {(d.node_id, d.server_error_type) for d in found} == {
        ("13", "required_input_missing"), ("14", "value_smaller_than_min")}


def test_every_missing_required_input_is_named():
    workflow = fox()
    workflow["14"]["inputs"] = {}
    found = lint(workflow)
    assert {d.input for d in found if d.code == "T301"} == {
        "seed", "steps", "cfg", "sampler_name", "scheduler", "denoise", "model", "positive",
        "negative", "latent_image"}


# -- links ----------------------------------------------------------------------------------------
def test_dangling_link_is_one_finding_at_the_root_cause():
    found = lint(fox(**{"15.samples": ["99", 0]}))
    diag = only(found, "G101")
    assert codes(found) == ["G101"] and diag.node_id == "15"
    assert diag.server_error_type == "exception_during_inner_validation"


def test_dangling_link_on_an_output_node_is_exception_during_validation():
    diag = only(lint(fox(**{"16.images": ["99", 0]})), "G101")
    assert diag.server_error_type == "exception_during_validation"


def test_output_node_linked_as_a_source_has_no_outputs():
    workflow = image_pair()
    workflow["3"] = {"class_type": "ImageInvert", "inputs": {"image": ["2", 0]}}
    workflow["4"] = {"class_type": "SaveImage", "inputs": {"images": ["3", 0],
                                                           "filename_prefix": "x"}}
    diag = only(lint(workflow), "G102")
    assert diag.node_id == "3" and "no outputs" in diag.message


def test_output_index_past_the_end():
    diag = only(lint(fox(**{"15.vae": ["10", 3]})), "G102")
    assert "0: MODEL, 1: CLIP, 2: VAE" in diag.message


def test_integer_node_id_gets_a_fix_to_the_string_id():
    diag = only(lint(fox(**{"15.vae": [10, 2]})), "G103")
    assert diag.server_error_type == "exception_during_inner_validation"
    [edit] = diag.fix.edits
    assert (edit.pointer, edit.value) == ("/15/inputs/vae/0", "10")


def test_text_or_float_output_index_is_an_error():
    for slot in ("2", 2.0):
        assert only(lint(fox(**{"15.vae": ["10", slot]})), "G103").severity == Severity.ERROR


def test_list_of_three_is_bad_linked_input():
    diag = only(lint(fox(**{"15.vae": ["10", 2, 0]})), "G103")
    assert diag.server_error_type == "bad_linked_input"


@pytest.mark.parametrize("value", [["10", 2, 0], [10, 0], ["10", "0"], [1, 2, 3, 4]])
def test_a_list_in_an_input_the_node_does_not_declare_is_an_ignored_value(value):
    # Validation reads only declared inputs (case 58) and execution links only a 2-item list of a
    # string id and a number: any other list in an undeclared input is a value nobody reads.
    found = lint(fox(**{"15.extra_values": value}))
    assert codes(found) == ["N205"] and errors(found) == []


def test_boolean_output_index_is_read_as_an_integer():
    found = lint(fox(**{"11.clip": ["10", True]}))
    assert codes(found) == ["G103"] and errors(found) == []


def test_boolean_index_that_picks_the_wrong_type_is_a_mismatch():
    diag = only(lint(fox(**{"15.vae": ["10", True]})), "T302")  # True is output 1: CLIP
    assert "CLIP" in diag.message


def test_negative_output_index_works_by_python_indexing():
    found = lint(fox(**{"15.vae": ["10", -1]}))
    assert codes(found) == ["G102"] and errors(found) == []


def test_link_type_mismatch_points_at_the_right_output():
    diag = only(lint(fox(**{"15.vae": ["10", 0]})), "T302")
    assert diag.server_error_type == "return_type_mismatch" and "output 2 (VAE)" in diag.message


def test_string_output_into_a_combo_is_a_mismatch():
    workflow = fox(**{"14.sampler_name": ["30", 0]})
    workflow["30"] = {"class_type": "PrimitiveString", "inputs": {"value": "euler"}}
    assert only(lint(workflow), "T302").input == "sampler_name"


def test_wildcard_input_accepts_a_model():
    workflow = {"1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "a.ckpt"}},
                "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    assert lint(workflow) == []


def test_optional_input_is_type_checked_when_linked():
    workflow = fox()
    workflow.update({
        "20": {"class_type": "ControlNetLoader", "inputs": {"control_net_name": "canny.pth"}},
        "21": {"class_type": "ControlNetApplyAdvanced", "inputs": {
            "positive": ["11", 0], "negative": ["12", 0], "control_net": ["20", 0],
            "image": ["22", 0], "strength": 1.0, "start_percent": 0.0, "end_percent": 1.0,
            "vae": ["10", 0]}},
        "22": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1,
                                                      "color": 0}}})
    workflow["14"]["inputs"]["positive"] = ["21", 0]
    diag = only(lint(workflow), "T302")
    assert (diag.node_id, diag.input) == ("21", "vae")
    del workflow["21"]["inputs"]["vae"]
    assert lint(workflow) == []  # absent optional inputs are fine


def test_literal_for_a_socket_input_is_accepted_then_fails():
    diag = only(lint(fox(**{"16.images": "fox.png"})), "T307")
    assert diag.severity == Severity.ERROR and diag.server_error_type is None


# -- nodes ----------------------------------------------------------------------------------------
def test_node_without_inputs_inner_and_output_get_the_servers_exception_types():
    inner = fox()
    del inner["15"]["inputs"]
    diag = only(lint(inner), "N203")
    assert (diag.node_id, diag.server_error_type) == ("15", "exception_during_inner_validation")
    assert codes(lint(inner)) == ["N203"]  # nothing about the nodes it cut off
    output = fox()
    del output["16"]["inputs"]
    assert only(lint(output), "N203").server_error_type == "exception_during_validation"


@pytest.mark.parametrize("node", ["KSampler", ["KSampler", {}]])
def test_node_that_is_text_or_a_list_is_missing_its_class_type(node):
    # §2, §10, case 04: `'class_type' not in node` is a substring/membership test on these.
    diag = only(lint(dict(fox(), **{"30": node})), "N202")
    assert diag.server_error_type == "invalid_prompt" and "finds no class_type" in diag.message


@pytest.mark.parametrize("node", [5, None, "my class_type"])
def test_node_the_server_cannot_test_or_index_crashes_it(node):
    diag = only(lint(dict(fox(), **{"30": node})), "N203")  # §10, case 05: HTTP 500
    assert diag.severity == Severity.ERROR and diag.server_error_type is None


def test_node_without_class_type_is_invalid_prompt():
    diag = only(lint(dict(fox(), **{"30": {"inputs": {}}})), "N202")  # §2, case 02
    assert diag.server_error_type == "invalid_prompt"


@pytest.mark.parametrize("catalog, error_type", [
    (BUNDLED_0_3_64, "invalid_prompt"), (Catalog.stock("0.26.0"), "missing_node_type")])
def test_null_class_type_is_a_node_type_none_that_does_not_exist(catalog, error_type):
    # §2, case 03: "Cannot execute because node None does not exist." on any server (newer
    # releases name the error missing_node_type, §12).
    found = lint(dict(fox(), **{"30": {"class_type": None, "inputs": {}}}), catalog)
    diag = only(found, "N201")
    assert diag.severity == Severity.ERROR and diag.server_error_type == error_type
    assert "node type None" in diag.message and "N202" not in codes(found)


def test_class_type_that_is_a_list_crashes_the_lookup():
    diag = only(lint(dict(fox(), **{"30": {"class_type": ["KSampler"], "inputs": {}}})), "N202")
    assert diag.server_error_type is None and "HTTP 500" in diag.message


def test_unknown_class_type_is_a_warning_with_the_bundled_catalog():
    workflow = fox()
    workflow["15"]["class_type"] = "VAEDecod"
    diag = only(lint(workflow), "N201")
    assert diag.severity == Severity.WARNING and "did you mean 'VAEDecode'" in diag.message
    assert "--object-info" in diag.help


def test_unknown_class_type_is_an_error_with_a_server_catalog():
    workflow = fox()
    workflow["15"]["class_type"] = "vaedecode"
    diag = only(lint(workflow, SERVER), "N201")
    assert diag.severity == Severity.ERROR and "did you mean 'VAEDecode'" in diag.message
    assert diag.server_error_type in ("missing_node_type", "invalid_prompt")


def test_unknown_class_type_is_checked_even_when_unreachable():
    workflow = dict(fox(), **{"30": {"class_type": "FancyUpscaler", "inputs": {}}})
    assert only(lint(workflow, SERVER), "N201").severity == Severity.ERROR


def test_unknown_output_candidate_softens_no_output():
    workflow = {"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8,
                                                            "batch_size": 1, "color": 0}},
                "2": {"class_type": "MySaveNode", "inputs": {"images": ["1", 0]}}}
    assert errors(lint(workflow)) == []


def test_deprecated_node_is_a_warning():
    workflow = {"1": {"class_type": "CheckpointLoader", "inputs": {
        "config_name": "v1-inference.yaml", "ckpt_name": "old.ckpt"}},
        "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    assert only(lint(workflow), "N204").severity == Severity.WARNING


# -- whole prompt and envelopes -------------------------------------------------------------------
def test_empty_prompt_is_prompt_no_outputs():
    diag = only(lint({}), "G105")  # §10, case 07 (`{"prompt": {}}` too)
    assert diag.severity == Severity.ERROR and diag.server_error_type == "prompt_no_outputs"
    assert "empty" in diag.message
    assert codes(lint({"prompt": {}})) == ["G105"]


def test_no_output_node_is_prompt_no_outputs():
    workflow = fox()
    del workflow["16"]
    assert only(lint(workflow), "G105").server_error_type == "prompt_no_outputs"


def test_a_node_without_a_class_type_is_the_prompts_only_error():
    # The server stops at the first node without a class_type (invalid_prompt, §2), before it
    # looks for outputs; and that node may well have been the output (here: SaveImage's inputs).
    workflow = fox()
    del workflow["16"]["class_type"]
    assert codes(lint(workflow)) == ["N202"]
    workflow["16"]["class_type"] = None
    assert codes(lint(workflow)) == ["N201"]


def test_ui_export_posted_as_prompt_says_how_to_export_the_api_format():
    ui = {"last_node_id": 1, "last_link_id": 0, "links": [], "version": 0.4,
          "nodes": [{"id": 1, "type": "EmptyImage", "widgets_values": [8, 8, 1, 0]}]}
    diag = only(lint({"prompt": ui}), "F004")
    assert diag.severity == Severity.ERROR and "Export (API)" in diag.help


def test_body_without_prompt_is_no_prompt():
    diag = only(lint({"client_id": "x"}, envelope="comfyui-prompt"), "F005")
    assert diag.server_error_type == "no_prompt"


@pytest.mark.parametrize("prompt", [[1, 2], 5, None])
def test_prompt_that_is_not_an_object_is_one_clean_error(prompt):
    found = lint({"prompt": prompt}, envelope="comfyui-prompt")
    assert codes(found) == ["F005"] and found[0].severity == Severity.ERROR


def test_list_body_is_no_prompt():
    found = lint([fox()])
    assert codes(found) == ["F005"] and found[0].server_error_type == "no_prompt"


def test_client_prompt_id_and_number_are_fine():
    assert lint({"prompt": fox(), "prompt_id": "my-id", "number": 5, "client_id": "c"}) == []


# -- A1111-style sampler names ---------------------------------------------------------------------
@pytest.mark.parametrize("value, sampler, scheduler", [
    ("DPM++ 2M Karras", "dpmpp_2m", "karras"),
    ("dpmpp_2m_karras", "dpmpp_2m", "karras"),
    ("DPM++ 2M SDE Exponential", "dpmpp_2m_sde", "exponential"),
    ("Euler a", "euler_ancestral", None),
])
def test_a1111_sampler_names_get_the_comfyui_pair(value, sampler, scheduler):
    diag = only(lint(fox(**{"14.sampler_name": value})), "T306")
    assert f"sampler_name {sampler!r}" in diag.message
    edits = {edit.pointer.rsplit("/", 1)[-1]: edit.value for edit in diag.fix.edits}
    assert edits.get("sampler_name") == sampler and edits.get("scheduler") == scheduler
