"""Inputs that used to end in a traceback end in a clear error or a finding now; and when
comfylint itself fails, it says so and exits 2 (never 1 like findings, never 0)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from ci_support import comfylint

FIXTURES = Path(__file__).parent / "fixtures"
WORKFLOW = FIXTURES / "fox.api.json"
UI = FIXTURES / "ui" / "txt2img.json"


def assert_clear(done, code: int = 2, says: str = "") -> None:
    output = done.stdout + done.stderr
    assert done.returncode == code, output
    assert "Traceback" not in output and "internal error" not in output, output
    assert says in output, output


@pytest.mark.parametrize("text,says", [
    ('tool = 5\n# [tool.comfylint]\n', "`tool` must be a table"),
    ('# [tool.comfylint] below\n[tool]\ncomfylint = 5\n', "[tool.comfylint] must be a table"),
])
def test_odd_pyproject_shapes(tmp_path, text, says):
    (tmp_path / "pyproject.toml").write_text(text)
    (tmp_path / "wf.json").write_bytes(WORKFLOW.read_bytes())
    assert_clear(comfylint("check", "wf.json", cwd=tmp_path), says=says)


def test_config_that_is_not_utf8_or_nested_too_deeply(tmp_path):
    (tmp_path / "latin1.toml").write_bytes('select = ["T3"] # caf\xe9\n'.encode("latin-1"))
    assert_clear(comfylint("check", "--config", "latin1.toml", str(WORKFLOW), cwd=tmp_path),
                 says="not UTF-8 text")
    (tmp_path / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000)
    assert_clear(comfylint("check", "--config", "deep.toml", str(WORKFLOW), cwd=tmp_path),
                 says="nested too deeply")


def test_a_long_extend_chain_is_an_error_not_a_recursion(tmp_path):
    # 100 files, past the limit the message names (32): the chain is read file by file up to the
    # limit, so a longer one (1,500, the depth that once recursed) is refused the same way
    for index in range(100):
        (tmp_path / f"c{index}.toml").write_text(f'extend = "c{index + 1}.toml"\n' if index < 99
                                                 else 'fail-on = "error"\n')
    assert_clear(comfylint("check", "--config", "c0.toml", str(WORKFLOW), cwd=tmp_path),
                 says="goes through more than 32 files")
    (tmp_path / "short.toml").write_text('extend = "c97.toml"\n')
    assert comfylint("check", "--config", "short.toml", str(WORKFLOW), cwd=tmp_path).returncode == 0


def test_lone_surrogates_in_every_output_format_and_convert(tmp_path):
    workflow = json.loads(WORKFLOW.read_text())
    first = next(iter(workflow))
    workflow[first]["_meta"] = {"title": "t\ud800"}
    workflow["x\udfff"] = {"class_type": "Bad\udc00", "inputs": {"v\ud83d": "\ud800"}}
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(workflow))
    for fmt in ("full", "concise", "json", "sarif", "github", "junit", "gitlab"):
        done = comfylint("check", "--output-format", fmt, str(path))
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
        assert "\\ud800" in done.stdout or "\\udfff" in done.stdout or fmt == "concise", done.stdout
    report = tmp_path / "report.json"
    comfylint("check", "--output-format", "json", "-o", str(report), str(path))
    codes = [d for d in json.loads(report.read_text())["diagnostics"] if d["node_id"] == "x\udfff"]
    assert codes  # the escape written is the JSON escape: the id reads back exactly
    ui = json.loads(UI.read_text())
    ui["nodes"][0]["title"] = "\ud800"
    ui["nodes"][0]["widgets_values"] = ["m\udfff.safetensors"]
    (tmp_path / "ui.json").write_text(json.dumps(ui))
    out = tmp_path / "api.json"
    assert comfylint("convert", str(tmp_path / "ui.json"), "-o", str(out)).returncode in (0, 1)
    converted = json.loads(out.read_text(encoding="utf-8"))  # the escape, read back exactly
    assert "m\udfff.safetensors" in [node["inputs"].get("ckpt_name") for node in converted.values()]


def test_a_crash_inside_comfylint_exits_2_and_says_so(monkeypatch):
    """A bug (simulated: the real ones are fixed) is exit 2 with one clear line, not exit 1."""
    from comfylint.render import full

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("a simulated bug")

    monkeypatch.setattr(full, "render", broken)
    done = comfylint("check", str(WORKFLOW))
    assert done.returncode == 2
    assert "internal error: ZeroDivisionError: a simulated bug" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_crash_on_one_document_is_c002_and_the_run_goes_on(monkeypatch, tmp_path):
    from comfylint import engine

    real = engine._lint_document
    secret = "sk-proj-" + "Ab3" * 12

    def broken(loaded, *args):
        if "bad" in loaded.path:
            raise KeyError(secret)  # the document's secret in the exception's text is masked
        return real(loaded, *args)

    monkeypatch.setattr(engine, "_lint_document", broken)
    workflow = json.loads(WORKFLOW.read_text())
    next(iter(workflow.values()))["inputs"]["api_key"] = secret
    (tmp_path / "bad.json").write_text(json.dumps(workflow))
    (tmp_path / "good.json").write_bytes(WORKFLOW.read_bytes())
    done = comfylint("check", "bad.json", "good.json", cwd=tmp_path)
    assert done.returncode == 2
    assert "comfylint failed on this file: KeyError" in done.stdout and "Ab3Ab3" not in done.stdout


def test_a_ui_conversion_crash_fails_the_run_even_without_u005(monkeypatch):
    from comfylint.ui import convert

    def broken(*_args, **_kwargs):
        raise RuntimeError("a simulated converter bug")

    monkeypatch.setattr(convert, "to_api", broken)
    done = comfylint("check", "--ignore", "U005", str(UI))
    assert done.returncode == 2
    assert "could not be converted to the API format" in done.stdout


def test_json_text_with_a_lone_surrogate_given_to_the_python_api():
    """Found by the fuzz harness: a str document is JSON text, sent as UTF-8 (which cannot hold
    a lone surrogate): F001, not a UnicodeEncodeError."""
    from comfylint import lint

    for text in ("\ud800", '{"1": {"class_type": "KSampler\udfff", "inputs": {}}}'):
        assert [d.code for d in lint(text)] == ["F001"]
