"""--fix: safe vs --unsafe-fixes, --diff, formatting kept byte for byte outside the edits,
idempotence, re-lint after fixing, and the splice machinery on its own."""
from __future__ import annotations

import json

import pytest

from ci_support import comfylint, variant, write
from comfylint.diagnostics import Edit, Fix
from comfylint.project.fix import apply_fixes
from comfylint.load.positions import PositionIndex

# G103 (int link id) and T306 ('Euler' -> 'euler') have safe fixes; T304 (clamp) and T301
# (missing input with a default) have unsafe ones.
BROKEN = variant(**{"3": {"steps": 0, "sampler_name": "Euler"}, "8": {"vae": [4, 2]}})
del BROKEN["5"]["inputs"]["batch_size"]


def _codes(done) -> list[str]:
    return sorted(d["code"] for d in json.loads(done.stdout)["diagnostics"])


def test_safe_fixes_only_by_default_and_formatting_kept(tmp_path):
    path = write(tmp_path / "wf.json", BROKEN, indent=4)
    before = path.read_text()
    done = comfylint("check", "wf.json", "--fix", "--output-format", "json", cwd=tmp_path)
    assert done.returncode == 1
    assert _codes(done) == ["T301", "T304"]  # the unsafe ones are left, re-linted
    after = path.read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [('            "sampler_name": "Euler",', '            "sampler_name": "euler",'),
                       ("                4,", '                "4",')]
    assert list(json.loads(after)) == list(BROKEN)  # key order kept
    assert "applied 2 fix(es) in 1 file(s)" in done.stderr


def test_unsafe_fixes_and_idempotence(tmp_path):
    path = write(tmp_path / "wf.json", BROKEN)
    done = comfylint("check", "wf.json", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    fixed = path.read_bytes()
    document = json.loads(fixed)
    assert document["5"]["inputs"]["batch_size"] == 1 and document["3"]["inputs"]["steps"] == 1
    assert list(document["5"]["inputs"]) == ["width", "height", "batch_size"]
    again = comfylint("check", "wf.json", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert again.returncode == 0 and path.read_bytes() == fixed and "applied" not in again.stderr


def test_diff_previews_without_writing(tmp_path):
    path = write(tmp_path / "wf.json", BROKEN)
    before = path.read_bytes()
    done = comfylint("check", "wf.json", "--diff", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith("--- a/wf.json\n+++ b/wf.json\n")
    assert '-      "sampler_name": "Euler",\n+      "sampler_name": "euler",' in done.stdout
    assert path.read_bytes() == before
    clean = write(tmp_path / "clean.json", variant())
    assert comfylint("check", clean.name, "--diff", cwd=tmp_path).returncode == 0


def test_compact_crlf_and_bom_files_keep_their_style(tmp_path):
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(BROKEN, separators=(",", ":")), encoding="utf-8")
    crlf = tmp_path / "crlf.json"
    crlf.write_bytes(b"\xef\xbb\xbf" + json.dumps(BROKEN, indent="\t").replace("\n", "\r\n").encode())
    done = comfylint("check", ".", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    text = compact.read_text()
    assert "\n" not in text and '"batch_size":1' in text and '"vae":["4",2]' in text
    data = crlf.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    assert b'\r\n\t\t\t"batch_size": 1\r\n' in data


def test_fixes_skip_files_with_duplicate_keys(tmp_path):
    text = json.dumps(BROKEN, indent=2)
    text = text.replace('"9": {', '"9": {"class_type": "SaveImage", ', 1)
    path = tmp_path / "dup.json"
    path.write_text(text, encoding="utf-8")
    comfylint("check", "dup.json", "--fix", cwd=tmp_path)
    assert path.read_text() == text


@pytest.mark.parametrize("text,edit,expected", [
    ('{"a": {}}', Edit("/a/b", 1), '{"a": {"b": 1}}'),
    ('{"a": {"x": 1}}', Edit("/a/b", [1, 2]), '{"a": {"x": 1, "b": [1, 2]}}'),
    ('{\n  "a": {\n    "x": 1\n  }\n}', Edit("/a/b", {"k": 1}),
     '{\n  "a": {\n    "x": 1,\n    "b": {\n      "k": 1\n    }\n  }\n}'),
    ('{"a": [1, 2, 3]}', Edit("/a/1", remove=True), '{"a": [1, 3]}'),
    ('{"a": 1, "b": 2}', Edit("/a", remove=True), '{"b": 2}'),
    ('{"a": 1, "b": 2}', Edit("/b", remove=True), '{"a": 1}'),
    ('{"wrap": {"x": 1}}', Edit("", {"x": 1}), '{"x": 1}'),
])
def test_splices(text, edit, expected):
    new_text, applied = apply_fixes(text, PositionIndex(text), [Fix("f", [edit])])
    assert (new_text, applied) == (expected, ["f"])


def test_overlapping_fixes_wait_for_the_next_pass():
    text = '{"a": {"b": 1}}'
    fixes = [Fix("outer", [Edit("/a", {"b": 2})]), Fix("inner", [Edit("/a/b", 3)])]
    new_text, applied = apply_fixes(text, PositionIndex(text), fixes)
    assert applied == ["outer"] and json.loads(new_text) == {"a": {"b": 2}}


def test_an_edit_into_nothing_is_skipped():
    text = '{"a": 1}'
    fixes = [Fix("bad", [Edit("/missing/deep", 1)])]
    assert apply_fixes(text, PositionIndex(text), fixes) == (text, [])


def test_a_fix_that_changes_nothing_is_not_applied():
    text = '{"a": 1}'
    fixes = [Fix("same", [Edit("/a", 1)])]
    assert apply_fixes(text, PositionIndex(text), fixes) == (text, [])
