"""The shipped examples (the README's first command lints them) do what they claim.

The valid ones produce no finding at all; the broken UI workflow shows UI-specific findings at
the right places; the PNG carries our own workflow and prompt and is reproducible by its tool.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from comfylint import lint_file
from comfylint.load.image import png_texts
from comfylint.ui import EXACT, to_api
from conftest import ROOT

EXAMPLES = ROOT / "examples"
PNG = EXAMPLES / "images" / "txt2img.png"


def read(relative: str) -> dict:
    return json.loads((EXAMPLES / relative).read_text(encoding="utf-8"))


@pytest.mark.parametrize("relative", ["api/txt2img.json", "ui/txt2img.json", "images/txt2img.png"])
def test_valid_examples_have_no_findings(relative):
    assert lint_file(EXAMPLES / relative) == []


def test_the_ui_example_converts_to_the_api_example():
    result = to_api(read("ui/txt2img.json"))
    api = read("api/txt2img.json")
    assert result.grade == EXACT, result.reasons
    assert {k: v["inputs"] for k, v in result.prompt.items()} == \
        {k: v["inputs"] for k, v in api.items()}
    assert result.prompt["6"]["_meta"]["title"] == "Positive"  # the UI title goes to _meta


def test_the_broken_ui_example_shows_widget_drift_and_a_link_table_problem():
    findings = lint_file(EXAMPLES / "ui" / "broken_after_update.json")
    by_code = {(d.code, d.pointer) for d in findings}
    assert ("U003", "/nodes/4/widgets_values/1") in by_code  # 25 lands in control_after_generate
    assert ("T303", "/nodes/4/widgets_values/3") in by_code  # a sampler name in the cfg float
    assert ("G108", "/nodes/5/inputs/1/link") in by_code  # VAEDecode names a link that is gone
    assert ("T301", "/nodes/5/inputs/1") in by_code


def test_the_png_carries_the_example_workflow_and_prompt():
    texts = png_texts(PNG.read_bytes())
    assert json.loads(texts["workflow"]) == read("ui/txt2img.json")
    assert json.loads(texts["prompt"]) == read("api/txt2img.json")


def test_the_png_tool_reproduces_the_example(tmp_path):
    output = tmp_path / "made.png"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_example_png.py"), str(output)],
                   check=True, capture_output=True)
    assert output.read_bytes() == PNG.read_bytes()


def test_an_edited_embedded_prompt_would_be_reported(tmp_path):
    """The PNG's prompt is really compared with its workflow (U004), not just carried along."""
    spec = importlib.util.spec_from_file_location("make_example_png",
                                                  ROOT / "tools" / "make_example_png.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    prompt = read("api/txt2img.json")
    prompt["3"]["inputs"]["steps"] = 40
    edited = tmp_path / "edited.png"
    edited.write_bytes(tool.png_bytes(json.dumps(prompt), json.dumps(read("ui/txt2img.json"))))
    assert [d.code for d in lint_file(edited)] == ["U004"]
