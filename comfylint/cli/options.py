"""Command-line options naming where the server's state comes from (shared by check, probe, snapshot)."""
from __future__ import annotations

import click

from ..probe import DEFAULT_TIMEOUT

TOKEN_ENV_VAR = "COMFYLINT_SERVER_TOKEN"


def server_options(function):
    """--server URL plus how to authenticate and how long to wait."""
    for option in reversed((
        click.option("--server", metavar="URL",
                     help="A live ComfyUI server (e.g. http://127.0.0.1:8188): read its nodes, "
                          "models and input files."),
        click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'",
                     help="An HTTP header for --server (repeatable), e.g. 'Authorization: TOKEN'."),
        click.option("--token", envvar=TOKEN_ENV_VAR, metavar="TOKEN",
                     help=f"Authorization token for --server (or ${TOKEN_ENV_VAR}): sent bare to "
                          "PAI-EAS endpoints, as 'Bearer TOKEN' elsewhere."),
        click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT,
                     show_default=True, help="Seconds to wait for each server answer."),
    )):
        function = option(function)
    return function


def environment_options(function):
    """Offline sources of the server's state: snapshot, local ComfyUI, manifest, pack map."""
    for option in reversed((
        click.option("--snapshot", type=click.Path(dir_okay=False),
                     help="A comfylint snapshot (`comfylint snapshot --server URL -o FILE`)."),
        click.option("--comfyui-dir", type=click.Path(file_okay=False),
                     help="A local ComfyUI: models/, input/ and extra_model_paths.yaml are read."),
        click.option("--models-dir", type=click.Path(file_okay=False),
                     help="A models/ directory (subfolders checkpoints, loras, ...)."),
        click.option("--manifest", type=click.Path(dir_okay=False),
                     help="A hand-written model manifest (schemas/manifest.schema.json)."),
        click.option("--extension-node-map", type=click.Path(dir_okay=False),
                     help="ComfyUI-Manager's extension-node-map.json: name the pack of unknown nodes."),
        click.option("--comfyui-version", metavar="VERSION",
                     help="The server's ComfyUI version: which bundled release to check against "
                          "(default: the newest), or the version an --object-info does not say. "
                          "A snapshot or --server says its own."),
    )):
        function = option(function)
    return function


def catalog_source_options(function):
    return server_options(environment_options(function))
