"""Workflows embedded in images: PNG text chunks and WebP EXIF, read as the frontend reads them.

ComfyUI's SaveImage writes two PNG text chunks, `prompt` (the API workflow that ran) and
`workflow` (the editor's UI workflow); animated WebP carries them as EXIF ASCII entries
`"workflow:{...}"` and `"prompt:{...}"`. Both are linted through a synthetic document
`{"workflow": ..., "prompt": ...}`, so pointers read `/workflow/nodes/3/...`. The UI workflow is
what gets linted when present (it converts to the prompt and says more); the embedded prompt is
kept in `loaded.extra["image_prompt"]` for the check that the two agree.
"""
from __future__ import annotations

import json
import struct
import zlib
from typing import Any

from . import findings
from .envelope import is_ui_graph, looks_like_api

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
METADATA_KEYS = ("prompt", "workflow")
MAX_TEXT_BYTES = 64 * 1024 * 1024  # all decompressed metadata of one image, together


def load_image(loaded, data: bytes, *, envelope: str = "auto", require_format: str = "any") -> None:
    """Fill `loaded` from an image's embedded workflow (the loader's entry for PNG/WebP)."""
    del envelope  # images carry bare graphs; no request envelope applies
    kind = "PNG" if data.startswith(PNG_SIGNATURE) else "WebP"
    try:
        texts = png_texts(data) if kind == "PNG" else webp_texts(data)
    except (ValueError, struct.error, zlib.error) as exc:
        loaded.diagnostics.append(findings.unreadable(loaded.path, f"damaged {kind} file ({exc})"))
        return
    documents: dict[str, Any] = {}
    for key in METADATA_KEYS:
        if key not in texts:
            continue
        try:
            documents[key] = json.loads(texts[key])
        except (ValueError, RecursionError) as exc:
            loaded.diagnostics.append(findings.invalid_json(
                loaded.path, f"the image's {key!r} metadata is not valid JSON ({exc})", 1, 1))
    loaded.document = documents
    workflow, prompt = documents.get("workflow"), documents.get("prompt")
    if is_ui_graph(workflow) and not (require_format == "api" and looks_like_api(prompt)):
        _take(loaded, workflow, "/workflow", "ui")
        if looks_like_api(prompt):
            loaded.extra["image_prompt"] = prompt
        if require_format == "api":
            loaded.diagnostics.append(findings.ui_not_api(
                loaded.path, "the image's embedded workflow", "/workflow"))
        return
    if isinstance(prompt, dict) and looks_like_api(prompt):
        _take(loaded, prompt, "/prompt", "api")
        return
    if not any(d.code == "F001" for d in loaded.diagnostics):
        loaded.diagnostics.append(findings.not_a_workflow(
            loaded.path, f"the {kind} image carries no ComfyUI workflow (no 'prompt' or "
            "'workflow' metadata)"))


def _take(loaded, graph: dict, base: str, fmt: str) -> None:
    loaded.format = fmt
    loaded.workflow = graph
    loaded.base_pointer = base
    if fmt == "ui":
        loaded.ui_version = graph.get("version")


# -- PNG ----------------------------------------------------------------------------------------------
def png_texts(data: bytes) -> dict[str, str]:
    """keyword → text of the tEXt, zTXt and iTXt chunks (the first of each keyword wins)."""
    texts: dict[str, str] = {}
    offset = len(PNG_SIGNATURE)
    ended = False
    budget = [MAX_TEXT_BYTES]  # what decompression may still produce (zip bombs)
    while offset + 8 <= len(data):
        length, chunk_type = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if len(body) < length:
            raise ValueError(f"the {chunk_type.decode('latin-1')} chunk is cut short")
        offset += 12 + length
        if chunk_type == b"IEND":
            ended = True
            break
        parsed = _png_text_chunk(chunk_type, body, texts, budget)
        if parsed is not None:
            texts[parsed[0]] = parsed[1]
    if not ended and not texts:
        raise ValueError("the file ends before its last chunk")
    return texts


def _png_text_chunk(chunk_type: bytes, body: bytes, seen: dict,
                    budget: list[int]) -> tuple[str, str] | None:
    """(keyword, text) of a metadata chunk comfylint reads (`prompt`, `workflow`, the first of
    each); any other chunk is never decompressed."""
    if chunk_type not in (b"tEXt", b"zTXt", b"iTXt") or b"\x00" not in body:
        return None
    raw_key, rest = body.split(b"\x00", 1)
    key = raw_key.decode("latin-1")
    if key not in METADATA_KEYS or key in seen:
        return None
    if chunk_type == b"tEXt":
        return key, _decode(rest)
    if chunk_type == b"zTXt":
        return key, _decode(_inflate(rest[1:], budget))
    if len(rest) < 2:
        return None
    compressed, rest = rest[0], rest[2:]
    parts = rest.split(b"\x00", 2)  # language tag, translated keyword, text
    if len(parts) < 3:
        return None
    text = _inflate(parts[2], budget) if compressed else parts[2]
    return key, text.decode("utf-8", errors="replace")


def _inflate(data: bytes, budget: list[int]) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, budget[0] + 1)
    budget[0] -= len(out)
    if budget[0] < 0 or inflater.unconsumed_tail:
        raise ValueError(f"its compressed metadata would exceed {MAX_TEXT_BYTES // (1024 * 1024)} MB")
    return out


def _decode(data: bytes) -> str:
    """tEXt is Latin-1 by the standard, but writers put UTF-8 there; the frontend reads UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# -- WebP -----------------------------------------------------------------------------------------------
def webp_texts(data: bytes) -> dict[str, str]:
    """`key:value` ASCII entries of the EXIF chunk's first IFD (how ComfyUI saves WebP metadata)."""
    texts: dict[str, str] = {}
    offset = 12
    while offset + 8 <= len(data):
        fourcc = data[offset:offset + 4]
        (size,) = struct.unpack("<I", data[offset + 4:offset + 8])
        body = data[offset + 8:offset + 8 + size]
        offset += 8 + size + (size & 1)
        if fourcc == b"EXIF":
            for entry in _exif_ascii(body):
                key, sep, value = entry.partition(":")
                if sep and key in METADATA_KEYS and key not in texts:
                    texts[key] = value
    return texts


def _exif_ascii(body: bytes) -> list[str]:
    if body.startswith(b"Exif\x00\x00"):
        body = body[6:]
    if body[:2] not in (b"II", b"MM"):
        return []
    order = "<" if body[:2] == b"II" else ">"
    (ifd,) = struct.unpack(order + "I", body[4:8])
    if ifd + 2 > len(body):
        return []
    (count,) = struct.unpack(order + "H", body[ifd:ifd + 2])
    found = []
    for index in range(count):
        start = ifd + 2 + 12 * index
        if start + 12 > len(body):
            break
        _tag, kind, length, value = struct.unpack(order + "HHII", body[start:start + 12])
        if kind != 2:  # ASCII
            continue
        raw = body[start + 8:start + 8 + length] if length <= 4 else body[value:value + length]
        found.append(_decode(raw.rstrip(b"\x00")))
    return found
