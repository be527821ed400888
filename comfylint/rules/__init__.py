"""The rule registry: every Rule subclass in the category packages below, found by import.

Rules live one per module in `comfylint/rules/<category>/`. Adding a rule means adding a module
(and its `rules/<CODE>-<name>/` folder); nothing here needs editing.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from .base import Rule

CATEGORY_PACKAGES = ("file", "graph", "node", "types", "models", "security", "ui", "config")


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    found: dict[str, Rule] = {}
    for package_name in CATEGORY_PACKAGES:
        try:
            package = importlib.import_module(f"{__name__}.{package_name}")
        except ModuleNotFoundError:
            continue
        for module_info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{module_info.name}")
            for value in vars(module).values():
                if (isinstance(value, type) and issubclass(value, Rule) and value is not Rule
                        and value.__module__ == module.__name__ and "code" in vars(value)):
                    if value.code in found:
                        raise RuntimeError(f"rule code {value.code} is defined twice")
                    found[value.code] = value()
    return tuple(sorted(found.values(), key=lambda rule: rule.code))


def rules_by_key() -> dict[str, Rule]:
    """Codes and kebab-case names both resolve to the rule."""
    table: dict[str, Rule] = {}
    for rule in all_rules():
        table[rule.code] = rule
        table[rule.name] = rule
    return table
