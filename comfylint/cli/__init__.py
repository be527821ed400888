"""The command line: click commands only. They parse options, call the project runner or the
engine, pick a renderer and choose the exit code.

Exit codes: 0 nothing at or above --fail-on; 1 findings; 2 usage, configuration or internal error.
Every ComfylintError (a configuration, source, baseline or selector the user must fix) becomes
exit code 2 here, in one place.
"""
from __future__ import annotations

import sys
from typing import NoReturn, Sequence

import click

from .. import __version__
from ..errors import ComfylintError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEBUG_ENV = "COMFYLINT_DEBUG"


# Commands live in their own modules, imported only when run (a pre-commit hook pays for the
# `check` path alone): name -> "module:attribute" under comfylint.cli.
LAZY_COMMANDS = {
    "baseline": "baseline:baseline",
    "check": "check:check",
    "convert": "convert:convert",
    "packs": "packs:packs",
    "rule": "rules:show_rule",
    "rules": "rules:list_rules",
    "probe": "probe:probe",
    "serve": "serve:serve",
    "snapshot": "snapshot:snapshot",
}


class UserError(click.ClickException):
    """Something the user gave cannot be used: "comfylint: <message>" on stderr, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"comfylint: {self.format_message()}", err=True)


class InternalError(UserError):
    """comfylint itself failed: exit 2 with one clear line (the traceback with COMFYLINT_DEBUG=1)."""

    def __init__(self, exc: Exception) -> None:
        super().__init__(f"internal error: {type(exc).__name__}: {_first_line(exc)}. This is a bug "
                         "in comfylint: please report it with the command and its input "
                         f"(set {DEBUG_ENV}=1 to see the traceback)")
        self.original = exc

    def show(self, file=None) -> None:
        import os

        if os.environ.get(DEBUG_ENV):
            import traceback

            traceback.print_exception(self.original, file=sys.stderr)
        super().show(file)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else ""
    return line if len(line) <= 200 else line[:197] + "..."


def fail(message: str) -> NoReturn:
    raise UserError(message)


def read_stdin() -> bytes:
    """Standard input, bounded: `comfylint - < /dev/zero` must not read until memory runs out."""
    from ..reading import MAX_WORKFLOW_BYTES, read_stream

    try:
        return read_stream(sys.stdin.buffer, MAX_WORKFLOW_BYTES)
    except OSError as exc:
        fail(f"cannot read standard input: {exc.strerror or exc}")


class DefaultCheckGroup(click.Group):
    """`comfylint wf.json` means `comfylint check wf.json`; subcommands load lazily."""

    def list_commands(self, ctx):
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx, name):
        if name in self.commands or name not in LAZY_COMMANDS:
            return self.commands.get(name)
        import importlib

        module_name, attribute = LAZY_COMMANDS[name].split(":")
        module = importlib.import_module(f"{__name__}.{module_name}")
        return getattr(module, attribute)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ComfylintError as exc:  # the one place inputs the user must fix become exit 2
            raise UserError(str(exc)) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug: exit 2 and say so, never exit 1 like findings
            raise InternalError(exc) from None

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.list_commands(ctx) and (
                args[0] == "-" or not args[0].startswith("-")):
            args = ["check", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=DefaultCheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="comfylint")
def cli() -> None:
    """Lint ComfyUI workflows: the server's own verdicts, offline, and much it lets through."""
    # A workflow's lone surrogate (JSON allows "\ud800") is printed as its escape, never a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="comfylint", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("comfylint: interrupted", err=True)
        sys.exit(EXIT_ERROR)
