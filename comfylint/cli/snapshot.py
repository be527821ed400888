"""`comfylint snapshot`: capture a server's state into a committable file; `snapshot diff A B`."""
from __future__ import annotations

import sys
import time

import click

from . import fail
from .options import server_options

EXIT_OK, EXIT_DRIFT = 0, 1


@click.group(invoke_without_command=True)
@server_options
@click.option("--object-info", type=click.Path(dir_okay=False),
              help="Build the snapshot offline from a saved GET /object_info instead of --server.")
@click.option("--comfyui-dir", type=click.Path(file_okay=False),
              help="With --object-info: read model and input files from this ComfyUI directory.")
@click.option("--models-dir", type=click.Path(file_okay=False),
              help="With --object-info: read model files from this models/ directory.")
@click.option("--manifest", type=click.Path(dir_okay=False),
              help="With --object-info: the server's files from a hand-written manifest.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the snapshot here (default: standard output).")
@click.option("--max-mb", type=click.IntRange(min=1), default=512, show_default=True,
              help="Refuse a /object_info answer larger than this.")
@click.pass_context
def snapshot(ctx, server, headers, token, timeout, object_info, comfyui_dir, models_dir, manifest,
             output, max_mb) -> None:
    """Capture a server's nodes, models, input files and embeddings into one sorted, diffable
    file that CI lints against offline (`comfylint check --snapshot FILE`)."""
    if ctx.invoked_subcommand is not None:
        return
    if bool(server) == bool(object_info):
        raise click.UsageError("give --server URL (or --object-info FILE to build one offline)")
    started = time.perf_counter()
    document = (_capture_server(server, headers, token, timeout, max_mb) if server
                else _capture_offline(object_info, comfyui_dir, models_dir, manifest))
    from ..catalog.snapshot import dumps
    from ..writing import encode_text, write_file

    text = dumps(document)
    if output:
        write_file(output, text, streams=True)
    else:
        click.echo(text, nl=False)
    files = sum(len(v) for v in document["models"].values())
    click.echo(f"comfylint: snapshot of ComfyUI {document['comfyui_version']}: "
               f"{len(document['nodes'])} nodes, {files} model files, "
               f"{len(document['custom_node_modules'])} custom-node modules, "
               f"{len(encode_text(text)) / 1024:.0f} KB in {time.perf_counter() - started:.2f} s"
               + (f" -> {output}" if output else ""), err=True)


def _capture_server(server, headers, token, timeout, max_mb) -> dict:
    from ..catalog.snapshot import build_snapshot
    from ..catalog.sources import CatalogSources, make_client
    from ..probe.state import read_state

    client = make_client(CatalogSources(server=server, headers=headers, token=token,
                                        timeout=timeout))
    state = read_state(client, max_bytes=max_mb * 1024 * 1024)
    return build_snapshot(state.object_info, state.manifest, comfyui_version=state.comfyui_version,
                          system=state.system_summary())


def _capture_offline(object_info, comfyui_dir, models_dir, manifest_file) -> dict:
    import json

    from ..catalog.manifest import Manifest, ManifestError
    from ..catalog.snapshot import build_snapshot
    from ..catalog.sources import CatalogSources, local_manifest
    from ..reading import MAX_CATALOG_BYTES, read_limited

    try:
        info = json.loads(read_limited(object_info, MAX_CATALOG_BYTES))
        manifest = local_manifest(CatalogSources(comfyui_dir=comfyui_dir, models_dir=models_dir,
                                                  manifest=manifest_file)) or Manifest()
    except (OSError, ValueError, RecursionError, ManifestError) as exc:
        fail(f"cannot build a snapshot from {object_info}: {getattr(exc, 'strerror', None) or exc}")
    if not isinstance(info, dict) or not info:
        fail(f"{object_info} is not /object_info data (expected an object of node classes)")
    return build_snapshot(info, manifest, comfyui_version=None)


@snapshot.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.argument("workflows", nargs=-1, type=click.Path())
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Also list changes that break nothing.")
def diff(old, new, workflows, output_format, show_all) -> None:
    """What changed from snapshot OLD to NEW: nodes added/removed, inputs changed (new required
    inputs, narrower ranges, removed choices), models and files added/removed. With WORKFLOWS:
    the findings each gets on NEW but not on OLD. Exit 1 when anything breaking changed."""
    from ..catalog.snapshot import diff_snapshots, read_snapshot

    before, after = read_snapshot(old), read_snapshot(new)
    changes = diff_snapshots(before, after)
    regressions = _workflow_regressions(before, after, old, new, workflows) if workflows else []
    breaking = [c for c in changes if c.breaking]
    if output_format == "json":
        import json

        click.echo(json.dumps({"old": old, "new": new, "changes": [c.to_dict() for c in changes],
                               "breaking": len(breaking),
                               "workflows": [d.to_dict() for d in regressions]}, indent=2))
    else:
        _print_changes(changes if show_all else breaking, len(changes), len(breaking))
        for diag in regressions:
            click.echo(f"{diag.file}: {diag.code} {diag.message}")
    sys.exit(EXIT_DRIFT if breaking or regressions else EXIT_OK)


def _print_changes(shown, total: int, breaking: int) -> None:
    area = None
    for change in shown:
        if change.area != area:
            area = change.area
            click.echo(f"{area}:")
        mark = "!" if change.breaking else " "
        click.echo(f" {mark} {change.subject}: {change.detail}")
    hidden = total - len(shown)
    click.echo(f"{total} change(s), {breaking} breaking"
               + (f" ({hidden} more with --all)" if hidden else ""))


def _workflow_regressions(before: dict, after: dict, old: str, new: str, workflows) -> list:
    """Findings that linting against NEW adds to linting against OLD, per workflow."""
    from ..catalog.snapshot import catalog_from_snapshot
    from ..project.check import CheckInputs, lint_run

    def keys(results):
        return {(d.file, d.code, d.node_id, d.input) for r in results for d in r.diagnostics}

    def results(snapshot: dict, source: str):
        inputs = CheckInputs(paths=tuple(workflows), use_cache=False)
        return lint_run(inputs, catalog=catalog_from_snapshot(snapshot, source=source))[2].results

    results_old, results_new = results(before, old), results(after, new)
    known = keys(results_old)
    return [d for r in results_new for d in r.diagnostics
            if (d.file, d.code, d.node_id, d.input) not in known and d.severity.label == "error"]
