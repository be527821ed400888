"""Bounded reads: a FIFO, a device or an oversized input is refused at once (never a hang, never
memory exhaustion), and compressed image metadata cannot expand beyond its budget."""
from __future__ import annotations

import io
import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from ci_support import comfylint

from comfylint.load import load_path
from comfylint.load.image import MAX_TEXT_BYTES, png_texts
from comfylint.reading import UnreadableFile, read_limited, read_stream

FIXTURES = Path(__file__).parent / "fixtures"
WORKFLOW = FIXTURES / "fox.api.json"


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "workflow.json"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("args", [
    ["check", "{fifo}"], ["convert", "{fifo}"], ["check", "--object-info", "{fifo}", "{wf}"],
    ["check", "--snapshot", "{fifo}", "{wf}"], ["check", "--config", "{fifo}", "{wf}"],
    ["check", "--baseline", "{fifo}", "{wf}"], ["check", "--manifest", "{fifo}", "{wf}"],
    ["check", "--extension-node-map", "{fifo}", "{wf}"], ["snapshot", "--object-info", "{fifo}"],
])
def test_a_fifo_given_anywhere_is_refused_without_waiting(fifo, args):
    done = comfylint(*[a.format(fifo=fifo, wf=WORKFLOW) for a in args])
    assert done.returncode in (1, 2), done.stderr
    assert "FIFO" in done.stdout + done.stderr or "not found" in done.stderr, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_fifo_met_while_walking_is_skipped(fifo):
    (fifo.parent / "good.json").write_bytes(WORKFLOW.read_bytes())
    done = comfylint("check", str(fifo.parent))
    assert done.returncode == 0 and "1 file(s)" in done.stdout, done.stdout + done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused_not_read_until_memory_runs_out():
    done = comfylint("check", "/dev/zero")
    assert done.returncode == 1 and "character device, not a regular file" in done.stdout
    with pytest.raises(UnreadableFile, match="character device"):
        read_limited("/dev/zero", 1024)


def test_sizes_are_bounded(tmp_path):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    with pytest.raises(UnreadableFile, match="more than"):
        read_limited(big, 1024)
    assert read_limited(big, 4096) == b" " * 2048
    with pytest.raises(UnreadableFile, match="larger than allowed"):
        read_stream(io.BytesIO(b"x" * 2049), 2048)
    assert read_stream(io.BytesIO(b"x" * 2048), 2048) == b"x" * 2048


def _png(*chunks: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + b"".join(chunk(b"zTXt", c) for c in chunks) + chunk(b"IEND", b"")


def test_only_the_workflow_metadata_is_ever_decompressed():
    workflow = json.dumps(json.loads(WORKFLOW.read_text())).encode()
    junk = b"\x78\x9c" + b"not zlib at all" * 10  # would raise if anyone tried to inflate it
    data = _png(*[b"comment%d\x00\x00" % i + junk for i in range(30)],
                b"prompt\x00\x00" + zlib.compress(workflow), b"prompt\x00\x00" + junk)
    assert png_texts(data) == {"prompt": workflow.decode()}


def test_a_decompression_bomb_is_a_finding(tmp_path):
    bomb = zlib.compress(b"\x00" * (MAX_TEXT_BYTES + 1), 1)
    path = tmp_path / "bomb.png"
    path.write_bytes(_png(b"prompt\x00\x00" + bomb, b"workflow\x00\x00" + bomb))
    [finding] = load_path(path).diagnostics
    assert finding.code == "F001" and "would exceed 64 MB" in finding.message
