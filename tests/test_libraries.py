"""Maintained libraries where they serve: configuration globs have .gitignore semantics
(pathspec; the plain-pattern fast path, component matching without importing pathspec, agrees
with it), the user cache follows the platform's convention (platformdirs), and none of them, nor
PyYAML, is imported by a plain check. (extra_model_paths.yaml: tests/test_env_models.py.)"""
from __future__ import annotations

import json
import os
import sys

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ci_support import comfylint, variant, write
from comfylint.project.config import DEFAULT_EXCLUDE, GlobSet, _is_plain


@pytest.mark.parametrize("pattern,matching,other", [
    ("/top.json", ["top.json"], ["a/top.json"]),
    ("doc/**/x.json", ["doc/x.json", "doc/a/b/x.json"], ["x.json", "other/doc/x.json"]),
    ("wf/*.json", ["wf/a.json"], ["wf/sub/a.json", "a/wf/b.json"]),
    ("vendor", ["vendor/x.json", "a/vendor/b/c.json"], ["vendors/x.json"]),
    ("*.png", ["a.png", "d/e.png"], ["a.json"]),
    ("./legacy/old.json", ["legacy/old.json"], ["x/legacy/old.json"]),
])
def test_gitignore_semantics(pattern, matching, other):
    globs = GlobSet((pattern,))
    assert [p for p in matching if globs.matches(p)] == matching
    assert [p for p in other if globs.matches(p)] == []


def test_a_trailing_slash_matches_folders_only_and_negation_reincludes():
    globs = GlobSet(("build/", "*.json", "!keep.json"))
    assert globs.matches("build", is_dir=True) and not globs.matches("build")
    assert globs.matches("a.json") and not globs.matches("keep.json")


def test_the_default_excludes_take_the_fast_path():
    assert all(_is_plain(p) for p in DEFAULT_EXCLUDE)
    assert GlobSet(DEFAULT_EXCLUDE)._components is not None


names = st.sampled_from(["a", "b.json", "x.png", "vendor", "node_modules", ".git", "wf"])
plain = st.sampled_from(["*.json", "vendor", "x.*", "?.json", "[ab]", ".git", "*", "wf"])


@settings(max_examples=50)  # every branch of GlobSet's matching at 30 examples as at 150 (coverage.py)
@given(st.lists(plain, min_size=1, max_size=3), st.lists(names, min_size=1, max_size=4))
def test_the_fast_path_agrees_with_pathspec(patterns, parts):
    path = "/".join(parts)
    assert GlobSet(tuple(patterns)).matches(path) == \
        pathspec.GitIgnoreSpec.from_lines(patterns).match_file(path)


def test_excludes_and_includes_walk_as_configured(tmp_path):
    for name in ("top.json", "x/top.json", "wf/a.json", "wf/sub/b.json"):
        write(tmp_path / name, variant())
    (tmp_path / "comfylint.toml").write_text(
        'include = ["**/top.json", "wf/*.json"]\nextend-exclude = ["/top.json"]\n', encoding="utf-8")
    done = comfylint("check", ".", "--output-format", "json", cwd=tmp_path)
    assert sorted(f["path"] for f in json.loads(done.stdout)["files"]) == ["wf/a.json", "x/top.json"]


def test_the_user_cache_follows_the_platform_unless_told(monkeypatch, tmp_path):
    """$COMFYLINT_CACHE_DIR wins; otherwise platformdirs' convention ($XDG_CACHE_HOME on Linux,
    ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows)."""
    import platformdirs

    from comfylint.resources import user_cache_dir

    monkeypatch.setenv("COMFYLINT_CACHE_DIR", str(tmp_path / "mine"))
    assert user_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("COMFYLINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert str(user_cache_dir()) == platformdirs.user_cache_dir("comfylint", appauthor=False)
    if sys.platform.startswith("linux"):
        assert user_cache_dir() == tmp_path / "xdg" / "comfylint"


def test_a_plain_check_imports_none_of_them(tmp_path):
    """They load on demand: a check of a folder with the default excludes needs none."""
    import subprocess

    write(tmp_path / "wf.json", variant())
    probe = ("import sys; from comfylint.cli import main\n"
             "try:\n    main(['check', '.', '--no-cache'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('yaml', 'pathspec', 'platformdirs') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, "COMFYLINT_CACHE_DIR": str(tmp_path / "c")})
    assert done.stdout.strip().endswith("[]"), done.stdout + done.stderr
