"""Configuration: discovery (closest wins, extend), validation (exit 2 with a did-you-mean), and
every key's effect on a real run."""
from __future__ import annotations

import json
import subprocess

from ci_support import comfylint, findings, variant, write

BELOW_MIN = variant(**{"3": {"steps": 0}})


def _project(tmp_path, config_name: str, config_text: str):
    (tmp_path / config_name).write_text(config_text, encoding="utf-8")
    write(tmp_path / "wf" / "bad.json", BELOW_MIN)
    return tmp_path


def test_pyproject_table_is_read(tmp_path):
    _project(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.comfylint]\nignore = ["T304"]\n')
    done = comfylint("check", "wf", "--output-format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert findings(done) == []


def test_pyproject_without_a_table_is_not_a_config(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "comfylint.toml").write_text('ignore = ["T304"]\n', encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "y"\n', encoding="utf-8")
    write(sub / "bad.json", BELOW_MIN)
    assert comfylint("check", "sub", cwd=tmp_path).returncode == 0


def test_closest_config_wins(tmp_path):
    (tmp_path / "comfylint.toml").write_text('ignore = ["T304"]\n', encoding="utf-8")
    write(tmp_path / "top" / "bad.json", BELOW_MIN)
    nested = tmp_path / "strict"
    write(nested / "bad.json", BELOW_MIN)
    (nested / ".comfylint.toml").write_text('select = ["ALL"]\n', encoding="utf-8")
    (nested / "comfylint.toml").write_text('ignore = ["T304"]\n', encoding="utf-8")
    assert comfylint("check", "top", cwd=tmp_path).returncode == 0
    # .comfylint.toml beats comfylint.toml in the same directory; the closer directory beats the root
    done = comfylint("check", "strict", "--output-format", "json", cwd=tmp_path)
    assert findings(done) == [("bad.json", "T304")]


def test_extend_starts_from_another_file(tmp_path):
    (tmp_path / "base.toml").write_text('ignore = ["T304"]\nfail-on = "warning"\n'
                                        'extend-select = ["T3"]\n', encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "comfylint.toml").write_text('extend = "../base.toml"\nfail-on = "error"\n',
                                            encoding="utf-8")
    write(project / "bad.json", BELOW_MIN)
    done = comfylint("check", ".", "--show-settings", "bad.json", cwd=project)
    assert done.returncode == 0
    assert 'fail-on = "error"' in done.stdout and 'ignore = ["T304"]' in done.stdout
    assert "base.toml" in done.stdout
    assert comfylint("check", ".", cwd=project).returncode == 0


def test_unknown_key_exits_2_with_did_you_mean(tmp_path):
    _project(tmp_path, "comfylint.toml", 'selct = ["T3"]\n')
    done = comfylint("check", "wf", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown key 'selct'" in done.stderr and "did you mean 'select'" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_rule_selector_exits_2_with_did_you_mean(tmp_path):
    _project(tmp_path, "comfylint.toml", '[per-file-ignores]\n"wf/*" = ["value-below-mn"]\n')
    done = comfylint("check", "wf", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown rule 'value-below-mn'" in done.stderr
    assert "did you mean 'value-below-min'" in done.stderr


def test_wrong_types_and_bad_toml_exit_2(tmp_path):
    _project(tmp_path, "comfylint.toml", 'fail-on = "sometimes"\n')
    done = comfylint("check", "wf", cwd=tmp_path)
    assert done.returncode == 2 and "fail-on" in done.stderr and "sometimes" in done.stderr
    (tmp_path / "comfylint.toml").write_text("select = [\n", encoding="utf-8")
    done = comfylint("check", "wf", cwd=tmp_path)
    assert done.returncode == 2 and "invalid TOML" in done.stderr
    done = comfylint("check", "wf", "--config", "missing.toml", cwd=tmp_path)
    assert done.returncode == 2 and "not found" in done.stderr


def test_per_file_ignores_severity_and_fail_on(tmp_path):
    _project(tmp_path, "comfylint.toml",
             'fail-on = "warning"\n[severity]\nT304 = "warning"\n'
             '[per-file-ignores]\n"legacy/**" = ["T3"]\n')
    write(tmp_path / "legacy" / "old.json", BELOW_MIN)
    done = comfylint("check", ".", "--output-format", "json", cwd=tmp_path)
    assert findings(done) == [("bad.json", "T304")]
    assert '"severity": "warning"' in done.stdout
    assert done.returncode == 1  # fail-on = warning
    assert comfylint("check", ".", "--fail-on", "error", cwd=tmp_path).returncode == 0


def test_require_format_per_glob(tmp_path):
    _project(tmp_path, "comfylint.toml", '[require-format]\n"api/*" = "ui"\n')
    write(tmp_path / "api" / "good.json", variant())
    write(tmp_path / "other" / "good.json", variant())
    done = comfylint("check", "api", "other", "--output-format", "json", "--ignore", "T304",
                     cwd=tmp_path)
    codes = [(d["file"].split("/")[0], d["code"]) for d in json.loads(done.stdout)["diagnostics"]]
    assert codes == [("api", "F005")]


def test_allow_unknown_nodes_patterns(tmp_path):
    workflow = variant()
    workflow["10"] = {"class_type": "MyPackUpscale", "inputs": {"image": ["8", 0]}}
    workflow["11"] = {"class_type": "OtherThing", "inputs": {"image": ["8", 0]}}
    write(tmp_path / "wf.json", workflow)
    (tmp_path / "comfylint.toml").write_text('allow-unknown-nodes = ["MyPack*"]\n', encoding="utf-8")
    done = comfylint("check", "wf.json", "--output-format", "json", cwd=tmp_path)
    report = json.loads(done.stdout)
    unknown = [d["node_id"] for d in report["diagnostics"] if d["code"] == "N201"]
    assert unknown == ["11"]


def test_exclude_extend_exclude_gitignore_and_force_exclude(tmp_path):
    _project(tmp_path, "comfylint.toml", 'extend-exclude = ["generated", "*.tmp.json"]\n')
    write(tmp_path / "generated" / "bad.json", BELOW_MIN)
    write(tmp_path / "x.tmp.json", BELOW_MIN)
    write(tmp_path / "ignored" / "bad.json", BELOW_MIN)
    (tmp_path / ".gitignore").write_text("ignored/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    done = comfylint("check", ".", "--output-format", "json", cwd=tmp_path)
    assert [d["file"] for d in json.loads(done.stdout)["diagnostics"]] == ["wf/bad.json"]
    # A file named on the command line is linted even if excluded, unless --force-exclude.
    assert comfylint("check", "generated/bad.json", cwd=tmp_path).returncode == 1
    assert comfylint("check", "generated/bad.json", "--force-exclude", cwd=tmp_path).returncode == 0
    # --isolated: no config, so nothing excludes it
    assert comfylint("check", "--isolated", "generated/bad.json", "--force-exclude",
                     cwd=tmp_path).returncode == 1


def test_a_directory_named_on_the_command_line_is_walked_though_excluded_or_ignored(tmp_path):
    # As ruff and ripgrep do: what excludes the directory does not exclude what the user asked for.
    _project(tmp_path, "comfylint.toml", 'extend-exclude = ["generated"]\n')
    write(tmp_path / "generated" / "bad.json", BELOW_MIN)
    write(tmp_path / "out" / "api" / "bad.json", BELOW_MIN)
    (tmp_path / ".gitignore").write_text("out/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for directory, expected in (("generated", ["generated/bad.json"]),
                                ("out", ["out/api/bad.json"]), ("out/api", ["out/api/bad.json"])):
        done = comfylint("check", directory, "--output-format", "json", cwd=tmp_path)
        assert sorted(d["file"] for d in json.loads(done.stdout)["diagnostics"]) == expected
    # Walking the project leaves them out; so does --force-exclude (pre-commit) on the folder.
    done = comfylint("check", ".", "--output-format", "json", cwd=tmp_path)
    assert [d["file"] for d in json.loads(done.stdout)["diagnostics"]] == ["wf/bad.json"]
    done = comfylint("check", "out", "--force-exclude", cwd=tmp_path)
    assert done.returncode == 2 and "nothing was checked" in done.stderr


def test_include_limits_walked_files(tmp_path):
    _project(tmp_path, "comfylint.toml", 'include = ["api/*.json"]\n')
    write(tmp_path / "api" / "bad.json", BELOW_MIN)
    done = comfylint("check", ".", "--output-format", "json", cwd=tmp_path)
    assert [d["file"] for d in json.loads(done.stdout)["diagnostics"]] == ["api/bad.json"]


def test_show_settings_for_a_file(tmp_path):
    _project(tmp_path, "comfylint.toml",
             'baseline = "comfylint-baseline.json"\n[per-file-ignores]\n"wf/*" = ["T3"]\n')
    done = comfylint("check", "--show-settings", "wf/bad.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "# wf/bad.json" in done.stdout
    assert '"T304"' in done.stdout.split("# wf/bad.json")[1]
    assert str(tmp_path / "comfylint-baseline.json") in done.stdout


def test_the_gateway_merges_a_configuration_with_its_flags_as_check_does(tmp_path):
    from comfylint.project.config import load_config
    from comfylint.serve.configuration import configured

    (tmp_path / "comfylint.toml").write_text(
        'select = ["T3"]\nextend-select = ["G1"]\nignore = ["T308"]\nfail-on = "warning"\n'
        'severity = {T306 = "warning", T304 = "warning"}\nallow-unknown-nodes = ["My*"]\n'
        'editor-only-nodes = ["Virtual*"]\nobject-info = "oi.json"\nserver = "http://x:8188"\n'
        'comfyui-dir = "comfy"\ncomfyui-version = "0.3.64"\ninclude = ["wf/*.json"]\n')
    config = load_config(tmp_path / "comfylint.toml")
    validator, sources = configured(config)
    assert validator == {"select": ["T3"], "extend_select": ["G1"], "ignore": ["T308"],
                         "severity": {"T306": "warning", "T304": "warning"},
                         "allow_unknown_nodes": ["My*"], "editor_only_nodes": ["Virtual*"],
                         "fail_on": "warning"}
    assert sources == {"object_info": str(tmp_path / "oi.json"), "comfyui_dir": str(tmp_path / "comfy"),
                       "comfyui_version": "0.3.64"}  # no `server`: the gate reads its --upstream
    validator, sources = configured(
        config, select=("N",), extend_select=("M4",), ignore=("N204",), severity={"T304": "error"},
        allow_unknown_nodes=("Other",), fail_on="error",
        sources={"snapshot": "snap.json", "comfyui_dir": None, "comfyui_version": "0.26.0"})
    assert validator == {"select": ["N"], "extend_select": ["G1", "M4"], "ignore": ["T308", "N204"],
                         "severity": {"T306": "warning", "T304": "error"},
                         "allow_unknown_nodes": ["My*", "Other"], "editor_only_nodes": ["Virtual*"],
                         "fail_on": "error"}
    assert sources == {"snapshot": "snap.json", "comfyui_dir": str(tmp_path / "comfy"),
                       "comfyui_version": "0.26.0"}
