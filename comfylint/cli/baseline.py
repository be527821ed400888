"""`comfylint baseline write|prune`: adopt comfylint on a repository with known findings.

`write` records every current finding (after config and node-level suppressions) so that
`check` reports only new ones; `prune` drops entries whose findings are gone. Entries are keyed
by fingerprints (code, file, node id, class type, input), never by line numbers.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..project.check import CheckInputs, lint_run, load_run_config
from ..project.config import DEFAULT_BASELINE
from .options import catalog_source_options


@click.group("baseline")
def baseline() -> None:
    """Record current findings so that only new ones fail (write), or drop fixed ones (prune)."""


def _common(function):
    for option in reversed((
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
                     help=f"The baseline file [default: the config's baseline, else "
                          f"{DEFAULT_BASELINE} beside the config]."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False),
                     help="Use this configuration file."),
        click.option("--isolated", is_flag=True, help="Ignore every configuration file."),
        click.option("--require-format", type=click.Choice(["any", "api", "ui"]), default=None),
        click.option("--object-info", type=click.Path(dir_okay=False),
                     help="A server's GET /object_info response."),
        catalog_source_options,
    )):
        function = option(function)
    return function


def _inputs(paths, baseline_file, config_file, isolated, require_format, object_info, sources):
    inputs = CheckInputs(paths=paths or (".",), config_file=config_file, isolated=isolated,
                         require_format=require_format, sources=dict(sources, object_info=object_info))
    config = load_run_config(inputs)
    target = Path(baseline_file or config.get("baseline") or config.root / DEFAULT_BASELINE)
    inputs.baseline = str(target)
    return inputs, target


@baseline.command("write")
@_common
def write(paths, baseline_file, config_file, isolated, require_format, object_info, **sources):
    """Record every current finding in PATHS (default: .) in the baseline file."""
    from ..project.baseline import Baseline

    inputs, target = _inputs(paths, baseline_file, config_file, isolated, require_format,
                             object_info, sources)
    _config, _job, report = lint_run(inputs, apply_baseline=False)
    recorded = Baseline.from_results(target, report.results)
    recorded.write()
    total = sum(entry["count"] for entry in recorded.entries.values())
    click.echo(f"comfylint: wrote {total} finding(s) in {len(recorded.entries)} entr(ies) to {target}")


@baseline.command("prune")
@_common
def prune(paths, baseline_file, config_file, isolated, require_format, object_info, **sources):
    """Drop baseline entries that no longer match a finding in PATHS (default: .)."""
    from ..project.baseline import Baseline

    inputs, target = _inputs(paths, baseline_file, config_file, isolated, require_format,
                             object_info, sources)
    current = Baseline.load(target)
    _config, job, report = lint_run(inputs, apply_baseline=False)
    matched = current.apply(report.results)[1]
    kept = current.pruned(report.results, matched, job.rule_ran)
    kept.write()
    before = sum(e.get("count", 1) for e in current.entries.values())
    after = sum(e["count"] for e in kept.entries.values())
    click.echo(f"comfylint: pruned {before - after} finding(s); {after} remain in {target}")
