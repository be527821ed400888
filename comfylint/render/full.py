"""The default human output: location, rule, node, message, help and a short source snippet."""
from __future__ import annotations

from typing import TextIO

from ..diagnostics import node_label
from . import RenderOptions
from .concise import location, summary_line
from .style import Style


def render(results, stream: TextIO, options: RenderOptions) -> None:
    style = Style(options.color)
    texts: dict[str, list[str]] = {}
    for result in results:
        for diag in result.diagnostics:
            stream.write(f"{style.bold(location(diag))}: {style.severity(diag.severity, diag.code)} "
                         f"{diag.name} [{diag.severity.label}]\n")
            if diag.node_id is not None:
                where = node_label(diag.node_id, diag.class_type, diag.title)
                if diag.input:
                    where += f" · input {diag.input}"
                stream.write(f"  {style.dim('node')}  {where}\n")
            stream.write(f"  {diag.message}\n")
            snippet = _snippet(result, diag, texts)
            if snippet:
                stream.write(style.dim(snippet) + "\n")
            if diag.help:
                stream.write(f"  {style.dim('help')}  {diag.help}\n")
            if diag.fix and options.show_fixes:
                kind = "fix" if diag.fix.safe else "unsafe fix"
                stream.write(f"  {style.dim(kind)}   {diag.fix.description}\n")
            stream.write("\n")
        needs = needs_lines(result.requirements)
        if needs:
            stream.write(f"{style.bold(result.path)}: the server must have\n")
            stream.writelines(f"  {line}\n" for line in needs)
            stream.write("\n")
    stream.write(summary_line(results, style) + "\n")


def needs_lines(requirements) -> list[str]:
    """The workflow's requirements, grouped once (engine/requirements.py): custom-node packs the
    server lacks or may lack, models and input files it lacks. JSON lists everything."""
    if not requirements:
        return []
    lines = []
    packs = [p for p in requirements["custom_nodes"] if p["missing"] is not False]
    if packs:
        lines.append("custom nodes  " + "; ".join(
            f"{p['pack'] or 'unknown pack'} ("
            + ", ".join(_times(t["class_type"], t["nodes"]) for t in p["node_types"])
            + f"){_state(p['missing'])}" for p in packs))
    models = [m for m in requirements["models"] if m["missing"]]
    if models:
        lines.append("models        " + "; ".join(
            f"{m['folder']}/{m['name']}{_times('', m['nodes'])}{_state(True)}" for m in models))
    files = [f for f in requirements["input_files"] if f["missing"]]
    if files:
        lines.append("input files   " + "; ".join(
            f"{f['name']}{'' if f['area'] == 'input' else ' [' + f['area'] + ']'}"
            f"{_times('', f['nodes'])}{_state(True)}" for f in files))
    return lines


def _times(name: str, count: int) -> str:
    return name if count == 1 else f"{name} ×{count}"


def _state(missing: bool | None) -> str:
    return " missing" if missing else " (not verified: the bundled catalog knows no server)"


def _snippet(result, diag, cache) -> str | None:
    """The finding's source line, with a caret under its column."""
    if not diag.line or result.path not in cache and not _load_text(result, cache):
        return None
    lines = cache[result.path]
    if diag.line > len(lines):
        return None
    text = lines[diag.line - 1].rstrip("\n")
    if len(text) > 160:
        return None
    caret = " " * (max(diag.column or 1, 1) - 1) + "^"
    return f"  {diag.line:>5} | {text}\n        | {caret}"


def _load_text(result, cache) -> bool:
    text = getattr(result, "text", None)
    if text is None:
        cache[result.path] = []
        return False
    cache[result.path] = text.splitlines()
    return True
