"""A workflow saved by a newer ComfyUI than the catalog: one finding (N206), its consequences as notes.

The workflows are ours, in the shapes the official templates have (core nodes' `cnr_id`/`ver`,
`extra.frontendVersion`, the templates' index.json beside the files).
"""
from __future__ import annotations

import json

import comfylint
from comfylint import Catalog
from comfylint.diagnostics import Severity

STOCK = Catalog.stock("0.26.0")


def sampler(ver: str | None, name: str = "euler_ancestral_rf", pack: str = "comfy-core") -> dict:
    meta = {"title": "KSamplerSelect"}
    if ver is not None:
        meta.update(cnr_id=pack, ver=ver)
    return {"2": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": name}, "_meta": meta},
            "3": {"class_type": "PreviewAny", "inputs": {"source": ["2", 0]}}}


def codes(found) -> list[str]:
    return sorted(d.code for d in found)


def only(found, code: str):
    [diag] = [d for d in found if d.code == code]
    return diag


def test_a_newer_core_node_says_it_once_with_its_consequences_as_notes():
    found = comfylint.lint(sampler("0.40.0"), STOCK)
    assert codes(found) == ["N206"]  # the T306 is folded in, not repeated
    diag = only(found, "N206")
    assert diag.severity == Severity.WARNING and diag.node_id == "2"
    assert "saved by ComfyUI >= 0.40.0" in diag.message and "ComfyUI 0.26.0" in diag.message
    assert "'euler_ancestral_rf', not one of its choices" in diag.message
    assert "by the bundled catalog" not in diag.message  # the caveat is the finding itself


def test_against_a_server_catalog_the_folded_errors_make_it_an_error():
    server = Catalog.from_object_info(STOCK.definitions(), comfyui_version="0.26.0")
    diag = only(comfylint.lint(sampler("0.40.0"), server), "N206")
    assert diag.severity == Severity.ERROR and diag.server_error_type is None


def test_a_newer_file_the_old_definitions_fit_has_nothing_to_say():
    assert comfylint.lint(sampler("0.40.0", name="euler"), STOCK) == []


def test_an_older_or_unstamped_file_is_judged_as_is():
    for ver in ("0.22.0", None):
        found = comfylint.lint(sampler(ver), STOCK)
        assert codes(found) == ["T306"], ver
    # a custom pack's version says nothing about ComfyUI
    assert codes(comfylint.lint(sampler("1.40.0", pack="comfyui-foo"), STOCK)) == ["T306"]


def test_a_release_older_than_the_file_folds_what_its_definitions_lack():
    old = Catalog.stock("0.3.64")
    diag = only(comfylint.lint(sampler("0.26.0"), old), "N206")
    assert "saved by ComfyUI >= 0.26.0" in diag.message and "ComfyUI 0.3.64" in diag.message


def ui_file(frontend: str | None, values: list) -> dict:
    """A UI workflow whose KSamplerSelect stores `values` (saved by frontend `frontend`)."""
    extra = {"frontendVersion": frontend} if frontend else {}
    return {"last_node_id": 2, "last_link_id": 1, "version": 0.4, "extra": extra,
            "nodes": [{"id": 1, "type": "KSamplerSelect", "pos": [0, 0], "size": [300, 60],
                       "flags": {}, "order": 0, "mode": 0, "inputs": [],
                       "outputs": [{"name": "SAMPLER", "type": "SAMPLER", "links": [1]}],
                       "properties": {"Node name for S&R": "KSamplerSelect"},
                       "widgets_values": values},
                      {"id": 2, "type": "PreviewAny", "pos": [400, 0], "size": [300, 60],
                       "flags": {}, "order": 1, "mode": 0,
                       "inputs": [{"name": "source", "type": "*", "link": 1}], "outputs": [],
                       "properties": {}, "widgets_values": []}],
            "links": [[1, 1, 0, 2, 0, "SAMPLER"]], "groups": []}


def test_an_editor_newer_than_any_of_the_release_says_the_file_is_newer():
    # 0.26.0's editor is at most frontend 1.45.15 (release.json, with how that is known)
    found = comfylint.lint(ui_file("1.54.15", ["euler_ancestral_rf", "extra"]), STOCK)
    diag = only(found, "N206")
    assert "frontend 1.54.15" in diag.message and "at most 1.45.15" in diag.message
    assert not [d for d in found if d.code in ("T306", "U003")]  # both folded in
    assert "stores 2 widget value(s)" in diag.message
    older = comfylint.lint(ui_file("1.40.0", ["euler_ancestral_rf"]), STOCK)
    assert "N206" not in codes(older) and "T306" in codes(older)


def test_a_templates_index_beside_the_file_gives_its_minimum_comfyui(tmp_path):
    (tmp_path / "index.json").write_text(json.dumps([{"moduleName": "default", "templates": [
        {"name": "my_template", "minComfyUIVersion": "0.36.0"}]}]))
    path = tmp_path / "my_template.json"
    path.write_text(json.dumps(ui_file(None, ["euler_ancestral_rf"])))
    diag = only(comfylint.lint_file(path, STOCK), "N206")
    assert "minComfyUIVersion 0.36.0" in diag.message
    other = tmp_path / "not_listed.json"
    other.write_text(path.read_text())
    assert "N206" not in codes(comfylint.lint_file(other, STOCK))


def test_folded_errors_do_not_make_an_output_look_dropped():
    workflow = sampler("0.40.0")
    workflow["4"] = {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler"}}
    workflow["5"] = {"class_type": "PreviewAny", "inputs": {"source": ["4", 0]}}
    server = Catalog.from_object_info(STOCK.definitions(), comfyui_version="0.26.0")
    assert codes(comfylint.lint(workflow, server)) == ["N206"]  # no G106 for output #3


def test_a_missing_input_that_only_follows_from_an_unknown_node_is_said_with_it():
    """A refused conversion (an unknown node) loses what the file links: no T301 of its own."""
    ui = {"last_node_id": 2, "last_link_id": 7, "version": 0.4, "extra": {}, "groups": [],
          "links": [],
          "nodes": [{"id": 1, "type": "SomeoneElsesNode", "pos": [0, 0], "size": [200, 60],
                     "flags": {}, "order": 0, "mode": 0, "inputs": [], "properties": {},
                     "outputs": [{"name": "TEXT", "type": "STRING", "links": [7]}],
                     "widgets_values": []},
                    {"id": 2, "type": "PreviewAny", "pos": [300, 0], "size": [200, 60],
                     "flags": {}, "order": 1, "mode": 0, "outputs": [], "properties": {},
                     "inputs": [{"name": "source", "type": "*", "link": 7}],
                     "widgets_values": []}]}
    found = comfylint.lint(ui, STOCK)
    assert "T301" not in codes(found) and "G106" not in codes(found)
    unknown = only(found, "N201")
    assert "cannot be followed past the unknown node(s)" in unknown.message
    assert "#2 PreviewAny \"Preview as Text\" 'source'" in unknown.message
