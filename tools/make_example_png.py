"""Write examples/images/txt2img.png: a tiny real PNG carrying our own workflow metadata.

ComfyUI's SaveImage stores the API prompt and the editor's UI workflow as PNG text chunks
named "prompt" and "workflow"; this writes the same two chunks, from examples/api/txt2img.json
and examples/ui/txt2img.json (which convert into each other), on an 8x8 dusk-coloured picture.
Standard library only (zlib, struct), no timestamps: the same inputs give the same file.

    python tools/make_example_png.py [OUTPUT]
"""
from __future__ import annotations

import json
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPT = ROOT / "examples" / "api" / "txt2img.json"
WORKFLOW = ROOT / "examples" / "ui" / "txt2img.json"
DEFAULT_OUTPUT = ROOT / "examples" / "images" / "txt2img.png"
SIZE = 8
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def dusk_pixels() -> bytes:
    """Rows of 8-bit RGB, each behind PNG filter byte 0: a sky fading from violet to orange."""
    rows = []
    for y in range(SIZE):
        t = y / (SIZE - 1)
        pixel = bytes((int(70 + 180 * t), int(40 + 90 * t), int(120 - 80 * t)))
        rows.append(b"\x00" + pixel * SIZE)
    return b"".join(rows)


def compact_json(path: Path) -> str:
    """The file's JSON as ComfyUI writes it into the chunk (json.dumps, ASCII-escaped)."""
    return json.dumps(json.loads(path.read_text(encoding="utf-8")))


def png_bytes(prompt: str, workflow: str) -> bytes:
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    texts = [chunk(b"tEXt", key.encode("latin-1") + b"\x00" + value.encode("latin-1"))
             for key, value in (("prompt", prompt), ("workflow", workflow))]
    return (PNG_SIGNATURE + chunk(b"IHDR", header) + b"".join(texts)
            + chunk(b"IDAT", zlib.compress(dusk_pixels(), 9)) + chunk(b"IEND", b""))


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(png_bytes(compact_json(PROMPT), compact_json(WORKFLOW)))
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
