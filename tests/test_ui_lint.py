"""Linting UI files: API rules through the conversion, pointed at the UI file; the U rules; PNG/WebP."""
from __future__ import annotations

import copy
import json
import struct
import zlib

from comfylint import lint
from comfylint.engine import Options, lint_document
from comfylint.catalog import Catalog
from comfylint.load import load_bytes
from conftest import ROOT

WORKFLOW = json.loads((ROOT / "tests/fixtures/ui/txt2img.json").read_text())
PROMPT = json.loads((ROOT / "tests/fixtures/ui/txt2img.api.json").read_text())
KSAMPLER = 4  # index of node 3 (KSampler) in the fixture's nodes


def _codes(diagnostics) -> list[str]:
    return sorted(d.code for d in diagnostics)


def test_a_valid_ui_workflow_has_no_findings():
    assert lint(WORKFLOW) == []


def test_api_findings_carry_the_ui_node_id_and_point_at_the_widget_value():
    workflow = copy.deepcopy(WORKFLOW)
    workflow["nodes"][KSAMPLER]["widgets_values"][2] = 0  # steps below its minimum of 1
    (finding,) = lint(workflow)
    assert (finding.code, finding.node_id, finding.input) == ("T304", "3", "steps")
    assert finding.pointer == f"/nodes/{KSAMPLER}/widgets_values/2"
    if finding.fix is not None:  # a value fix edits the stored widget value, nothing else
        assert [e.pointer for e in finding.fix.edits] == [f"/nodes/{KSAMPLER}/widgets_values/2"]


def test_a_missing_link_points_at_the_input_slot_of_the_ui_node():
    workflow = copy.deepcopy(WORKFLOW)
    workflow["nodes"][KSAMPLER]["inputs"][0]["link"] = None
    workflow["links"] = [link for link in workflow["links"] if link[0] != 1]
    (finding,) = [d for d in lint(workflow) if d.code == "T301"]
    assert finding.node_id == "3"
    assert finding.pointer == f"/nodes/{KSAMPLER}/inputs/0"


def test_unknown_node_types_are_reported_on_the_ui_type_field():
    workflow = copy.deepcopy(WORKFLOW)
    workflow["nodes"][1]["type"] = "EmptyLatentImag"
    (finding,) = [d for d in lint(workflow) if d.code == "N201"]
    assert finding.pointer == "/nodes/1/type" and "EmptyLatentImage" in finding.message


def test_widget_drift_is_reported_with_pointers_into_widgets_values():
    workflow = copy.deepcopy(WORKFLOW)
    workflow["nodes"][KSAMPLER]["widgets_values"] = [42, "fixed", 20, "euler", 8, "normal", 1]
    drift = [d for d in lint(workflow) if d.code == "U003"]
    assert [d.pointer for d in drift] == [f"/nodes/{KSAMPLER}/widgets_values/3",
                                          f"/nodes/{KSAMPLER}/widgets_values/4"]


def test_a_count_of_stored_values_names_its_possible_causes():
    workflow = copy.deepcopy(WORKFLOW)
    values = workflow["nodes"][KSAMPLER]["widgets_values"]
    workflow["nodes"][KSAMPLER]["widgets_values"] = values + [True]  # an extension's toggle
    (extra,) = [d for d in lint(workflow) if d.code == "U003"]
    assert "the extra ones are ignored" in extra.message and "browser extension" in extra.help
    workflow["nodes"][KSAMPLER]["widgets_values"] = values[:-1]
    (fewer,) = [d for d in lint(workflow) if d.code == "U003"]
    assert "take their defaults" in fewer.message and "browser extension" not in fewer.help


def test_link_table_damage_is_g108():
    workflow = copy.deepcopy(WORKFLOW)
    workflow["links"].append([9, 8, 0, 9, 0, "IMAGE"])  # a duplicate link id
    workflow["nodes"][6]["inputs"][0]["link"] = 77
    findings = [d for d in lint(workflow) if d.code == "G108"]
    messages = " | ".join(d.message for d in findings)
    assert "used twice" in messages and "names link 77" in messages


def test_schema_errors_are_findings_with_pointers_not_a_dump():
    workflow = copy.deepcopy(WORKFLOW)
    workflow["nodes"][0]["mode"] = "on"
    del workflow["nodes"][1]["id"]
    findings = [d for d in lint(workflow) if d.code == "U001"]
    assert {d.pointer for d in findings} == {"/nodes/0/mode", "/nodes/1"}
    assert all(len(d.message) < 200 for d in findings)


def test_a_missing_version_is_one_finding():
    workflow = copy.deepcopy(WORKFLOW)
    del workflow["version"]
    [finding] = [d for d in lint(workflow) if d.code == "U001"]
    assert "numeric \"version\"" in finding.message
    del workflow["links"]  # another missing key is still named
    assert any("'links'" in d.message for d in lint(workflow) if d.code == "U001")


def test_a_slot_saved_without_a_type_is_not_a_schema_error():
    """A node's script that adds a slot with no type gets it saved without "type" (JSON drops
    undefined); the editor loads it as a slot of any type, and the export is unchanged."""
    workflow = copy.deepcopy(WORKFLOW)
    del workflow["nodes"][KSAMPLER]["inputs"][0]["type"]
    del workflow["nodes"][KSAMPLER]["outputs"][0]["type"]
    assert lint(workflow) == []
    workflow["nodes"][KSAMPLER]["inputs"][0]["type"] = {"not": "a type"}
    assert [d.code for d in lint(workflow)] == ["U001"]


def test_ui_file_where_the_api_format_is_required_gets_f004_with_the_convert_command():
    """No fix that --fix cannot apply: the help names the command that writes the API file."""
    (finding,) = lint(WORKFLOW, require_format="api", path="flows/wf.json")
    assert finding.code == "F004" and finding.fix is None
    assert "`comfylint convert flows/wf.json -o flows/wf_api.json`" in finding.help


def test_the_suggested_convert_command_writes_the_prompt_beside_the_ui_file(tmp_path):
    from ci_support import comfylint

    (tmp_path / "wf.json").write_text(json.dumps(WORKFLOW), encoding="utf-8")
    done = comfylint("check", "wf.json", "--require-format", "api", "--fix",
                     "--output-format", "json", cwd=tmp_path)
    [finding] = json.loads(done.stdout)["diagnostics"]
    assert finding["code"] == "F004" and finding["fix"] is None
    assert "applied" not in done.stderr  # nothing claimed, nothing written
    command = finding["help"].split("`")[1].split()
    assert command[:2] == ["comfylint", "convert"]
    assert comfylint(*command[1:], cwd=tmp_path).returncode == 0
    assert json.loads((tmp_path / "wf_api.json").read_text()) == PROMPT
    assert json.loads((tmp_path / "wf.json").read_text()) == WORKFLOW


# -- images -------------------------------------------------------------------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(*chunks: tuple[bytes, bytes]) -> bytes:
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    return (b"\x89PNG\r\n\x1a\n" + header + b"".join(_chunk(k, d) for k, d in chunks)
            + _chunk(b"IDAT", zlib.compress(b"\x00\x00")) + _chunk(b"IEND", b""))


def _webp(entries: list[str]) -> bytes:
    """A WebP whose EXIF holds ASCII entries, laid out like ComfyUI's SaveAnimatedWEBP."""
    values = [entry.encode() + b"\x00" for entry in entries]
    offset = 8 + 2 + 12 * len(values) + 4
    ifd = struct.pack("<H", len(values))
    data = b""
    for tag, value in zip((0x010F, 0x0110), values):
        ifd += struct.pack("<HHII", tag, 2, len(value), offset + len(data))
        data += value
    exif = b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00\x00\x00\x00" + data
    chunk = b"EXIF" + struct.pack("<I", len(exif)) + exif + (b"\x00" if len(exif) % 2 else b"")
    vp8 = b"VP8L" + struct.pack("<I", 2) + b"\x00\x00"
    body = b"WEBP" + vp8 + chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _lint_bytes(data: bytes, name: str = "image.png"):
    loaded = load_bytes(data, name)
    return loaded, lint_document(loaded, Catalog.stock(), Options()).diagnostics


def test_png_text_chunks_are_read_and_linted_clean():
    data = _png((b"tEXt", b"prompt\x00" + json.dumps(PROMPT).encode()),
                (b"tEXt", b"workflow\x00" + json.dumps(WORKFLOW).encode()))
    loaded, findings = _lint_bytes(data)
    assert loaded.format == "ui" and loaded.base_pointer == "/workflow"
    assert findings == []


def test_itxt_and_ztxt_chunks_are_read():
    compressed = zlib.compress(json.dumps(WORKFLOW).encode())
    loaded, _ = _lint_bytes(_png((b"iTXt", b"workflow\x00\x01\x00\x00\x00" + compressed)))
    assert loaded.format == "ui"
    loaded, _ = _lint_bytes(_png((b"zTXt", b"prompt\x00\x00" + zlib.compress(json.dumps(PROMPT).encode()))))
    assert loaded.format == "api" and loaded.base_pointer == "/prompt"


def test_an_edited_embedded_prompt_is_reported():
    edited = copy.deepcopy(PROMPT)
    edited["3"]["inputs"]["cfg"] = 3
    data = _png((b"tEXt", b"prompt\x00" + json.dumps(edited).encode()),
                (b"tEXt", b"workflow\x00" + json.dumps(WORKFLOW).encode()))
    (finding,) = _lint_bytes(data)[1]
    assert finding.code == "U004" and "'cfg'" in finding.message
    assert finding.pointer == f"/workflow/nodes/{KSAMPLER}"


def test_findings_in_an_embedded_workflow_point_into_the_workflow_chunk():
    workflow = copy.deepcopy(WORKFLOW)
    workflow["nodes"][KSAMPLER]["widgets_values"][2] = 0
    (finding,) = _lint_bytes(_png((b"tEXt", b"workflow\x00" + json.dumps(workflow).encode())))[1]
    assert finding.pointer == f"/workflow/nodes/{KSAMPLER}/widgets_values/2"


def test_webp_exif_metadata_is_read():
    data = _webp(["workflow:" + json.dumps(WORKFLOW), "prompt:" + json.dumps(PROMPT)])
    loaded, findings = _lint_bytes(data, "image.webp")
    assert loaded.format == "ui" and findings == []


def test_an_image_without_metadata_is_not_a_workflow_and_damage_is_a_clear_error():
    loaded, findings = _lint_bytes(_png())
    assert _codes(findings) == ["F003"]
    loaded, findings = _lint_bytes(_png()[:40])
    assert _codes(findings) == ["F001"] and "damaged PNG" in findings[0].message


def test_damaged_ui_files_give_findings_never_a_crash():
    import random

    odd = [None, -1, "x", [], {}, [1, 2], 1.5, True, {"a": 1}, "-10", "0", float("nan")]
    rng = random.Random(7)
    for _ in range(300):
        workflow = copy.deepcopy(WORKFLOW)
        for _ in range(3):
            node = rng.choice(workflow["nodes"])
            node[rng.choice(["id", "type", "inputs", "outputs", "widgets_values", "mode"])] = rng.choice(odd)
            link = rng.choice(workflow["links"])
            link[rng.randrange(6)] = rng.choice(odd)
        workflow["links"].append(rng.choice(odd))
        for finding in lint(workflow):
            assert finding.code != "C002", finding.message
            assert not (finding.code == "U005" and finding.severity.label == "error"), finding.message


def test_unknown_node_hint_uses_the_ui_nodes_pack_properties():
    workflow = copy.deepcopy(WORKFLOW)
    node = copy.deepcopy(workflow["nodes"][0])
    node.update(id=77, type="FancyUpscaler", inputs=[], outputs=[], widgets_values=[],
                properties={"cnr_id": "comfyui-fancy", "ver": "2.1"})  # "2.1": not in _meta
    workflow["nodes"].append(node)
    (finding,) = [d for d in lint(workflow) if d.code == "N201"]
    assert finding.node_id == "77"
    assert "'comfyui-fancy' 2.1" in finding.help and "comfy node install comfyui-fancy" in finding.help
    node["properties"] = {"aux_id": "someone/fancy-nodes"}
    (finding,) = [d for d in lint(workflow) if d.code == "N201"]
    assert "https://github.com/someone/fancy-nodes" in finding.help


def test_a_stale_subgraph_output_link_id_is_a_warning_unless_the_output_is_cut_off():
    from test_ui_convert import Ui, _subgraph

    ui = Ui()
    definition = _subgraph(ui)
    ui.node(12, definition["id"], [640])
    ui.node(13, "VAEDecode")
    ui.link(12, 0, 13, "samples", "LATENT")
    live = definition["links"][-1]["id"]
    definition["outputs"][0]["linkIds"] = [live, 999]

    def g108(doc):
        return [(d.severity.label, d.pointer) for d in lint(doc) if d.code == "G108"]

    assert g108(ui.doc()) == [("warning", "/definitions/subgraphs/0/outputs/0/linkIds")]
    definition["outputs"][0]["linkIds"] = [999]
    assert g108(ui.doc()) == [("error", "/definitions/subgraphs/0/outputs/0/linkIds")]


def test_a_link_from_a_deleted_node_is_an_error_only_while_its_input_still_names_it():
    workflow = copy.deepcopy(WORKFLOW)
    # A leftover entry from a deleted node 40 into VAEDecode's samples, which names link 7.
    workflow["links"].append([21, 40, 0, 8, 0, "LATENT"])

    def g108(doc):
        return [(d.severity.label, d.pointer) for d in lint(doc) if d.code == "G108"]

    assert g108(workflow) == [("warning", "/links/9")]
    assert lint(workflow, select=["ALL"], ignore=["G108"]) == []  # the conversion ignores it
    workflow["nodes"][5]["inputs"][0]["link"] = 21  # now the input uses it
    assert g108(workflow) == [("error", "/links/9")]


def test_a_legacy_group_node_is_judged_by_the_node_types_it_stands_for():
    """The editor expands `workflow/NAME` into the nodes of extra.groupNodes[NAME]: a server needs
    those, never the group's own type (which no server has)."""
    workflow = copy.deepcopy(WORKFLOW)
    group = copy.deepcopy(workflow["nodes"][1])
    group.update(id=30, type="workflow/MINE", inputs=[], outputs=[], widgets_values=[])
    workflow["nodes"].append(group)
    workflow["extra"] = {"groupNodes": {"MINE": {"nodes": [
        {"index": 0, "type": "KSamplerSelect"}, {"index": 1, "type": "Reroute"},
        {"index": 2, "type": "MyCustomSampler"}], "links": [], "external": []}}}
    server = Catalog.from_object_info(Catalog.stock().definitions())

    def n201(catalog):
        return [(d.severity.label, d.node_id, d.message) for d in lint(workflow, catalog)
                if d.code == "N201"]

    [(severity, node_id, message)] = n201(server)
    assert (severity, node_id) == ("error", "30")
    assert "'MyCustomSampler'" in message and "not installed on the server" in message
    [(severity, _, message)] = n201(None)  # the bundled catalog: no server to judge by
    assert severity == "warning" and "'MyCustomSampler'" in message
    needs = lint_document(load_bytes(json.dumps(workflow).encode(), "wf.json"), server,
                          Options(requirements=True)).requirements["custom_nodes"]
    assert [t["class_type"] for entry in needs for t in entry["node_types"]] == ["MyCustomSampler"]
    # In an API prompt "workflow/MINE" is sent as is: a node type no server has.
    prompt = copy.deepcopy(PROMPT)
    prompt["30"] = {"class_type": "workflow/MINE", "inputs": {}}
    [finding] = [d for d in lint(prompt, server) if d.code == "N201"]
    assert "'workflow/MINE'" in finding.message
    # Without its definition the editor cannot expand the group: it sends the type itself.
    del workflow["extra"]["groupNodes"]
    [(severity, _, message)] = n201(server)
    assert severity == "error" and "'workflow/MINE' is not installed" in message
