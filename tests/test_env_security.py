"""P501-P503: secrets (masked in every output), absolute local paths, filename_prefix traversal."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from comfylint import lint
from comfylint.cli import cli

OPENAI_KEY = "sk-proj-" + "Ab3" * 12
HF_TOKEN = "hf_" + "x1Y" * 12


def graph(**inputs):
    return {"1": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
            "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "ComfyUI"}},
            "3": {"class_type": "SomeApiNode", "inputs": inputs}}


def codes(workflow, prefix="P"):
    return [d.code for d in lint(workflow) if d.code.startswith(prefix)]


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "sarif", "github", "junit",
                                           "gitlab"])
def test_secret_never_appears_in_any_output(write_json, output_format):
    path = write_json("wf.json", graph(api_key=OPENAI_KEY, note=f"token {HF_TOKEN}"))
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", output_format,
                                      str(path)])
    if "Invalid value" in result.output:
        pytest.skip(f"{output_format} output is not available in this build")
    assert result.exit_code == 1
    assert "P501" in result.output
    assert OPENAI_KEY not in result.output and HF_TOKEN not in result.output
    assert OPENAI_KEY[:4] + "****" in result.output


def test_secret_kinds_and_places():
    found = [d for d in lint(graph(api_key=OPENAI_KEY)) if d.code == "P501"]
    assert "OpenAI/Anthropic-style API key" in found[0].message and found[0].input == "api_key"
    assert codes(graph(password="hunter2hunter2X9")) == ["P501"]  # named secret
    assert codes(graph(text=f"Authorization: Bearer {'a1' * 16}")) == ["P501"]
    envelope = {"prompt": graph(), "extra_data": {"api_key_comfy_org": "comfyui-" + "9f" * 20}}
    [diag] = [d for d in lint(envelope) if d.code == "P501"]
    assert diag.pointer == "/extra_data/api_key_comfy_org"


@pytest.mark.parametrize("inputs", [
    {"api_key": ""}, {"api_key": "YOUR_API_KEY"}, {"api_key": "${OPENAI_API_KEY}"},
    {"token_normalization": "length+mean"}, {"max_tokens": 4096},
    {"text": "a photo of sk-ateboarder"}, {"password": "short1"},
])
def test_no_secret_false_positives(inputs):
    assert codes(graph(**inputs)) == []


def test_secret_in_a_ui_file_points_at_the_widget(write_json):
    ui = {"last_node_id": 1, "last_link_id": 0, "version": 0.4, "links": [], "groups": [],
          "nodes": [{"id": 7, "type": "SomeApiNode", "pos": [0, 0], "size": [100, 100], "flags": {},
                     "order": 0, "mode": 0, "inputs": [], "outputs": [], "properties": {},
                     "widgets_values": [OPENAI_KEY]}]}
    [diag] = [d for d in lint(ui) if d.code == "P501"]
    assert diag.pointer == "/nodes/0/widgets_values/0" and diag.node_id == "7"


@pytest.mark.parametrize("value,user", [("C:\\Users\\bob\\Pictures\\out", "bob"),
                                        ("/home/alice/ComfyUI/input/a.png", "alice"),
                                        ("/workspace/ComfyUI/output", None)])
def test_absolute_local_path(value, user):
    [diag] = [d for d in lint(graph(directory=value)) if d.code == "P502"]
    assert (f"user name {user!r}" in diag.message) == bool(user)


@pytest.mark.parametrize("value", ["a photo of /home", "https://example.com/x.png", "relative/dir",
                                   "/not/a/known/root"])
def test_no_absolute_path_false_positives(value):
    assert codes(graph(directory=value)) == []


@pytest.mark.parametrize("prefix,escapes", [
    ("../../etc/cron", True), ("/tmp/out", True), ("..\\out", True), ("C:\\temp\\x", True),
    ("project/../run", False), ("project/run", False), ("ComfyUI", False), ("%date:yyyy%/img", False),
])
def test_filename_prefix_traversal(prefix, escapes):
    workflow = graph()
    workflow["2"]["inputs"]["filename_prefix"] = prefix
    found = [d for d in lint(workflow) if d.code == "P503"]
    assert bool(found) == escapes
    if found:
        assert not found[0].fix.safe and ".." not in found[0].fix.edits[0].value
