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


def resolve_selector(selector: str) -> list[Rule]:
    """A code (T302), a name (link-type-mismatch), a code prefix (T3, T) or ALL."""
    text = selector.strip()
    if text.upper() == "ALL":
        return list(all_rules())
    table = rules_by_key()
    if text in table:
        return [table[text]]
    upper = text.upper()
    if upper and upper[0].isalpha() and (upper[1:].isdigit() or len(upper) == 1) and len(upper) < 4:
        matched = [rule for rule in all_rules() if rule.code.startswith(upper)]
        if matched:
            return matched
    raise KeyError(text)


def suggest_selector(selector: str) -> str | None:
    import difflib

    candidates = list(rules_by_key())
    close = difflib.get_close_matches(selector, candidates, n=1, cutoff=0.6)
    return close[0] if close else None
