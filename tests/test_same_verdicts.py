"""One document, one verdict, whichever way it comes in: `check`, the Python API, `probe` (its
lint of the files against the live server) and `serve` (POST /validate_prompt to the real
process: the gate the suite shares, conftest.py) all find the same findings in the same files,
against the same server (which wants a token), suppressions included."""
from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

from click.testing import CliRunner
from loopback import GATE_TOKEN
from test_probe_cli import workflow

import comfylint
from comfylint.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FILES = [*sorted((ROOT / "examples" / "api").glob("*.json")),
         *sorted((ROOT / "examples" / "requests").glob("*.json")),
         ROOT / "rules" / "G106-output-dropped" / "bad" / "second-output-broken.json",
         ROOT / "rules" / "G101-dangling-link" / "bad" / "link-to-deleted-node.json",
         ROOT / "rules" / "F001-invalid-json" / "bad" / "cut-short.json"]


def identity(finding: dict) -> tuple:
    return (finding["code"], finding["severity"], finding["node_id"], finding["input"],
            finding["line"], finding["column"], finding["message"])


def by_file(diagnostics: list[dict], names: dict[str, str]) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {name: [] for name in names.values()}
    for finding in diagnostics:
        found[names[finding["file"]]].append(identity(finding))
    return {name: sorted(items) for name, items in found.items()}


def test_check_api_probe_and_serve_agree(tmp_path, upstream, gate):
    files = []
    for source in FILES:
        assert source.exists(), source
        files.append(str(shutil.copy(source, tmp_path / f"{source.parent.parent.name}-{source.name}")))
    suppressed = workflow(**{"3": {"steps": 0, "cfg": 500.0}})
    suppressed["3"]["_meta"] = {"comfylint": {"ignore": ["T304"], "reason": "patched per run"}}
    (tmp_path / "suppressed.json").write_text(json.dumps(suppressed, indent=2))
    files.append(str(tmp_path / "suppressed.json"))
    names = {str(path): Path(path).name for path in files}

    checked = CliRunner().invoke(cli, ["check", "--server", upstream.url, "--token", GATE_TOKEN, "--output-format",
                                       "json", "--no-cache", *files])
    assert checked.exit_code == 1, checked.output
    via_check = by_file(json.loads(checked.output)["diagnostics"], names)

    catalog = comfylint.load_catalog(server=upstream.url, token=GATE_TOKEN)
    via_api = {names[path]: sorted(identity(d.to_dict()) for d in
                                   comfylint.lint_file(path, catalog)) for path in files}

    probed = CliRunner().invoke(cli, ["probe", "--server", upstream.url, "--token", GATE_TOKEN, "--output-format",
                                      "json", *files])
    via_probe = by_file(json.loads(probed.output)["lint"]["diagnostics"], names)

    via_serve = {}
    for path in files:
        request = urllib.request.Request(gate.url + "/validate_prompt",
                                         data=Path(path).read_bytes(), method="POST")
        with urllib.request.urlopen(request, timeout=30) as answer:
            verdict = json.loads(answer.read())
        via_serve[names[path]] = sorted(identity(d) for d in verdict["comfylint"]["diagnostics"])

    assert via_check["suppressed.json"] and not any(
        f[0] == "T304" for f in via_check["suppressed.json"])  # the node's suppression held
    assert any(via_check.values())
    assert via_api == via_check
    assert via_probe == via_check
    assert via_serve == via_check
