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


# -- a secret is masked wherever comfylint shows the workflow, whatever rules run -----------------
PRIVATE_KEY = ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
               "q9Xk2LmN8pR4sT6uV0wY3zA5bC7dE9fG1hJ2kL4mN6oP8\n-----END PRIVATE KEY-----\n")
LEAKS = ("Ab3Ab3Ab3", "MIIEvQIBAD", "q9Xk2LmN8p", "hunter2hunter")


def everywhere_workflow():
    """The key as a node id, an input name, a title, a combo value, a filename prefix, a class
    type, a link target; a private key with JSON escapes; a named password."""
    return {
        "1": {"class_type": "KSampler", "inputs": {
            "sampler_name": OPENAI_KEY, "seed": 1, "steps": 20, "cfg": 7.0, "scheduler": "normal",
            "denoise": 1.0, "model": [OPENAI_KEY, 0], "positive": ["9", 0], "negative": ["9", 0],
            "latent_image": ["9", 0], OPENAI_KEY: 3}},
        OPENAI_KEY: {"class_type": "SaveImage", "_meta": {"title": OPENAI_KEY},
                     "inputs": {"images": ["1", 0], "filename_prefix": "../" + OPENAI_KEY}},
        "3": {"class_type": OPENAI_KEY, "inputs": {"key": PRIVATE_KEY, "password": "hunter2hunter2X9"}},
    }


def assert_no_leak(text: str) -> None:
    assert not [leak for leak in LEAKS if leak in text], text


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "sarif", "github", "junit",
                                           "gitlab"])
@pytest.mark.parametrize("selection", [[], ["--ignore", "P501"], ["--select", "T306,N205,G101"]])
def test_a_secret_anywhere_is_masked_in_every_output_whatever_rules_run(write_json, output_format,
                                                                        selection):
    path = write_json("wf.json", everywhere_workflow())
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", output_format,
                                      *selection, str(path)])
    assert result.exit_code in (0, 1), result.output
    assert_no_leak(result.output)
    assert "sk-p****" in result.output


def test_masked_in_the_results_cache_and_in_cached_and_parallel_runs(tmp_path):
    import json
    import os

    for index in range(3):
        (tmp_path / f"wf{index}.json").write_text(json.dumps(everywhere_workflow(), indent=2))
    os.chdir(tmp_path)
    outputs = [CliRunner().invoke(cli, ["check", *jobs, "."]).output
               for jobs in ([], [], ["--no-cache", "--jobs", "2"])]
    assert outputs[0] == outputs[1] == outputs[2]
    assert "sk-p****" in outputs[0] and "| " in outputs[0]  # snippets are shown, masked
    for output in outputs:
        assert_no_leak(output)
    cached = [p for p in (tmp_path / ".comfylint_cache").rglob("*") if p.is_file()]
    assert cached
    for path in cached:
        assert_no_leak(path.read_text(encoding="utf-8"))


def test_masked_through_the_python_api_and_in_rule_errors():
    from comfylint.engine.secrets import Masker

    found = lint(everywhere_workflow())
    assert any(d.code == "P501" for d in found)
    for diag in found:
        assert_no_leak(repr(diag.to_dict()) + repr(diag.title))
    masker = Masker([OPENAI_KEY])
    # A message quoting the key cut short (as `'sk-proj-Ab3Ab3...'`) is masked too.
    assert masker.text(f"value {OPENAI_KEY[:14]!r}... is long") == "value 'sk-p**********'... is long"
    assert masker.text("no secret here") == "no secret here"


def test_an_unparsable_file_is_masked_by_the_known_shapes(write_json, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"1": {"inputs": {"key": "' + OPENAI_KEY + '" oops', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--no-cache", str(path)])
    assert "F001" in result.output
    assert_no_leak(result.output)


def test_a_file_with_a_secret_can_still_be_fixed(write_json):
    from comfylint.load import load_path

    workflow = graph(api_key=OPENAI_KEY)
    workflow["1"]["inputs"]["image"] = "example.png"
    workflow["4"] = {"class_type": "KSampler", "inputs": {"sampler_name": "Euler"}}
    path = write_json("wf.json", workflow)
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--fix", "--select", "T306", str(path)])
    assert "applied 1 fix" in result.output
    fixed = load_path(path).document
    assert fixed["3"]["inputs"]["api_key"] == OPENAI_KEY and fixed["4"]["inputs"]["sampler_name"] == "euler"
