"""Which rules run: selectors (codes, kebab-case names, code prefixes, ALL) to rules.

The command line, the configuration, node-level suppressions and the Python API all name rules
the same way; an unknown selector is a ComfylintError with a did-you-mean.
"""
from __future__ import annotations

from typing import Iterable

from ..errors import ComfylintError
from . import all_rules, rules_by_key
from .base import Rule


class UnknownRule(ComfylintError, KeyError):
    """A selector that names no rule."""

    def __init__(self, selector: str, where: str = "") -> None:
        hint = suggest_selector(selector)
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}unknown rule {selector!r}"
                         + (f" (did you mean {hint!r}?)" if hint else ""))
        self.selector = selector

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def resolve_selector(selector: str) -> list[Rule]:
    """A code (T302), a name (link-type-mismatch), a code prefix (T3, T) or ALL."""
    text = selector.strip()
    if text.upper() == "ALL":
        return list(all_rules())
    table = rules_by_key()
    if text in table:
        return [table[text]]
    upper = text.upper()
    if upper in table:
        return [table[upper]]
    if upper and upper[0].isalpha() and (upper[1:].isdigit() or len(upper) == 1) and len(upper) < 4:
        matched = [rule for rule in all_rules() if rule.code.startswith(upper)]
        if matched:
            return matched
    raise UnknownRule(text)


def suggest_selector(selector: str) -> str | None:
    import difflib

    close = difflib.get_close_matches(selector.strip(), list(rules_by_key()), n=1, cutoff=0.6)
    return close[0] if close else None


def resolve_selectors(selectors: "str | Iterable[str | Rule]", where: str = "") -> list[Rule]:
    """Rules for several selectors (a comma-separated string or a list; Rule objects pass
    through); blank entries are ignored. Unknown ones raise UnknownRule naming `where`."""
    if isinstance(selectors, str):
        selectors = [selectors]
    rules: list[Rule] = []
    for selector in selectors:
        if isinstance(selector, Rule):
            parts: list = [selector]
        elif isinstance(selector, str):
            parts = [part for part in selector.split(",") if part.strip()]
        else:
            raise UnknownRule(repr(selector), where)
        for part in parts:
            if isinstance(part, Rule):
                found = [part]
            else:
                try:
                    found = resolve_selector(part)
                except UnknownRule:
                    raise UnknownRule(part.strip(), where) from None
            rules.extend(rule for rule in found if rule not in rules)
    return rules


def select_rules(select: "Iterable[str | Rule] | str | None" = None,
                 extend_select: "Iterable[str | Rule] | str" = (),
                 ignore: "Iterable[str | Rule] | str" = ()) -> tuple[Rule, ...]:
    """The rules a run uses, as ruff decides: `select` (None: every rule) plus `extend_select`,
    minus `ignore`, in code order."""
    chosen = resolve_selectors(select, "select") if select is not None else list(all_rules())
    chosen += [rule for rule in resolve_selectors(extend_select, "extend-select")
               if rule not in chosen]
    ignored = {rule.code for rule in resolve_selectors(ignore, "ignore")}
    rules = tuple(sorted((rule for rule in chosen if rule.code not in ignored),
                         key=lambda rule: rule.code))
    if not rules:  # e.g. `--select "$EMPTY_CI_VARIABLE"`: a gate that checks nothing must not pass
        raise ComfylintError("the rule selection is empty (select, extend-select and ignore "
                             "leave no rule to run)")
    return rules
