"""`comfylint serve`: validate prompts over HTTP, or gate a ComfyUI (comfylint/serve)."""
from __future__ import annotations

import click

from . import fail
from .options import TOKEN_ENV_VAR

FAIL_ON = ("error", "warning", "info")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8189, show_default=True,
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--upstream", metavar="URL",
              help="The ComfyUI to gate (e.g. http://127.0.0.1:8188): POST /prompt and "
                   "/api_prompt are validated, everything else is proxied. Its /object_info, "
                   "/models and /system_stats are the catalog unless a file is given.")
@click.option("--object-info", type=click.Path(dir_okay=False),
              help="Validate against this GET /object_info response.")
@click.option("--snapshot", type=click.Path(dir_okay=False),
              help="Validate against this comfylint snapshot.")
@click.option("--manifest", type=click.Path(dir_okay=False), help="The server's model files.")
@click.option("--comfyui-dir", type=click.Path(file_okay=False),
              help="A local ComfyUI whose models/ and input/ are the server's files.")
@click.option("--models-dir", type=click.Path(file_okay=False), help="A models/ directory.")
@click.option("--comfyui-version", metavar="VERSION",
              help="The server's ComfyUI version when the catalog does not say it (an "
                   "/object_info): answers are worded as that version words them.")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'",
              help="A header for the gate's own reads of the upstream's catalog (repeatable). "
                   "Clients' headers are forwarded as they are.")
@click.option("--token", envvar=TOKEN_ENV_VAR, metavar="TOKEN",
              help=f"Authorization for reading the upstream's catalog (or ${TOKEN_ENV_VAR}).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes sharing the port.")
@click.option("--max-body-mb", type=click.IntRange(min=1), default=64, show_default=True,
              help="Larger request bodies to validate are refused (413).")
@click.option("--upstream-timeout", type=click.FloatRange(min=0.1), default=30.0,
              show_default=True, help="Seconds of upstream silence before answering 504.")
@click.option("--refresh", type=click.FloatRange(min=0), default=300.0, show_default=True,
              help="Seconds between re-reads of the upstream's catalog (0: never).")
@click.option("--select", multiple=True, help="Only these rules (codes, names or prefixes).")
@click.option("--extend-select", multiple=True, help="Add rules to the selection.")
@click.option("--ignore", multiple=True, help="Skip these rules.")
@click.option("--severity", "severities", multiple=True, metavar="RULE=LEVEL",
              help="Override a rule's severity, e.g. T308=error (repeatable).")
@click.option("--allow-unknown-nodes", multiple=True, metavar="GLOB",
              help="Node types the server has that the catalog does not (repeatable).")
@click.option("--editor-only-nodes", multiple=True, metavar="GLOB",
              help="Node types only the editor has, never the server (repeatable).")
@click.option("--fail-on", type=click.Choice(FAIL_ON),
              help="Lowest severity that refuses a prompt. [default: the config's, else error]")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Use this configuration file (default: the closest comfylint.toml, or "
                   "pyproject.toml with [tool.comfylint], at or above the working directory).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
def serve(host, port, upstream, object_info, snapshot, manifest, comfyui_dir, models_dir,
          comfyui_version, headers, token, workers, max_body_mb, upstream_timeout, refresh,
          select, extend_select, ignore, severities, allow_unknown_nodes, editor_only_nodes,
          fail_on, config_file, isolated) -> None:
    """Answer POST /validate_prompt with ComfyUI's verdict, never executing anything; with
    --upstream, also stand in front of that ComfyUI: refuse bad prompts with the 400 it would
    give, forward good ones byte for byte, proxy everything else (websocket included)."""
    try:
        import aiohttp  # noqa: F401 - only to say how to install it
    except ImportError:
        fail('`comfylint serve` needs aiohttp: pip install "comfylint[serve]"')
    from ..project.config import load_config
    from ..serve import Settings
    from ..serve import serve as run_gateway
    from ..serve.configuration import configured

    if upstream and not upstream.startswith(("http://", "https://")):
        fail(f"--upstream {upstream!r}: expected an http(s) URL such as http://127.0.0.1:8188")
    severity = {}
    for item in severities:
        selector, sep, level = item.partition("=")
        if not sep:
            fail(f"--severity {item!r}: expected RULE=LEVEL, e.g. T308=error")
        severity[selector.strip()] = level.strip()
    sources = {"object_info": object_info, "snapshot": snapshot, "manifest": manifest,
               "comfyui_dir": comfyui_dir, "models_dir": models_dir,
               "comfyui_version": comfyui_version}
    config = load_config(config_file, isolated=isolated)
    validator, catalog_sources = configured(
        config, select=select, extend_select=extend_select, ignore=ignore, severity=severity,
        allow_unknown_nodes=allow_unknown_nodes, editor_only_nodes=editor_only_nodes,
        fail_on=fail_on, sources=sources)
    settings = Settings(
        host=host, port=port, workers=workers, upstream=upstream, catalog_sources=catalog_sources,
        upstream_headers=tuple(headers), upstream_token=token, upstream_timeout=upstream_timeout,
        refresh_seconds=refresh, max_body_bytes=max_body_mb * 1024 * 1024, validator=validator)
    _configure_logging()
    if config.path is not None:
        click.echo(f"comfylint serve: configuration {config.path}", err=True)
    run_gateway(settings, announce=click.echo)


def _configure_logging() -> None:
    import logging
    import sys

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    for name in ("comfylint.serve", "aiohttp.access"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
