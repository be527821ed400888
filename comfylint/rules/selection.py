"""Which rules run: selectors (codes, kebab-case names, code prefixes, ALL) to rules.

The command line, the configuration, node-level suppressions and the Python API all name rules
the same way; an unknown selector is a ComfylintError with a did-you-mean.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..diagnostics import Severity
from ..errors import ComfylintError
from . import RuleEntry, entries_by_key, rule_index
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


def resolve_selector(selector: str) -> list[RuleEntry]:
    """A code (T302), a name (link-type-mismatch), a code prefix (T3, T) or ALL: the rules' index
    entries (no rule module is imported to select)."""
    text = selector.strip()
    if text.upper() == "ALL":
        return list(rule_index().values())
    table = entries_by_key()
    if text in table:
        return [table[text]]
    upper = text.upper()
    if upper in table:
        return [table[upper]]
    if upper and upper[0].isalpha() and (upper[1:].isdigit() or len(upper) == 1) and len(upper) < 4:
        matched = [entry for entry in rule_index().values() if entry.code.startswith(upper)]
        if matched:
            return matched
    raise UnknownRule(text)


def suggest_selector(selector: str) -> str | None:
    import difflib

    close = difflib.get_close_matches(selector.strip(), list(entries_by_key()), n=1, cutoff=0.6)
    return close[0] if close else None


def resolve_selectors(selectors: str | Iterable[str | Rule | RuleEntry],
                      where: str = "") -> list[RuleEntry | Rule]:
    """Rules for several selectors (a comma-separated string or a list; Rule objects and index
    entries pass through); blank entries are ignored, a rule named twice counts once. Unknown
    ones raise UnknownRule naming `where`."""
    if isinstance(selectors, str):
        selectors = [selectors]
    rules: list = []
    codes: set[str] = set()
    for selector in selectors:
        if isinstance(selector, (Rule, RuleEntry)):
            parts: list = [selector]
        elif isinstance(selector, str):
            parts = [part for part in selector.split(",") if part.strip()]
        else:
            raise UnknownRule(repr(selector), where)
        for part in parts:
            found: Sequence[Rule | RuleEntry]
            if isinstance(part, (Rule, RuleEntry)):
                found = [part]
            else:
                try:
                    found = resolve_selector(part)
                except UnknownRule:
                    raise UnknownRule(part.strip(), where) from None
            for rule in found:
                if rule.code not in codes:
                    codes.add(rule.code)
                    rules.append(rule)
    return rules


def select_rules(select: Iterable[str | Rule | RuleEntry] | str | None = None,
                 extend_select: Iterable[str | Rule | RuleEntry] | str = (),
                 ignore: Iterable[str | Rule | RuleEntry] | str = ()) -> tuple[RuleEntry | Rule, ...]:
    """The rules a run uses, as ruff decides: `select` (None: every rule) plus `extend_select`,
    minus `ignore`, in code order. Index entries (a Rule an API caller passed stays itself): the
    engine imports a rule when it first runs (rules.as_rule)."""
    chosen = resolve_selectors(select, "select") if select is not None \
        else list(rule_index().values())
    codes = {rule.code for rule in chosen}
    chosen += [rule for rule in resolve_selectors(extend_select, "extend-select")
               if rule.code not in codes]
    ignored = {rule.code for rule in resolve_selectors(ignore, "ignore")}
    rules = tuple(sorted((rule for rule in chosen if rule.code not in ignored),
                         key=lambda rule: rule.code))
    if not rules:  # e.g. `--select "$EMPTY_CI_VARIABLE"`: a gate that checks nothing must not pass
        raise ComfylintError("the rule selection is empty (select, extend-select and ignore "
                             "leave no rule to run)")
    return rules


def severity_overrides(table: Mapping[str, object], where: str = "severity") -> dict[str, Severity]:
    """{code: Severity} for a {selector: level} table (a selector may name several rules), as the
    configuration's `severity` table and the Python API give it. An unknown selector or level is
    a ComfylintError."""
    overrides: dict[str, Severity] = {}
    for selector, level in table.items():
        try:
            parsed = level if isinstance(level, Severity) else Severity.parse(str(level))
        except ValueError as exc:
            raise ComfylintError(f"{where} of {selector!r}: {exc}") from None
        for rule in resolve_selectors([selector], where):
            overrides[rule.code] = parsed
    return overrides
