"""`comfylint check`: lint files, directories or standard input; report; choose the exit code."""
from __future__ import annotations

import os
import sys

import click

from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, read_stdin
from .options import catalog_source_options

OUTPUT_FORMATS = ("full", "concise", "json", "sarif", "github", "junit", "gitlab")
FAIL_ON = ("error", "warning", "info", "never")
PROGRESS_MIN_FILES = 200  # a shorter run ends before a bar would help


def exit_code(results, fail_on: str) -> int:
    from ..diagnostics import Severity

    if any(d.code == "C002" for r in results for d in r.diagnostics):
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(fail_on)
    failing = any(d.severity >= threshold for r in results for d in r.diagnostics)
    return EXIT_FINDINGS if failing else EXIT_OK


@click.command()
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
    from ..project.check import CheckInputs, lint_run, load_run_config
    from ..render import RenderOptions

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
    stdin_data = read_stdin() if "-" in paths else None
    progress = (lambda total: progress_bar(total, sys.stderr)) \
        if sys.stderr.isatty() and not output_file else None
    fix_mode = "diff" if diff else "write" if fix else None
    config, _job, report = lint_run(inputs, stdin_data=stdin_data, stdin_name=stdin_filename,
                                    progress=progress, fix=fix_mode,
                                    unsafe_fixes=unsafe_fixes)
    results = report.results
    missing = [p for p in paths if p != "-" and not _exists(p)]
    if diff:
        from ..project.fix import unified_diff

        for outcome in report.fixes:
            click.echo(unified_diff(outcome), nl=False)
        click.echo(f"comfylint: {sum(len(o.applied) for o in report.fixes)} fix(es) available in "
                   f"{len(report.fixes)} file(s)", err=True)
        sys.exit(EXIT_FINDINGS if report.fixes else exit_code(results, "never"))
    if fix and report.fixes:
        click.echo(f"comfylint: applied {sum(len(o.applied) for o in report.fixes)} fix(es) in "
                   f"{len(report.fixes)} file(s)", err=True)
    for error in report.write_errors:
        click.echo(f"comfylint: {error}", err=True)
    for note in _job.catalog_notes():
        click.echo(f"comfylint: note: {note}", err=True)
    import io

    buffer = io.StringIO()  # the report is written at once: an unbuffered stdout (CI) pays per write
    if output_file:
        from ..writing import write_file

        _report(output_format, statistics, report, buffer, RenderOptions(color=False))
        write_file(output_file, buffer.getvalue(), streams=True)
    else:
        use_color = sys.stdout.isatty() if color is None else color
        _report(output_format, statistics, report, buffer, RenderOptions(color=use_color))
        sys.stdout.write(buffer.getvalue())
    if missing:  # a path that is not there is the caller's mistake, not a finding: exit 2
        click.echo(f"comfylint: no such file or directory: {', '.join(missing)}", err=True)
    if missing or report.write_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(exit_code(results, fail_on or config.get("fail-on", "error")))


def _report(output_format, statistics, report, stream, render_options) -> None:
    from ..render import render

    if statistics:
        from ..render import statistics as stats

        stats.render(report.results, stream, output_format == "json", report.suppressed,
                     report.cached)
        return
    render(output_format, report.results, stream, render_options)


def progress_bar(total: int, stream):
    """click's progress bar for long runs on a terminal: a callback told how many more files
    are done (None: finished, the line is cleared), or None."""
    if total < PROGRESS_MIN_FILES or not getattr(stream, "isatty", lambda: False)():
        return None
    bar = click.progressbar(length=total, label="comfylint", file=stream, show_eta=False,
                            show_pos=True, width=30)
    bar.__enter__()

    def advance(count: "int | None") -> None:
        if count is None:
            bar.__exit__(None, None, None)
        else:
            bar.update(count)

    return advance


def _exists(path: str) -> bool:
    return os.path.lexists(path)  # a dangling symlink is there: the loader says what is wrong
