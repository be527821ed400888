"""`comfylint rules` and `comfylint rule CODE`: the rule catalogue."""
from __future__ import annotations

import click


@click.command("rules")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity, server error type."""
    from ..rules import all_rules

    rules = all_rules()
    if output_format == "json":
        import json

        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity.label,
                                "category": r.category, "fixable": r.fixable,
                                "server_error_type": r.server_error_type, "summary": r.summary}
                               for r in rules], indent=2))
        return
    for rule in rules:
        fix = "fix" if rule.fixable else "   "
        click.echo(f"{rule.code}  {rule.name:<26} {rule.severity.label:<8} {fix}  {rule.summary}")


@click.command("rule")
@click.argument("code_or_name")
def show_rule(code_or_name: str) -> None:
    """Print a rule's documentation (what, why, example, fix)."""
    from ..resources import data_dir
    from ..rules import rules_by_key
    from ..rules.selection import UnknownRule

    rule = rules_by_key().get(code_or_name) or rules_by_key().get(code_or_name.upper())
    if rule is None:
        raise click.UsageError(str(UnknownRule(code_or_name)))
    doc = data_dir("rules") / f"{rule.code}-{rule.name}" / "rule.md"
    click.echo(doc.read_text(encoding="utf-8").rstrip())
