"""A real HTTP server on 127.0.0.1 that answers like ComfyUI from recorded responses.

Tests start it per test (port 0: the OS picks a free port) and point comfylint at its URL; nothing
in comfylint is mocked. Behaviours for the error paths: require a token (401), answer every GET
with HTML (not ComfyUI), fail /object_info with 500, answer slowly, or send a huge /object_info.
`/ws` is a websocket as ComfyUI's (a status message, a binary preview frame, then it echoes).
`gateway()` runs the real `comfylint serve` in a subprocess, for the gateway's tests.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

RESPONSES = json.loads((Path(__file__).parent / "fixtures" / "server" / "responses.json")
                       .read_text(encoding="utf-8"))
INSTALLED_CHECKPOINTS = RESPONSES["GET /models/checkpoints"]["json"]
GATE_TOKEN = "s3cret-token-value"  # the shared gate's (conftest.py): never in its log
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# ComfyUI's binary websocket frames: event type (1: preview image), image format (2: PNG), bytes
PREVIEW_FRAME = struct.pack(">II", 1, 2) + b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16


class Behaviour:
    """How the recorded server misbehaves (defaults: a healthy ComfyUI)."""

    def __init__(self, *, token: str | None = None, html: bool = False, fail: dict | None = None,
                 delay: dict | None = None, body: dict | None = None,
                 history_after: int = 0, redirect: dict | None = None,
                 trickle: dict | None = None, checkpoints: list[str] | None = None,
                 echo_auth: bool = False) -> None:
        self.token = token  # the exact Authorization value required, if any
        self.echo_auth = echo_auth  # a careless server: its errors quote the Authorization sent
        self.html = html
        self.fail = fail or {}  # path -> status to answer instead
        self.delay = delay or {}  # path -> seconds before answering
        self.body = body or {}  # path -> raw bytes to answer instead (e.g. a huge /object_info)
        self.history_after = history_after  # /history/<id> is empty for this many polls
        self.redirect = redirect or {}  # path -> (status, Location) to answer instead
        # path -> "headers" | "body": send the header lines / the body a byte at a time, forever
        self.trickle = trickle or {}
        # the checkpoints installed (models list, /object_info combo, /prompt's verdict); tests
        # may change it while the server runs
        self.checkpoints = list(INSTALLED_CHECKPOINTS if checkpoints is None else checkpoints)


class RecordedComfyUI(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, behaviour: Behaviour) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.behaviour = behaviour
        self.requests: list[tuple[str, str, dict, bytes]] = []  # method, path, headers, body
        self.history_polls = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: RecordedComfyUI

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self.server.requests.append(("GET", self.path, dict(self.headers), b""))
            return self._websocket()
        self._answer("GET", b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer("POST", self.rfile.read(length))

    def _answer(self, method: str, body: bytes) -> None:
        server, behaviour = self.server, self.server.behaviour
        server.requests.append((method, self.path, dict(self.headers), body))
        time.sleep(behaviour.delay.get(self.path.split("?")[0], 0))
        if self.path in behaviour.redirect:
            status, location = behaviour.redirect[self.path]
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if self.path in behaviour.trickle:
            return self._trickle(behaviour.trickle[self.path])
        if behaviour.token is not None and self.headers.get("Authorization") != behaviour.token:
            sent = f" (you sent {self.headers.get('Authorization')})" if behaviour.echo_auth else ""
            return self._send(401, f"401: Unauthorized{sent}".encode(), "text/plain")
        if behaviour.echo_auth:
            return self._send(200, f"<html>hello {self.headers.get('Authorization')}".encode(),
                              "text/html")
        if self.path in behaviour.fail:
            return self._send(behaviour.fail[self.path], b"500 Internal Server Error\n\nServer got "
                              b"itself in trouble", "text/plain")
        if behaviour.html:
            return self._send(200, b"<!doctype html><title>nginx</title>", "text/html")
        if self.path in behaviour.body:
            return self._send(200, behaviour.body[self.path], "application/json")
        key = f"{method} {self.path}"
        if method == "POST" and self.path.split("?")[0] == "/prompt":
            key = "POST /prompt " + self._verdict(body)
        elif self.path.startswith("/history/"):
            server.history_polls += 1
            if server.history_polls <= behaviour.history_after:
                return self._send(200, b"{}", "application/json")
        recorded = RESPONSES.get(key)
        if recorded is None:
            return self._send(404, b"", "text/plain")
        self._send(recorded.get("status", 200), json.dumps(self._installed(key, recorded["json"]))
                   .encode(), "application/json; charset=utf-8")

    def _installed(self, key: str, answer):
        """The recorded answer with this server's installed checkpoints."""
        installed = self.server.behaviour.checkpoints
        if key == "GET /models/checkpoints":
            return installed
        if key == "GET /object_info":
            answer = copy.deepcopy(answer)
            answer["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0] = installed
        return answer

    def _verdict(self, body: bytes) -> str:
        prompt = json.loads(body).get("prompt", {})
        for node in prompt.values():
            if node.get("class_type") == "CheckpointLoaderSimple" and \
                    node.get("inputs", {}).get("ckpt_name") not in self.server.behaviour.checkpoints:
                return "value_not_in_list"
        return "accepted"

    def _trickle(self, part: str) -> None:
        """A hostile server: a byte (or a header line) every few milliseconds, never done."""
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            if part == "headers":
                for index in range(100_000):
                    self.wfile.write(b"X-Slow-%d: 1\r\n" % index)
                    self.wfile.flush()
                    time.sleep(0.01)
            self.wfile.write(b"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
            for _ in range(100_000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.01)
        except OSError:
            pass  # the client gave up, as it should

    # -- the /ws websocket (RFC 6455, unfragmented frames) ----------------------------------------
    def _websocket(self) -> None:
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.close_connection = True
        client_id = parse_qs(urlsplit(self.path).query).get("clientId", [""])[0]
        status = {"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}},
                                             "sid": client_id}}
        self._frame(1, json.dumps(status).encode())
        self._frame(2, PREVIEW_FRAME)
        while True:
            opcode, payload = self._read_frame()
            if opcode is None or opcode == 8:
                self._frame(8, payload or b"")
                return
            if opcode == 9:
                self._frame(10, payload)
            elif opcode in (1, 2):
                self._frame(opcode, payload)  # echo

    def _frame(self, opcode: int, payload: bytes) -> None:
        size = len(payload)
        if size < 126:
            header = struct.pack(">BB", 0x80 | opcode, size)
        elif size < 1 << 16:
            header = struct.pack(">BBH", 0x80 | opcode, 126, size)
        else:
            header = struct.pack(">BBQ", 0x80 | opcode, 127, size)
        self.wfile.write(header + payload)
        self.wfile.flush()

    def _read_frame(self) -> tuple[int | None, bytes]:
        head = self.rfile.read(2)
        if len(head) < 2:
            return None, b""
        opcode, size = head[0] & 0x0F, head[1] & 0x7F
        if size == 126:
            size = struct.unpack(">H", self.rfile.read(2))[0]
        elif size == 127:
            size = struct.unpack(">Q", self.rfile.read(8))[0]
        mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
        data = self.rfile.read(size)
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


@contextmanager
def serve(behaviour: Behaviour | None = None) -> Iterator[RecordedComfyUI]:
    server = RecordedComfyUI(behaviour or Behaviour())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- the real gateway, as a subprocess ---------------------------------------------------------------
class Gateway:
    """A running `comfylint serve` process: its URL, its stderr so far, and all of it once stopped."""

    def __init__(self, process: subprocess.Popen, url: str, log) -> None:
        self.process = process
        self.url = url
        self.stderr = ""
        self._log = log

    def log_once_it_holds(self, text: str, timeout: float = 30.0) -> str:
        """The stderr written so far, once it holds `text` (an access log line is written after
        the answer is sent). Read with pread: the file offset the process writes at stays put."""
        deadline = time.monotonic() + timeout
        while True:
            descriptor = self._log.fileno()
            written = os.pread(descriptor, os.fstat(descriptor).st_size, 0).decode(errors="replace")
            if text in written or time.monotonic() > deadline:
                return written
            time.sleep(0.01)


@contextmanager
def gateway(*args: str, timeout: float = 60.0) -> Iterator[Gateway]:
    """Start `comfylint serve --port 0 ARGS` and wait until it listens; stop it afterwards."""
    import tempfile

    command = [sys.executable, "-m", "comfylint", "serve", "--port", "0", *args]
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - a file, not a pipe: a log must not block
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline and process.poll() is None:
        line = process.stdout.readline()
        if "listening on " in line:
            break
    if "listening on " not in line:
        process.kill()
        process.wait()
        log.seek(0)
        raise RuntimeError(f"comfylint serve did not start: {line}{log.read()}")
    running = Gateway(process, line.split("listening on ")[1].split()[0], log)
    try:
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        log.seek(0)
        running.stderr = log.read()
        log.close()
