"""The command line. Thin: parse options, call the engine, pick a renderer, choose the exit code.

Exit codes: 0 nothing at or above --fail-on; 1 findings; 2 usage, configuration or internal error.
"""
from __future__ import annotations

import sys
from typing import Sequence

import click

from . import __version__
from .commands.options import catalog_source_options

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
OUTPUT_FORMATS = ("full", "concise", "json", "sarif", "github", "junit", "gitlab")
FAIL_ON = ("error", "warning", "info", "never")


# Commands that live in their own modules, imported only when run (a pre-commit hook pays for
# the `check` path alone): name -> "module:attribute" under comfylint.commands.
LAZY_COMMANDS = {
    "baseline": "baseline:baseline",
    "convert": "convert:convert",
    "packs": "packs:packs",
    "probe": "probe:probe",
    "snapshot": "snapshot:snapshot",
}


class DefaultCheckGroup(click.Group):
    """`comfylint wf.json` means `comfylint check wf.json`; subcommands load lazily."""

    def list_commands(self, ctx):
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx, name):
        if name in self.commands or name not in LAZY_COMMANDS:
            return self.commands.get(name)
        import importlib

        module_name, attribute = LAZY_COMMANDS[name].split(":")
        module = importlib.import_module(f"{__package__}.commands.{module_name}")
        return getattr(module, attribute)

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.list_commands(ctx) and (
                args[0] == "-" or not args[0].startswith("-")):
            args = ["check", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=DefaultCheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="comfylint")
def cli() -> None:
    """Lint ComfyUI workflows: the server's own verdicts, offline, and much it lets through."""


def _rule_list(values: Sequence[str], option: str):
    from .rules import resolve_selector, suggest_selector

    chosen = []
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            try:
                chosen.extend(resolve_selector(part))
            except KeyError:
                hint = suggest_selector(part.strip())
                raise click.UsageError(f"{option}: unknown rule {part.strip()!r}"
                                       + (f" (did you mean {hint!r}?)" if hint else "")) from None
    return chosen


def selected_rules(select, extend_select, ignore):
    from .rules import all_rules

    rules = _rule_list(select, "--select") if select else list(all_rules())
    rules += [r for r in _rule_list(extend_select, "--extend-select") if r not in rules]
    ignored = set(r.code for r in _rule_list(ignore, "--ignore"))
    return [r for r in rules if r.code not in ignored]


def load_catalog(object_info: str | None, **sources):
    """The run's catalog from --object-info/--snapshot/--server/... (catalog/sources.py)."""
    from .catalog.sources import CatalogSources, SourceError, build_catalog

    try:
        return build_catalog(CatalogSources(object_info=object_info, **sources))
    except SourceError as exc:
        error = click.ClickException(str(exc))
        error.exit_code = EXIT_ERROR
        raise error from None


def exit_code(results, fail_on: str) -> int:
    from .diagnostics import Severity

    if any(d.code == "C002" for r in results for d in r.diagnostics):
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(fail_on)
    failing = any(d.severity >= threshold for r in results for d in r.diagnostics)
    return EXIT_FINDINGS if failing else EXIT_OK


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--object-info", type=click.Path(dir_okay=False),
              help="A server's GET /object_info response: check nodes, models and files against it.")
@click.option("--require-format", type=click.Choice(["any", "api", "ui"]), default=None,
              help="Reject files in the other format (api: what /prompt takes). [default: the "
                   "config's require-format, else any]")
@click.option("--envelope", type=click.Choice(["auto", "none", "comfyui-prompt", "workflow-id",
                                                "runpod", "workflow-inputs"]),
              default="auto", show_default=True,
              help="How to read each file: sniffed, a bare graph, or a given request body.")
@click.option("--output-format", "output_format", type=click.Choice(OUTPUT_FORMATS),
              default="full", show_default=True)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False),
              help="Write the report here instead of standard output.")
@click.option("--select", multiple=True, help="Only these rules (codes, names or prefixes; ALL).")
@click.option("--extend-select", multiple=True, help="Add rules to the selection.")
@click.option("--ignore", multiple=True, help="Skip these rules.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Lowest severity that makes the exit code 1. [default: the config's, else error]")
@click.option("--stdin-filename", default="-", help="The name to report for standard input.")
@click.option("--color/--no-color", default=None, help="Colour output (default: on a terminal).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Use this configuration file (default: the closest comfylint.toml, "
                   ".comfylint.toml or pyproject.toml [tool.comfylint]).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--show-settings", metavar="FILE", type=click.Path(),
              help="Print the resolved configuration (and what applies to FILE), then exit.")
@click.option("--fix", is_flag=True, help="Apply safe fixes to the files, then report what is left.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix/--diff: apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; change nothing.")
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: automatic, parallel only for many files).")
@click.option("--no-cache", is_flag=True, help="Do not read or write .comfylint_cache/.")
@click.option("--force-exclude", is_flag=True,
              help="Apply the config's exclude to files named on the command line too, and skip "
                   "named non-workflow JSON silently (pre-commit passes files by name).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Do not report findings recorded in this baseline (`comfylint baseline write`).")
@click.option("--no-baseline", is_flag=True, help="Report everything, even baselined findings.")
@catalog_source_options
def check(paths, object_info, require_format, envelope, output_format, output_file, select,
          extend_select, ignore, fail_on, stdin_filename, color, config_file, isolated,
          show_settings, fix, unsafe_fixes, diff, statistics, jobs, no_cache, force_exclude,
          baseline_file, no_baseline, **sources) -> None:
    """Lint workflow files, directories (recursively) or - for standard input."""
    from .commands.checking import CheckInputs, lint_run, load_run_config
    from .render import RenderOptions

    inputs = CheckInputs(paths=paths or (show_settings or ".",), config_file=config_file,
                         isolated=isolated, select=select, extend_select=extend_select,
                         ignore=ignore, require_format=require_format, envelope=envelope,
                         sources=dict(sources, object_info=object_info), jobs=jobs,
                         use_cache=not no_cache, force_exclude=force_exclude,
                         baseline=baseline_file, use_baseline=not no_baseline)
    if show_settings:
        click.echo(load_run_config(inputs).show(show_settings))
        return
    if not paths:
        raise click.UsageError("give workflow files or directories to check (or - for stdin)")
    stdin_data = sys.stdin.buffer.read() if "-" in paths else None
    progress = sys.stderr if sys.stderr.isatty() and not output_file else None
    fix_mode = "diff" if diff else "write" if fix else None
    config, _job, report = lint_run(inputs, stdin_data=stdin_data, stdin_name=stdin_filename,
                                    progress_stream=progress, fix=fix_mode,
                                    unsafe_fixes=unsafe_fixes)
    results = report.results
    missing = [p for p in paths if p != "-" and not _exists(p)]
    if diff:
        from .fix import unified_diff

        for outcome in report.fixes:
            click.echo(unified_diff(outcome), nl=False)
        click.echo(f"comfylint: {sum(len(o.applied) for o in report.fixes)} fix(es) available in "
                   f"{len(report.fixes)} file(s)", err=True)
        sys.exit(EXIT_FINDINGS if report.fixes else exit_code(results, "never"))
    if fix and report.fixes:
        click.echo(f"comfylint: applied {sum(len(o.applied) for o in report.fixes)} fix(es) in "
                   f"{len(report.fixes)} file(s)", err=True)
    if output_file:
        with click.open_file(output_file, "w", encoding="utf-8", atomic=True) as stream:
            _report(output_format, statistics, report, stream, RenderOptions(color=False))
    else:
        stream = sys.stdout
        use_color = stream.isatty() if color is None else color
        _report(output_format, statistics, report, stream, RenderOptions(color=use_color))
    if missing:
        click.echo(f"comfylint: no such file or directory: {', '.join(missing)}", err=True)
    sys.exit(exit_code(results, fail_on or config.get("fail-on", "error")))


def _report(output_format, statistics, report, stream, render_options) -> None:
    from .render import render

    if statistics:
        from .render import statistics as stats

        stats.render(report.results, stream, output_format == "json", report.suppressed,
                     report.cached)
        return
    render(output_format, report.results, stream, render_options)


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)


@cli.command("rules")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity, server error type."""
    from .rules import all_rules

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


@cli.command("rule")
@click.argument("code_or_name")
def show_rule(code_or_name: str) -> None:
    """Print a rule's documentation (what, why, example, fix)."""
    from .resources import data_dir
    from .rules import rules_by_key, suggest_selector

    rule = rules_by_key().get(code_or_name) or rules_by_key().get(code_or_name.upper())
    if rule is None:
        hint = suggest_selector(code_or_name)
        raise click.UsageError(f"unknown rule {code_or_name!r}"
                               + (f" (did you mean {hint!r}?)" if hint else ""))
    doc = data_dir("rules") / f"{rule.code}-{rule.name}" / "rule.md"
    click.echo(doc.read_text(encoding="utf-8").rstrip())


def main(argv: Sequence[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="comfylint", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("comfylint: interrupted", err=True)
        sys.exit(EXIT_ERROR)
