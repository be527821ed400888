"""`comfylint probe`: check workflows against a live server, and optionally let it answer too.

Without --submit nothing is executed: only GETs. With --submit each API workflow is POSTed to
/prompt (the server queues and runs it) and the server's verdict is printed beside comfylint's;
--wait then follows /history until the run ends.
"""
from __future__ import annotations

import io
import json
import sys
import time
from typing import Any

import click

from . import EXIT_FINDINGS, EXIT_OK
from .options import server_options

POLL_SECONDS = 1.0  # --poll-interval's default


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@server_options
@click.option("--extension-node-map", type=click.Path(dir_okay=False),
              help="ComfyUI-Manager's extension-node-map.json: name the pack of unknown nodes.")
@click.option("--output-format", type=click.Choice(["full", "concise", "json"]), default="full",
              show_default=True)
@click.option("--submit", is_flag=True,
              help="POST each workflow to /prompt for real (it runs!) and show the server's verdict.")
@click.option("--wait", is_flag=True, help="With --submit: follow /history until each run ends.")
@click.option("--wait-timeout", type=click.FloatRange(min=1), default=600, show_default=True,
              help="Seconds --wait follows one run.")
@click.option("--poll-interval", type=click.FloatRange(min=0), default=POLL_SECONDS,
              show_default=True, help="Seconds --wait pauses between two looks at /history.")
@click.option("--max-mb", type=click.IntRange(min=1), default=512, show_default=True,
              help="Refuse a /object_info answer larger than this.")
def probe(paths, server, headers, token, timeout, extension_node_map, output_format, submit, wait,
          wait_timeout, poll_interval, max_mb) -> None:
    """Report a live server (version, devices, VRAM, queue, nodes, models) and lint PATHS with
    the server's own nodes and files. Never executes anything unless --submit."""
    from ..catalog.packs import load_index
    from ..catalog.snapshot import build_snapshot, catalog_from_snapshot
    from ..catalog.sources import CatalogSources, make_client
    from ..probe.state import read_state

    if not server:
        raise click.UsageError("give --server URL")
    if wait and not submit:
        raise click.UsageError("--wait follows submitted runs: add --submit")
    client = make_client(CatalogSources(server=server, headers=headers, token=token,
                                        timeout=timeout))
    state = read_state(client, max_bytes=max_mb * 1024 * 1024)
    packs = load_index(extension_node_map)
    report = server_report(state)
    document = build_snapshot(state.object_info, state.manifest, comfyui_version=state.comfyui_version)
    catalog = catalog_from_snapshot(document, source=f"server {client.display_url}")
    catalog.node_packs = packs
    results = _lint(paths, catalog) if paths else []
    submissions = [_submit(client, result, wait, wait_timeout, poll_interval) for result in results
                   if result.format is not None] if submit else []
    if output_format == "json":
        click.echo(json.dumps({"server": report, "lint": _json_lint(results),
                               "submissions": submissions}, indent=2))
    else:
        click.echo(_format_report(report))
        if results:
            from ..render import RenderOptions, render

            render(output_format, results, sys.stdout, RenderOptions(color=sys.stdout.isatty()))
        for item in submissions:
            click.echo(_format_submission(item))
    sys.exit(_exit_code(results, submissions))


def server_report(state) -> dict:
    system = state.system_stats.get("system", {})
    queue = state.queue or {}
    return {
        "url": state.url,
        "comfyui_version": state.comfyui_version,
        "python_version": str(system.get("python_version", "")).split(" ")[0],
        "pytorch_version": system.get("pytorch_version"),
        "os": system.get("os"),
        "devices": [{k: d.get(k) for k in ("name", "type", "vram_total", "vram_free")}
                    for d in state.system_stats.get("devices", []) if isinstance(d, dict)],
        "queue": {"running": _count(queue.get("queue_running")),
                  "pending": _count(queue.get("queue_pending"))} if state.queue else None,
        "nodes": len(state.object_info),
        "custom_node_modules": len({str(v.get("python_module")) for v in state.object_info.values()
                                    if str(v.get("python_module", "")).startswith("custom_nodes.")}),
        "model_files": {folder: len(names) for folder, names in sorted(state.manifest.models.items())},
        "input_files": None if state.manifest.input_files is None else len(state.manifest.input_files),
    }


def _count(value: Any) -> int:
    """How many entries a server's list holds (whatever else it sent: none)."""
    return len(value) if isinstance(value, (list, dict)) else 0


def _format_report(report: dict) -> str:
    def gib(value: Any) -> str:
        return f"{value / 2**30:.1f} GiB" if isinstance(value, (int, float)) else "?"

    lines = [f"server   {report['url']}  ComfyUI {report['comfyui_version'] or '?'} "
             f"(Python {report['python_version'] or '?'}, torch {report['pytorch_version'] or '?'}, "
             f"{report['os'] or '?'})"]
    for device in report["devices"]:
        lines.append(f"device   {device['name']} ({device['type']}): VRAM {gib(device['vram_total'])} "
                     f"total, {gib(device['vram_free'])} free")
    if report["queue"] is not None:
        lines.append(f"queue    {report['queue']['running']} running, {report['queue']['pending']} pending")
    models = report["model_files"]
    empty = [folder for folder, count in models.items() if not count]
    lines.append(f"nodes    {report['nodes']} ({report['custom_node_modules']} custom-node modules)")
    lines.append(f"models   {sum(models.values())} files in {len(models) - len(empty)} of "
                 f"{len(models)} folders" + (f" (empty: {', '.join(empty)})" if empty else ""))
    if report["input_files"] is not None:
        lines.append(f"input    {report['input_files']} files")
    return "\n".join(lines) + "\n"


def _lint(paths, catalog):
    """The paths linted as `check` lints them (project config, suppressions), on this server."""
    from ..project.check import CheckInputs, lint_run

    return lint_run(CheckInputs(paths=tuple(paths), use_cache=False), catalog=catalog)[2].results


def _json_lint(results) -> dict:
    from ..render import RenderOptions, render

    buffer = io.StringIO()
    render("json", results, buffer, RenderOptions(color=False))
    return json.loads(buffer.getvalue())


def _submit(client, result, wait: bool, wait_timeout: float, poll_interval: float) -> dict:
    """POST one workflow to /prompt and record the server's answer next to comfylint's."""
    from ..engine.secrets import Masker, document_secrets
    from ..load import load_path
    from ..probe.client import ProbeError

    errors = sorted({d.code for d in result.diagnostics if d.severity.label == "error"})
    item: dict[str, Any] = {"file": result.path, "comfylint_errors": errors, "status": None,
                            "server": None, "execution": None}
    loaded = load_path(result.path)
    if loaded.format != "api" or not isinstance(loaded.workflow, dict):
        item["server"] = {"skipped": "not an API-format workflow (export it with 'Export (API)')"}
        return item
    body = dict(loaded.document) if loaded.envelope == "comfyui-prompt" else {"prompt": loaded.workflow}
    import uuid

    body.setdefault("client_id", f"comfylint-{uuid.uuid4().hex[:12]}")
    try:
        response = client.post_json("/prompt", body, ok=(200, 400, 500))
    except ProbeError as exc:
        item["server"] = {"probe_error": str(exc)}
        return item
    item["status"] = response.status
    try:
        answer = json.loads(response.body)
    except (ValueError, RecursionError):
        answer = {"text": response.body[:300].decode("utf-8", "replace")}
    # The server's errors quote the values it rejected: a secret of the workflow among them.
    answer = Masker(document_secrets(loaded)).value(answer)
    item["server"] = answer
    prompt_id = answer.get("prompt_id") if isinstance(answer, dict) else None
    if wait and response.status == 200 and isinstance(prompt_id, str):
        item["execution"] = _follow(client, prompt_id, wait_timeout, poll_interval)
    return item


def _follow(client, prompt_id: str, wait_timeout: float, poll_interval: float) -> dict:
    """Poll /history/{id} until the run is recorded (success or error) or the time is up."""
    from ..probe.client import ProbeError

    deadline = time.monotonic() + wait_timeout
    while time.monotonic() < deadline:
        try:
            history = client.get_json(f"/history/{prompt_id}")
        except ProbeError as exc:
            return {"status": "unknown", "error": str(exc)}
        entry = history.get(prompt_id) if isinstance(history, dict) else None
        status = entry.get("status") if isinstance(entry, dict) else None
        if isinstance(status, dict) and (status.get("completed") or status.get("status_str") == "error"):
            return {"status": status.get("status_str"), "error": _execution_error(status)}
        time.sleep(poll_interval)
    return {"status": "timeout", "error": f"not finished after {wait_timeout:g} s"}


def _execution_error(status: dict) -> str | None:
    messages = status.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, list) and len(message) == 2 and message[0] == "execution_error":
            data = message[1] if isinstance(message[1], dict) else {}
            return (f"node {data.get('node_id')} {data.get('node_type')}: "
                    f"{data.get('exception_type')}: {str(data.get('exception_message', '')).strip()}")
    return None


def _format_submission(item: dict) -> str:
    ours = ", ".join(item["comfylint_errors"]) or "no errors"
    server = item["server"] if isinstance(item["server"], dict) else {"answer": item["server"]}
    if "skipped" in server or "probe_error" in server:
        verdict = server.get("skipped") or server.get("probe_error")
    elif item["status"] == 200:
        verdict = f"queued as {server.get('prompt_id')}"
        if server.get("node_errors"):
            names = sorted(map(str, _entries(server["node_errors"])))
            verdict += f" (but node_errors on {', '.join(names)}: those outputs are skipped)"
    else:
        error = server.get("error")
        error = error if isinstance(error, dict) else {}
        nodes = server.get("node_errors")
        nodes = nodes if isinstance(nodes, dict) else {}
        details = "; ".join(f"#{node_id} {e.get('type')}" for node_id, info in sorted(nodes.items())
                            for e in _entries(info.get("errors") if isinstance(info, dict) else None)
                            if isinstance(e, dict))
        verdict = f"HTTP {item['status']} {error.get('type', '')}" + (f": {details}" if details else "")
    line = f"{item['file']}:\n  comfylint: {ours}\n  server:    {verdict}"
    execution = item.get("execution")
    if execution:
        line += f"\n  run:       {execution['status']}" + (f" ({execution['error']})" if execution.get("error") else "")
    return line


def _entries(value: Any) -> list:
    """A server's list or object as a list (of the object's keys); anything else: empty."""
    return list(value) if isinstance(value, (list, dict)) else []


def _exit_code(results, submissions) -> int:
    if any(d.severity.label == "error" for r in results for d in r.diagnostics):
        return EXIT_FINDINGS
    rejected = any(item["status"] not in (None, 200) for item in submissions)
    failed = any((item.get("execution") or {}).get("status") not in (None, "success")
                 for item in submissions)
    return EXIT_FINDINGS if rejected or failed else EXIT_OK
