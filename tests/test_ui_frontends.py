"""Emulating the frontend that saved a UI file (`to_api(..., as_saved=True)`), on workflows of our own."""
from __future__ import annotations

import json
from pathlib import Path

from ci_support import comfylint
from comfylint.catalog import Catalog
from comfylint.ui import to_api
from comfylint.ui.document import read_document
from comfylint.ui.frontends import LEGACY_UPLOAD_NAME, UPLOAD_NAME, saving_frontend
from test_ui_convert import Ui


def _load_image_workflow(extra: dict | None = None, *more_nodes: tuple) -> dict:
    ui = Ui()
    ui.node(1, "LoadImage", ["cat.png", "image"])
    for node_id, node_type, widgets in more_nodes:
        ui.node(node_id, node_type, widgets)
    doc = ui.doc()
    doc["extra"] = extra or {}
    return doc


def _frontend(doc: dict):
    return saving_frontend(read_document(doc), Catalog.stock())


def test_default_conversion_is_todays_export_whatever_saved_the_file():
    inputs = to_api(_load_image_workflow()).prompt["1"]["inputs"]
    assert inputs == {"image": "cat.png"}


def test_a_stamped_frontend_does_not_send_the_upload_button():
    doc = _load_image_workflow({"frontendVersion": "1.16.9"})
    assert _frontend(doc).version == (1, 16, 9) and _frontend(doc).upload_input is None
    assert to_api(doc, as_saved=True).prompt["1"]["inputs"] == {"image": "cat.png"}


def test_an_unstamped_file_with_newer_editor_marks_sent_the_button_as_upload():
    doc = _load_image_workflow({"ds": {"scale": 1, "offset": [0, 0]}})
    assert _frontend(doc).upload_input == UPLOAD_NAME
    assert to_api(doc, as_saved=True).prompt["1"]["inputs"] == {"image": "cat.png", "upload": "image"}


def test_a_node_newer_than_november_2023_dates_an_unstamped_file_after_the_rename():
    doc = _load_image_workflow({}, (2, "EmptySD3LatentImage", [1024, 1024, 1]))
    frontend = _frontend(doc)
    assert frontend.upload_input == UPLOAD_NAME and "EmptySD3LatentImage" in frontend.evidence


def test_an_unstamped_file_with_only_old_nodes_is_read_as_the_original_web_app():
    doc = _load_image_workflow({}, (2, "ImageScale", ["nearest-exact", 512, 512, "disabled"]))
    assert _frontend(doc).upload_input == LEGACY_UPLOAD_NAME
    inputs = to_api(doc, as_saved=True).prompt["1"]["inputs"]
    assert list(inputs) == ["image", LEGACY_UPLOAD_NAME] and inputs[LEGACY_UPLOAD_NAME] == "image"


def test_inputs_a_node_gained_after_saving_are_not_sent_as_saved_but_filled_today():
    # CLIPLoader stores [clip_name, type]; today's definition adds `device` at the end.
    doc = _load_image_workflow({"frontendVersion": "1.16.9"}, (2, "CLIPLoader", ["t5.safetensors", "sd3"]))
    assert "device" not in to_api(doc, as_saved=True).prompt["2"]["inputs"]
    assert to_api(doc).prompt["2"]["inputs"]["device"] == "default"


def test_a_node_that_stored_no_widget_values_had_no_widgets_when_saved():
    ui = Ui()
    ui.node(2, "CLIPVisionEncode")  # `crop` came later; the node stored no list at all
    doc = ui.doc()
    doc["extra"] = {"frontendVersion": "1.16.9"}
    assert "crop" not in to_api(doc, as_saved=True).prompt["2"]["inputs"]
    assert to_api(doc).prompt["2"]["inputs"]["crop"] == "center"


def test_convert_as_saved_names_the_emulated_frontend(tmp_path: Path):
    source = tmp_path / "ui.json"
    source.write_text(json.dumps(_load_image_workflow({"ds": {}})))
    run = comfylint("convert", "--as-saved", str(source))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["1"]["inputs"]["upload"] == "image"
    assert "emulating an unstamped frontend" in run.stderr


def _preview_workflow() -> dict:
    """LoadImage -> PreviewImage, unstamped but with a saved canvas view (the `upload` era)."""
    ui = Ui()
    ui.node(1, "LoadImage", ["cat.png", "image"])
    ui.node(2, "PreviewImage")
    ui.link(1, 0, 2, "images", "IMAGE")
    doc = ui.doc()
    doc["extra"] = {"ds": {}}
    return doc


def _png_codes(workflow: dict, prompt: dict) -> list[str]:
    """The findings' codes on a PNG that embeds `workflow` and `prompt`."""
    from test_ui_lint import _lint_bytes, _png

    data = _png((b"tEXt", b"workflow\x00" + json.dumps(workflow).encode()),
                (b"tEXt", b"prompt\x00" + json.dumps(prompt).encode()))
    return [d.code for d in _lint_bytes(data)[1]]


def test_u004_accepts_what_the_saving_frontend_sent_and_still_reports_edits():
    doc = _preview_workflow()
    saved = to_api(doc, as_saved=True).prompt
    assert _png_codes(doc, saved) == []
    saved["1"]["inputs"]["image"] = "dog.png"
    assert _png_codes(doc, saved) == ["U004"]


def test_a_core_node_made_by_comfyui_0_3_19_or_later_dates_the_file_after_the_button():
    doc = _load_image_workflow({"ds": {}})
    doc["nodes"][0]["properties"] = {"cnr_id": "comfy-core", "ver": "0.3.40"}
    frontend = _frontend(doc)
    assert frontend.upload_input is None and "ComfyUI 0.3.40" in frontend.evidence
    assert to_api(doc, as_saved=True).prompt["1"]["inputs"] == {"image": "cat.png"}
    doc["nodes"][0]["properties"]["ver"] = "0.3.18"  # made before: the marks decide
    assert _frontend(doc).upload_input == UPLOAD_NAME


def test_u004_ignores_inputs_the_server_ignores():
    doc = _preview_workflow()
    saved = to_api(doc).prompt  # today's: no upload button, though the marks say it was sent
    saved["1"]["inputs"]["speak_and_recognation"] = {"__value__": [False, True]}  # an extension's
    assert _png_codes(doc, saved) == []
