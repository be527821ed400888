"""`comfylint convert`: a UI workflow (JSON, PNG or WebP) to the API format, as "Export (API)" does.

Exit codes: 0 written (exact conversion); 1 written but heuristic, or refused (nothing written
unless --force); 2 the input is unreadable or not a UI workflow.
"""
from __future__ import annotations

import json
import sys
from typing import NoReturn

import click

from . import fail, read_stdin

EXIT_OK, EXIT_INEXACT = 0, 1


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="Where to write the API workflow (- for standard output).")
@click.option("--envelope", type=click.Choice(["none", "prompt"]), default="none", show_default=True,
              help='prompt: wrap it as a POST /prompt body ({"prompt": ...}).')
@click.option("--object-info", type=click.Path(dir_okay=False),
              help="A server's GET /object_info response (its custom nodes' widget layouts).")
@click.option("--force", is_flag=True, help="Write the output even when the conversion is refused.")
@click.option("--as-saved", is_flag=True,
              help="Emulate the frontend that saved the file (from its extra.frontendVersion and "
                   "other evidence) instead of today's: what that editor exported, e.g. the "
                   "prompt embedded beside it in a PNG.")
@click.option("--editor-only", "editor_only", multiple=True, metavar="TYPE",
              help="A node type (fnmatch pattern) that exists only in the editor, beyond the "
                   "packs' virtual nodes comfylint knows: links pass through it like a Reroute. "
                   "Repeatable.")
def convert(path: str, output: str, envelope: str, object_info: str | None, force: bool,
            as_saved: bool, editor_only: tuple[str, ...]) -> None:
    """Convert a UI (editor) workflow to the API format, as the frontend's Export (API) does."""
    from ..catalog.sources import CatalogSources, build_catalog
    from ..engine.secrets import Masker, document_secrets
    from ..load import load_bytes, load_path
    from ..ui import EXACT, REFUSED, to_api

    if path == "-":
        loaded = load_bytes(read_stdin(), "-")
    else:
        loaded = load_path(path)
    unreadable = [d for d in loaded.diagnostics if d.code == "F001"]
    if unreadable:
        _fail(f"{path}: {unreadable[0].message}")
    if loaded.format != "ui":
        _fail(f"{path}: not a UI workflow" + (" (it is already in the API format)"
                                                 if loaded.format == "api" else ""))
    result = to_api(loaded.workflow, build_catalog(CatalogSources(object_info=object_info)),
                    as_saved=as_saved, editor_only=editor_only)
    masker = Masker(document_secrets(loaded))  # reasons quote titles and values
    if result.saved_by is not None:
        click.echo(masker.text(f"comfylint convert: emulating {result.saved_by.label} "
                               f"({result.saved_by.evidence})"), err=True)
    for reason in result.reasons:
        click.echo(masker.text(f"comfylint convert: {result.grade}: {reason}"), err=True)
    if result.grade == REFUSED and not force:
        click.echo("comfylint convert: nothing written (use --force to write it anyway)", err=True)
        sys.exit(EXIT_INEXACT)
    document = {"prompt": result.prompt} if envelope == "prompt" else result.prompt
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output == "-":
        click.echo(text, nl=False)
    else:
        from ..writing import write_file

        write_file(output, text, streams=True)
    sys.exit(EXIT_OK if result.grade == EXACT else EXIT_INEXACT)


def _fail(message: str) -> NoReturn:
    fail(f"convert: {message}")
