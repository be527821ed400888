"""The Python API as a platform uses it: catalogs from every source, rule selection, severities,
unknown nodes, files sent with the request, the strict gate, the verdict, and sharing one
Validator across threads."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from loopback import serve
from test_probe_cli import VALID, workflow

import comfylint
from comfylint import ComfylintError, Severity, Validator, load_catalog, validate

FIXTURES = Path(__file__).parent / "fixtures"
SERVER_OBJECT_INFO = json.loads((FIXTURES / "server" / "responses.json").read_text())[
    "GET /object_info"]["json"]
MISSING_MODEL = workflow(**{"4": {"ckpt_name": "missing.safetensors"}})


def codes(findings) -> list[str]:
    return sorted(d.code for d in findings)


def test_the_public_names_are_discoverable_and_typed():
    public = {"lint", "lint_file", "validate", "load_catalog", "Validator", "Verdict",
              "ServerAnswer", "Catalog", "Diagnostic", "Severity", "Fix", "ComfylintError",
              "__version__"}
    assert public <= set(dir(comfylint)) and set(comfylint.__all__) == public
    assert all(getattr(comfylint, name) is not None for name in comfylint.__all__)
    assert (Path(comfylint.__file__).parent / "py.typed").is_file()
    with pytest.raises(AttributeError):
        comfylint.no_such_name  # noqa: B018


@pytest.mark.parametrize("source", ["path", "dict"])
def test_catalog_from_object_info(tmp_path, source):
    path = tmp_path / "object_info.json"
    path.write_text(json.dumps(SERVER_OBJECT_INFO))
    catalog = load_catalog(object_info=path if source == "path" else SERVER_OBJECT_INFO)
    assert "M401" in codes(validate({"prompt": MISSING_MODEL}, catalog).blocking)
    assert validate({"prompt": VALID}, catalog).ok


@pytest.mark.parametrize("source", ["path", "dict"])
def test_catalog_from_a_snapshot(tmp_path, source):
    from click.testing import CliRunner

    from comfylint.cli import cli

    target = tmp_path / "comfyui.snapshot.json"
    with serve() as server:
        assert CliRunner().invoke(cli, ["snapshot", "--server", server.url, "-o",
                                        str(target)]).exit_code == 0
    given = target if source == "path" else json.loads(target.read_text())
    catalog = load_catalog(snapshot=given)
    assert catalog.comfyui_version == "0.3.64"
    assert "M401" in codes(validate({"prompt": MISSING_MODEL}, catalog).blocking)


def test_catalog_from_a_live_server():
    with serve() as server:
        catalog = load_catalog(server=server.url)
    assert all(method == "GET" for method, *_ in server.requests)
    assert "M401" in codes(validate({"prompt": MISSING_MODEL}, catalog).blocking)


def test_catalog_files_from_a_manifest_or_a_comfyui_folder(tmp_path, write_json):
    manifest = write_json("manifest.json", {"models": {"checkpoints": ["mine.safetensors"]}})
    mine = workflow(**{"4": {"ckpt_name": "mine.safetensors"}})
    catalog = load_catalog(object_info=SERVER_OBJECT_INFO, manifest=manifest)
    assert validate({"prompt": mine}, catalog).ok
    root = tmp_path / "ComfyUI"
    (root / "models" / "checkpoints").mkdir(parents=True)
    (root / "models" / "checkpoints" / "mine.safetensors").write_bytes(b"")
    (root / "input").mkdir()
    catalog = load_catalog(object_info=SERVER_OBJECT_INFO, comfyui_dir=root)
    assert validate({"prompt": mine}, catalog).ok
    assert "M401" in codes(validate({"prompt": MISSING_MODEL}, catalog).blocking)


def test_bad_sources_and_settings_raise_a_comfylint_error(tmp_path):
    with pytest.raises(ComfylintError):
        load_catalog(object_info=SERVER_OBJECT_INFO, snapshot=tmp_path / "x.json")
    with pytest.raises(ComfylintError):
        load_catalog(object_info=tmp_path / "missing.json")
    with pytest.raises(ComfylintError, match="did you mean"):
        Validator(select=["value-below-mni"])
    with pytest.raises(ComfylintError):
        Validator(severity={"T304": "fatal"})
    with pytest.raises(ComfylintError):
        Validator(fail_on="sometimes")


def test_rules_are_selected_by_code_name_or_prefix():
    document = workflow(**{"3": {"steps": 0, "cfg": 500.0}})
    assert codes(comfylint.lint(document, select=["T304"])) == ["T304"]
    assert codes(comfylint.lint(document, select="value-above-max")) == ["T305"]
    assert codes(comfylint.lint(document, select=["T3"], ignore=["T305"])) == ["T304"]


def test_severity_overrides_and_fail_on():
    document = workflow(**{"3": {"steps": 20.7}})  # T308 lossy-coercion: a warning
    assert Validator().validate({"prompt": document}).ok
    assert not Validator(fail_on="warning").validate({"prompt": document}).ok
    verdict = Validator(severity={"lossy-coercion": "error"}).validate({"prompt": document})
    assert [d.code for d in verdict.blocking] == ["T308"]
    assert verdict.blocking[0].severity is Severity.ERROR


def test_allow_unknown_nodes():
    document = workflow()
    document["20"] = {"class_type": "MyPackUpscale", "inputs": {"image": ["8", 0]}}
    catalog = load_catalog(object_info=SERVER_OBJECT_INFO)
    assert "N201" in codes(validate({"prompt": document}, catalog).blocking)
    assert validate({"prompt": document}, catalog, allow_unknown_nodes=["MyPack*"]).ok


def test_files_sent_with_the_request_count_as_present():
    catalog = load_catalog(object_info=SERVER_OBJECT_INFO)
    document = workflow(**{"4": {"ckpt_name": "mine.safetensors"}})
    document["10"] = {"class_type": "LoadImage", "inputs": {"image": "upload.png"}}
    document["11"] = {"class_type": "PreviewImage", "inputs": {"images": ["10", 0]}}
    assert codes(validate({"prompt": document}, catalog).blocking) == ["M401", "M402"]
    carried = ["/models/checkpoints/mine.safetensors", "/input/upload.png"]
    assert validate({"prompt": document}, catalog, files=carried).ok
    # the same, carried by the request itself (a `files` envelope)
    assert validate({"workflow_id": "w1", "prompt": document,
                     "files": {path: "https://example.com/f" for path in carried}}, catalog).ok


@pytest.mark.parametrize("document", [None, {}, [], "not json", '"text"', {"prompt": "a cat"},
                                      {"nodes": [], "links": [], "version": 0.4}])
def test_the_strict_gate_passes_only_api_workflows(document):
    verdict = validate(document)
    assert not verdict.ok and verdict.blocking
    assert verdict.response["error"]["type"]
    assert verdict.to_dict()["valid"] is False


def test_without_strict_a_ui_export_and_a_non_workflow_only_inform():
    ui = json.loads((Path(__file__).parent.parent / "examples" / "ui" / "txt2img.json").read_text())
    assert validate(ui, strict=False).ok
    assert codes(comfylint.lint(None)) == ["F003"]
    assert comfylint.lint(None)[0].severity is Severity.INFO
    assert comfylint.lint(None, strict=True)[0].severity is Severity.ERROR


def test_json_text_and_bytes_are_read_as_sent():
    text = json.dumps({"prompt": workflow(**{"3": {"steps": 0}})})
    for document in (text, text.encode()):
        found = comfylint.lint(document)
        assert "T304" in codes(found) and found[0].line is not None  # located in the text


def test_the_verdict_answers_in_comfyuis_shape():
    verdict = validate({"prompt": workflow(**{"3": {"steps": 0}})})
    assert not verdict.ok and [d.code for d in verdict.blocking] == ["T304"]
    assert verdict.server.status == 400
    assert verdict.response == verdict.server.body
    assert verdict.response["node_errors"]["3"]["errors"][0]["type"] == "value_smaller_than_min"
    answer = verdict.to_dict()
    assert set(answer) == {"valid", "error", "node_errors", "comfylint"}
    assert answer["comfylint"]["blocking"] == ["T304"]
    good = validate({"prompt": VALID}).to_dict()
    assert good["valid"] is True and good["error"] is None and good["node_errors"] == {}


def test_one_validator_shared_by_threads_gives_each_its_own_verdict():
    """Many threads, one Validator, different documents: every verdict is what the document gets
    alone (no state leaks between concurrent calls)."""
    catalog = load_catalog(object_info=SERVER_OBJECT_INFO)
    validator = Validator(catalog)
    validator.warm_up()
    documents = [{"prompt": workflow(**{"3": {"steps": n % 3, "cfg": 7.0 + n}})} for n in range(24)]
    documents += [{"prompt": MISSING_MODEL}, {"prompt": VALID}, None, "{", {"nodes": []}]

    def summary(document):
        verdict = validator.validate(document)
        return verdict.ok, [(d.code, d.node_id, d.message) for d in verdict.diagnostics], \
            json.dumps(verdict.response, sort_keys=True)

    alone = [summary(d) for d in documents]
    start = threading.Barrier(8)

    def hammer(offset: int):
        start.wait()
        return [summary(documents[(i + offset) % len(documents)]) for i in range(len(documents) * 3)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        runs = list(pool.map(hammer, range(8)))
    for offset, results in enumerate(runs):
        for i, result in enumerate(results):
            assert result == alone[(i + offset) % len(documents)]


def test_the_linter_never_imports_the_gateways_framework():
    """aiohttp is the serve extra's: linting and validating must work without loading it."""
    import subprocess
    import sys

    code = ("import sys, comfylint; from comfylint.cli import main\n"
            "comfylint.validate({'prompt': {}}); comfylint.lint_file('examples/api/txt2img.json')\n"
            "assert 'aiohttp' not in sys.modules, 'aiohttp imported'\n")
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
