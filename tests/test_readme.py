"""The README's promises: the rule table is current and the first screen's commands exist."""
from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import rule_table  # noqa: E402


def test_rule_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rule_table.refreshed(readme) == readme, "run: python tools/rule_table.py --write"


def test_first_screen_has_the_install_and_test_commands():
    first_screen = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:20]
    text = "\n".join(first_screen)
    assert "pip install -e . && comfylint check examples/" in text
    assert 'pip install -e ".[test]" && python -m pytest' in text
