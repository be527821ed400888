"""Every rule has a documented folder under rules/, and its examples do what the folder says.

rules/<CODE>-<name>/ holds rule.md (What / Why / Example / Fix), bad/ workflows that must produce
the rule's code, and good/ workflows that must produce no finding at all. A folder may hold the
sources a run can be given (rules that judge server state need them): an `object_info.json` (a
small server catalog in the real /object_info shape) or a `snapshot.json` for node definitions,
and a `manifest.json` for the server's files. Its examples are then linted against the catalog
catalog/sources.py builds from them, as `check --object-info/--snapshot/--manifest` would,
instead of the bundled core catalog.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ci_support import comfylint
from comfylint import Catalog, lint_file
from comfylint.catalog.sources import CatalogSources, build_catalog
from comfylint.rules import all_rules
from comfylint.rules.needs import NEEDS
from conftest import ROOT

RULES_DIR = ROOT / "rules"
SECTIONS = ("What", "Why", "Example", "Fix")
RULES = {f"{rule.code}-{rule.name}": rule for rule in all_rules()}


def _folders() -> list[str]:
    return sorted(p.name for p in RULES_DIR.iterdir() if p.is_dir())


def _examples(kind: str) -> list[tuple[str, Path]]:
    return [(folder, path) for folder in _folders()
            for path in sorted((RULES_DIR / folder / kind).glob("*")) if path.is_file()]


FOLDER_SOURCES = {"object_info": "object_info.json", "snapshot": "snapshot.json",
                  "manifest": "manifest.json"}


def _catalog(folder: str) -> Catalog:
    given = {source: str(RULES_DIR / folder / name) for source, name in FOLDER_SOURCES.items()
             if (RULES_DIR / folder / name).exists()}
    return build_catalog(CatalogSources(**given)) if given else Catalog.stock()


def test_registry_and_folders_match_exactly():
    assert sorted(RULES) == _folders()


@pytest.mark.parametrize("folder", sorted(RULES))
def test_rule_doc_has_the_four_sections(folder):
    text = (RULES_DIR / folder / "rule.md").read_text(encoding="utf-8")
    code, name = folder.split("-", 1)
    assert text.startswith(f"# {code} {name}\n")
    headings = re.findall(r"^## (\w+)\s*$", text, flags=re.MULTILINE)
    assert headings == list(SECTIONS), headings
    for section in re.split(r"^## \w+\s*$", text, flags=re.MULTILINE)[1:]:
        assert section.strip(), f"an empty section in {folder}/rule.md"


@pytest.mark.parametrize("folder", sorted(RULES))
def test_every_rule_has_bad_and_good_examples(folder):
    assert list((RULES_DIR / folder / "bad").glob("*")), f"{folder}/bad is empty"
    assert list((RULES_DIR / folder / "good").glob("*")), f"{folder}/good is empty"


@pytest.mark.parametrize("folder,path", _examples("bad"), ids=lambda v: getattr(v, "name", v))
def test_bad_example_yields_its_rule(folder, path, monkeypatch):
    code = folder.split("-", 1)[0]
    if code == "C002":
        # No workflow makes a rule crash: the only way to see C002 is a rule that raises.
        victim = next(rule for rule in all_rules() if rule.code == "T304")

        def crash(ctx):
            raise RuntimeError("simulated bug")

        monkeypatch.setattr(victim, "check", crash)
        # ... and one that runs: T304 runs only where a literal may be below a minimum.
        monkeypatch.setitem(NEEDS, victim.needs[0], lambda ctx, *arguments: True)
    found = lint_file(path, _catalog(folder))
    assert code in {d.code for d in found}, [(d.code, d.message) for d in found]
    if code == "C002":
        [crashed] = [d for d in found if d.code == "C002"]
        assert "T304" in crashed.message and "simulated bug" in crashed.message


@pytest.mark.parametrize("folder,path", _examples("good"), ids=lambda v: getattr(v, "name", v))
def test_good_example_yields_nothing(folder, path):
    found = lint_file(path, _catalog(folder))
    assert found == [], [(d.code, d.message) for d in found]


@pytest.mark.parametrize("selector", ["T302", "link-type-mismatch", "t302"])
def test_cli_prints_the_rule_doc(selector):
    done = comfylint("rule", selector)
    assert done.returncode == 0, done.stderr
    expected = (RULES_DIR / "T302-link-type-mismatch" / "rule.md").read_text(encoding="utf-8")
    assert done.stdout.strip() == expected.strip()


def test_cli_unknown_rule_is_a_usage_error_with_a_suggestion():
    done = comfylint("rule", "link-type-mismatc")
    assert done.returncode == 2
    assert "did you mean 'link-type-mismatch'" in done.stderr and "Traceback" not in done.stderr
