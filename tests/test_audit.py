"""Repository audits: the content-hash cache, parallel workers, stdin, and what is skipped."""
from __future__ import annotations

import io
import json

from ci_support import comfylint, findings, variant, write


def _stats(done) -> dict:
    return json.loads(done.stdout)


def test_cache_is_tagged_reused_and_invalidated(tmp_path):
    write(tmp_path / "a.json", variant(**{"3": {"steps": 0}}))
    write(tmp_path / "b.json", variant())
    first = _stats(comfylint("check", ".", "--statistics", "--output-format", "json", cwd=tmp_path))
    assert first["cached"] == 0
    tag = tmp_path / ".comfylint_cache" / "CACHEDIR.TAG"
    assert tag.read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    second = _stats(comfylint("check", ".", "--statistics", "--output-format", "json", cwd=tmp_path))
    assert second["cached"] == 2 and second["rules"] == first["rules"]
    # The cache keeps the findings' full detail (lines, fixes) for every output format.
    assert findings(comfylint("check", ".", "--output-format", "json", cwd=tmp_path)) == [
        ("a.json", "T304")]

    write(tmp_path / "b.json", variant(**{"3": {"cfg": -1}}))  # content changed
    third = _stats(comfylint("check", ".", "--statistics", "--output-format", "json", cwd=tmp_path))
    assert third["cached"] == 1 and third["rules"][0]["count"] == 2

    (tmp_path / "comfylint.toml").write_text('ignore = ["T304"]\n', encoding="utf-8")  # config
    fourth = _stats(comfylint("check", ".", "--statistics", "--output-format", "json", cwd=tmp_path))
    assert fourth["cached"] == 0 and fourth["rules"] == []


def test_no_cache_leaves_no_directory(tmp_path):
    write(tmp_path / "a.json", variant())
    assert comfylint("check", ".", "--no-cache", cwd=tmp_path).returncode == 0
    assert not (tmp_path / ".comfylint_cache").exists()


def test_object_info_identity_is_part_of_the_key(tmp_path):
    from conftest import ROOT

    object_info = tmp_path / "object_info.json"
    object_info.write_bytes((ROOT / "tests" / "fixtures" / "object_info.small.json").read_bytes())
    write(tmp_path / "wf" / "a.json", variant())
    args = ("check", "wf", "--statistics", "--output-format", "json", "--object-info",
            "object_info.json")
    comfylint(*args, cwd=tmp_path)
    assert _stats(comfylint(*args, cwd=tmp_path))["cached"] == 1
    smaller = json.loads(object_info.read_text(encoding="utf-8"))
    smaller.pop(sorted(smaller)[0])
    object_info.write_text(json.dumps(smaller), encoding="utf-8")
    assert _stats(comfylint(*args, cwd=tmp_path))["cached"] == 0


def test_parallel_and_serial_runs_agree(tmp_path):
    for index in range(40):
        workflow = variant(**{"3": {"steps": index % 3}})  # steps 0 fails, 1 and 2 pass
        write(tmp_path / f"wf{index:02}.json", workflow)
    serial = comfylint("check", ".", "--jobs", "1", "--no-cache", "--output-format", "json",
                       cwd=tmp_path)
    parallel = comfylint("check", ".", "--jobs", "2", "--no-cache", "--output-format", "json",
                         cwd=tmp_path)
    # below-min is an error: KSampler's steps minimum held in every bundled release
    assert serial.returncode == parallel.returncode == 1
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)
    assert len(json.loads(serial.stdout)["diagnostics"]) == 14


def test_non_workflow_json_is_skipped_silently(tmp_path):
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}', encoding="utf-8")
    (tmp_path / "tsconfig.json").write_text('{\n  // comments\n  "compilerOptions": {}\n}\n',
                                            encoding="utf-8")
    (tmp_path / "data.json").write_text('{"rows": [1, 2, 3]}', encoding="utf-8")
    done = comfylint("check", ".", cwd=tmp_path)
    assert done.returncode == 0 and "F00" not in done.stdout
    named = comfylint("check", "package.json", "tsconfig.json", "data.json", "--force-exclude",
                      cwd=tmp_path)
    assert named.returncode == 0 and "F00" not in named.stdout


def test_stdin_is_linted_and_never_cached(tmp_path):
    done = comfylint("check", "-", "--stdin-filename", "wf.json", "--output-format", "json",
                     cwd=tmp_path, stdin=json.dumps(variant(**{"3": {"steps": 0}})))
    assert findings(done) == [("wf.json", "T304")]
    assert not (tmp_path / ".comfylint_cache").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_only_for_long_runs():
    from comfylint.cli.check import PROGRESS_MIN_FILES, progress_bar  # click's progress bar

    assert progress_bar(PROGRESS_MIN_FILES, io.StringIO()) is None
    assert progress_bar(PROGRESS_MIN_FILES - 1, _Terminal()) is None
    stream = _Terminal()
    advance = progress_bar(400, stream)
    advance(100)
    assert stream.getvalue().rstrip().endswith("100/400")
    advance(None)
    assert stream.getvalue().endswith("\n")
