"""Generate comfylint/rules/index.json, the rule registry's index, from the rule modules.

    python tools/rule_index.py --write     # after adding or changing a rule
    python tools/rule_index.py             # print what the index should be

The index lets a run select rules and decide which apply to a document (and which may find
anything there: a rule's `needs`, comfylint/rules/needs.py) without importing every rule module
(comfylint/rules/__init__.py); tests/test_rule_index.py fails when it is stale.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
INDEX = ROOT / "comfylint" / "rules" / "index.json"


def scan() -> dict[str, dict]:
    """code -> its index entry, for every Rule subclass defined in comfylint/rules/<category>/."""
    from comfylint.rules import CATEGORY_PACKAGES
    from comfylint.rules.base import Rule
    from comfylint.rules.needs import NEEDS

    found: dict[str, dict] = {}
    for category in CATEGORY_PACKAGES:
        package = importlib.import_module(f"comfylint.rules.{category}")
        for module_info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{module_info.name}")
            for value in vars(module).values():
                if (isinstance(value, type) and issubclass(value, Rule) and value is not Rule
                        and value.__module__ == module.__name__ and "code" in vars(value)):
                    if value.code in found:
                        raise SystemExit(f"rule code {value.code} is defined twice")
                    if value.needs and value.needs[0] not in NEEDS:
                        raise SystemExit(f"rule {value.code} needs {value.needs[0]!r}, which "
                                         "comfylint/rules/needs.py does not define")
                    found[value.code] = {
                        "name": value.name, "module": f"{category}.{module_info.name}",
                        "class": value.__name__, "formats": list(value.formats),
                        "phase": value.phase, "loader_findings": value.loader_findings,
                        "needs": list(value.needs)}
    return dict(sorted(found.items()))


def render(index: dict[str, dict]) -> str:
    lines = [f"  {json.dumps(code)}: {json.dumps(entry)}" for code, entry in index.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main() -> None:
    text = render(scan())
    if "--write" in sys.argv:
        INDEX.write_text(text, encoding="utf-8")
        print(f"wrote {INDEX.relative_to(ROOT)}")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
