"""Exit codes never confuse a tool failure with findings or with success: 0 nothing at or above
--fail-on, 1 findings, 2 usage, configuration or internal error (a path that is not there, a
selection of no rule, a walk that finds nothing to check, a configuration that cannot be read)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ci_support import comfylint, variant, write

BROKEN = variant(**{"3": {"steps": 0}})  # T304


def test_a_missing_path_is_exit_2_whatever_rules_run(tmp_path):
    write(tmp_path / "good.json", variant())
    for extra in ([], ["--ignore", "F001"], ["--select", "T304"], ["--fail-on", "never"]):
        done = comfylint("check", "missing.json", "good.json", *extra, cwd=tmp_path)
        assert done.returncode == 2, (extra, done.stdout, done.stderr)
        assert "no such file or directory: missing.json" in done.stderr


def test_an_empty_selection_is_exit_2_not_a_pass(tmp_path):
    write(tmp_path / "broken.json", BROKEN)
    for args in (["--select", ""], ["--select", " , "], ["--select", "T304", "--ignore", "T"]):
        done = comfylint("check", "broken.json", *args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stdout)
        assert "the rule selection is empty" in done.stderr and "Traceback" not in done.stderr


def test_an_explicit_empty_select_in_the_config_is_exit_2(tmp_path):
    write(tmp_path / "broken.json", BROKEN)
    (tmp_path / "comfylint.toml").write_text("select = []\n", encoding="utf-8")
    done = comfylint("check", "broken.json", cwd=tmp_path)
    assert done.returncode == 2 and "the rule selection is empty" in done.stderr


def test_an_include_that_matches_nothing_is_exit_2(tmp_path):
    write(tmp_path / "workflows" / "broken.json", BROKEN)
    (tmp_path / "pyproject.toml").write_text('[tool.comfylint]\ninclude = ["flows/*.json"]\n',
                                             encoding="utf-8")
    done = comfylint("check", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "matches include = ['flows/*.json']" in done.stderr and "pyproject.toml" in done.stderr
    assert "All checks passed" not in done.stdout


def test_a_directory_with_nothing_to_check_is_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    done = comfylint("check", "empty", cwd=tmp_path)
    assert done.returncode == 2 and "nothing was checked" in done.stderr


def test_named_files_filtered_by_force_exclude_still_pass(tmp_path):
    """pre-commit names every staged JSON file: a commit of package.json alone passes."""
    (tmp_path / "package.json").write_text('{"name": "site"}\n', encoding="utf-8")
    done = comfylint("check", "--force-exclude", "package.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_walked_non_workflow_json_still_passes(tmp_path):
    (tmp_path / "data.json").write_text('{"rows": [1, 2]}', encoding="utf-8")
    assert comfylint("check", ".", cwd=tmp_path).returncode == 0


def test_a_config_file_that_cannot_be_read_is_exit_2(tmp_path):
    write(tmp_path / "broken.json", BROKEN)
    (tmp_path / "pyproject.toml").symlink_to(tmp_path / "gone.toml")
    done = comfylint("check", "broken.json", cwd=tmp_path)
    assert done.returncode == 2 and "pyproject.toml: cannot read" in done.stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_an_unreadable_pyproject_is_exit_2_not_ignored(tmp_path):
    write(tmp_path / "broken.json", BROKEN)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.comfylint]\nignore = ["T304"]\n', encoding="utf-8")
    pyproject.chmod(0)
    try:
        done = comfylint("check", "broken.json", cwd=tmp_path)
    finally:
        pyproject.chmod(0o644)
    assert done.returncode == 2 and "pyproject.toml: cannot read" in done.stderr


def test_a_user_cache_directory_that_cannot_be_searched_does_not_stop_checks(tmp_path):
    """Caches are optional: a cache path the system refuses (too long here; EACCES alike) is a
    cache that is not there."""
    write(tmp_path / "broken.json", BROKEN)
    unusable = str(tmp_path) + "/x" * 3000  # beyond PATH_MAX
    done = comfylint("check", "broken.json", "--no-cache", cwd=tmp_path,
                     env={"COMFYLINT_CACHE_DIR": unusable})
    assert done.returncode == 1 and "T304" in done.stdout, done.stderr
    object_info = Path(__file__).parent / "fixtures" / "object_info.small.json"  # catalog cache
    done = comfylint("check", "broken.json", "--object-info", str(object_info), cwd=tmp_path,
                     env={"COMFYLINT_CACHE_DIR": unusable})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
