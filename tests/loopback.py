"""A real HTTP server on 127.0.0.1 that answers like ComfyUI from recorded responses.

Tests start it per test (port 0: the OS picks a free port) and point comfylint at its URL; nothing
in comfylint is mocked. Behaviours for the error paths: require a token (401), answer every GET
with HTML (not ComfyUI), fail /object_info with 500, answer slowly, or send a huge /object_info.
"""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

RESPONSES = json.loads((Path(__file__).parent / "fixtures" / "server" / "responses.json")
                       .read_text(encoding="utf-8"))
INSTALLED_CHECKPOINTS = RESPONSES["GET /models/checkpoints"]["json"]


class Behaviour:
    """How the recorded server misbehaves (defaults: a healthy ComfyUI)."""

    def __init__(self, *, token: str | None = None, html: bool = False, fail: dict | None = None,
                 delay: dict | None = None, body: dict | None = None,
                 history_after: int = 0, redirect: dict | None = None,
                 trickle: dict | None = None) -> None:
        self.token = token  # the exact Authorization value required, if any
        self.html = html
        self.fail = fail or {}  # path -> status to answer instead
        self.delay = delay or {}  # path -> seconds before answering
        self.body = body or {}  # path -> raw bytes to answer instead (e.g. a huge /object_info)
        self.history_after = history_after  # /history/<id> is empty for this many polls
        self.redirect = redirect or {}  # path -> (status, Location) to answer instead
        # path -> "headers" | "body": send the header lines / the body a byte at a time, forever
        self.trickle = trickle or {}


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
        self._answer("GET", b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer("POST", self.rfile.read(length))

    def _answer(self, method: str, body: bytes) -> None:
        server, behaviour = self.server, self.server.behaviour
        server.requests.append((method, self.path, dict(self.headers), body))
        time.sleep(behaviour.delay.get(self.path, 0))
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
            return self._send(401, b"401: Unauthorized", "text/plain")
        if self.path in behaviour.fail:
            return self._send(behaviour.fail[self.path], b"500 Internal Server Error\n\nServer got "
                              b"itself in trouble", "text/plain")
        if behaviour.html:
            return self._send(200, b"<!doctype html><title>nginx</title>", "text/html")
        if self.path in behaviour.body:
            return self._send(200, behaviour.body[self.path], "application/json")
        key = f"{method} {self.path}"
        if method == "POST" and self.path == "/prompt":
            key = "POST /prompt " + self._verdict(body)
        elif self.path.startswith("/history/"):
            server.history_polls += 1
            if server.history_polls <= behaviour.history_after:
                return self._send(200, b"{}", "application/json")
        recorded = RESPONSES.get(key)
        if recorded is None:
            return self._send(404, b"", "text/plain")
        self._send(recorded.get("status", 200), json.dumps(recorded["json"]).encode(),
                   "application/json; charset=utf-8")

    @staticmethod
    def _verdict(body: bytes) -> str:
        prompt = json.loads(body).get("prompt", {})
        for node in prompt.values():
            if node.get("class_type") == "CheckpointLoaderSimple" and \
                    node.get("inputs", {}).get("ckpt_name") not in INSTALLED_CHECKPOINTS:
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
