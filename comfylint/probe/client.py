"""The HTTP client: the only code in comfylint that talks to a network.

Standard library only (urllib). Every failure becomes a ProbeError whose message says what went
wrong and what to try, so the CLI can print it and exit 2: server down, timeout, 401/403, 404,
5xx (retried first), an answer that is not JSON or not from ComfyUI, a body larger than allowed.
"""
from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..errors import ComfylintError
from . import DEFAULT_TIMEOUT

DEFAULT_RETRIES = 2
DEFAULT_MAX_BYTES = 512 * 1024 * 1024  # /object_info of a server with many packs reaches 100 MB
SMALL_MAX_BYTES = 64 * 1024 * 1024
RETRY_STATUSES = frozenset({500, 502, 503, 504})
CHUNK = 1024 * 1024
USER_AGENT = "comfylint-probe"


class ProbeError(ComfylintError):
    """A server that cannot be read; the message is for the user (exit 2)."""


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes | bytearray

    def json(self, what: str) -> Any:
        try:
            return json.loads(self.body)
        except MemoryError:
            raise ProbeError(f"{what}: not enough memory to parse the {len(self.body) / 1e6:.0f} MB "
                             "answer") from None
        except ValueError:
            kind = self.content_type or "no content type"
            start = self.body[:80].decode("utf-8", "replace").strip()
            raise ProbeError(f"{what} is not JSON ({kind}, starts with {start!r}): is this a ComfyUI "
                             "server, and is the URL its root (e.g. http://host:8188)?") from None


def parse_header(text: str) -> tuple[str, str]:
    """'Name: value' from the command line."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise ProbeError(f"--header {text!r}: expected 'Name: value'")
    return name.strip(), value.strip()


def auth_header(url: str, token: str) -> tuple[str, str]:
    """Authorization for a token: PAI-EAS takes the bare token, other hosts `Bearer <token>`."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    bare = host.endswith((".pai-eas.aliyuncs.com", ".eas.aliyuncs.com"))
    return "Authorization", token if bare or token.lower().startswith("bearer ") else f"Bearer {token}"


@dataclass
class ServerClient:
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    retry_delay: float = 0.5

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ProbeError(f"--server {self.base_url!r}: expected an http(s) URL such as "
                             "http://127.0.0.1:8188")
        # Credentials in the URL become a header; the printable URL never shows them.
        if parts.username or parts.password:
            import base64

            pair = f"{urllib.parse.unquote(parts.username or '')}:{urllib.parse.unquote(parts.password or '')}"
            self.headers.setdefault("Authorization", "Basic " + base64.b64encode(pair.encode()).decode())
            parts = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
        self.base_url = urllib.parse.urlunsplit(parts._replace(query="", fragment="")).rstrip("/")

    @property
    def display_url(self) -> str:
        return self.base_url

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- requests --------------------------------------------------------------------------------
    def get(self, path: str, *, max_bytes: int = SMALL_MAX_BYTES, ok: Iterable[int] = (200,)) -> Response:
        return self._request("GET", path, None, max_bytes, set(ok))

    def get_json(self, path: str, *, max_bytes: int = SMALL_MAX_BYTES) -> Any:
        return self.get(path, max_bytes=max_bytes).json(f"GET {path}")

    def post_json(self, path: str, document: Any, *, ok: Iterable[int] = (200,)) -> Response:
        body = json.dumps(document).encode("utf-8")
        # POST is never retried: a retry could queue the same prompt twice.
        return self._request("POST", path, body, SMALL_MAX_BYTES, set(ok), retries=0)

    def _request(self, method: str, path: str, body: bytes | None, max_bytes: int,
                 ok: set[int], retries: int | None = None) -> Response:
        attempts = 1 + (self.retries if retries is None else retries)
        last_error: ProbeError | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.retry_delay * (2 ** (attempt - 1)))
            try:
                response = self._once(method, path, body, max_bytes)
            except _Retryable as exc:
                last_error = ProbeError(str(exc))
                continue
            if response.status in ok:
                return response
            error = self._status_error(method, path, response)
            if response.status in RETRY_STATUSES:
                last_error = error
                continue
            raise error
        assert last_error is not None
        if attempts > 1:
            raise ProbeError(f"{last_error} (after {attempts} attempts)")
        raise last_error

    def _once(self, method: str, path: str, body: bytes | None, max_bytes: int) -> Response:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **self.headers}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url(path), data=body, method=method, headers=headers)
        where = f"{method} {self.display_url}{path}"
        deadline = time.monotonic() + self.timeout
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as handle:
                return Response(handle.status, handle.headers.get("Content-Type", ""),
                                _read_limited(handle, max_bytes, deadline, where))
        except urllib.error.HTTPError as exc:
            try:
                data = _read_limited(exc, SMALL_MAX_BYTES, deadline, where)
            except ProbeError:
                data = b""
            return Response(exc.code, exc.headers.get("Content-Type", "") if exc.headers else "", data)
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise _Retryable(f"{where}: no answer within {self.timeout:g} s "
                                 "(raise --timeout for a slow server)") from None
            if isinstance(reason, ConnectionRefusedError):
                raise _Retryable(f"cannot connect to {self.display_url}: connection refused "
                                 "(is ComfyUI running and listening on that address?)") from None
            if isinstance(reason, socket.gaierror):
                raise ProbeError(f"cannot resolve the host of {self.display_url}: {reason}") from None
            raise _Retryable(f"cannot reach {self.display_url}: {reason}") from None
        except (socket.timeout, TimeoutError):
            raise _Retryable(f"{where}: no answer within {self.timeout:g} s "
                             "(raise --timeout for a slow server)") from None
        except (ConnectionError, OSError) as exc:
            raise _Retryable(f"{where}: connection failed: {exc}") from None

    def _status_error(self, method: str, path: str, response: Response) -> ProbeError:
        where = f"{method} {self.display_url}{path}"
        status = response.status
        text = " ".join(response.body[:200].decode("utf-8", "replace").split())
        detail = f": {text}" if text else ""
        if status in (401, 403):
            return ProbeError(f"{where}: HTTP {status} (not authorised){detail}; give the endpoint's "
                              "credentials with --token or --header 'Authorization: ...'")
        if status == 404:
            return ProbeError(f"{where}: HTTP 404 (not found); is {self.display_url} the root of a "
                              "ComfyUI server? Hosted endpoints often need a path prefix in --server")
        if status >= 500:
            return ProbeError(f"{where}: HTTP {status} (server error){detail}")
        return ProbeError(f"{where}: HTTP {status}{detail}")


class _Retryable(Exception):
    """A transport failure worth another attempt (refused, reset, timed out)."""


def _read_limited(handle: Any, max_bytes: int, deadline: float, where: str) -> bytearray:
    """Read a body in chunks, refusing more than `max_bytes` and stopping at the deadline
    (a server that trickles bytes must not hang the run)."""
    declared = handle.headers.get("Content-Length") if getattr(handle, "headers", None) else None
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ProbeError(f"{where}: the answer is {int(declared) / 1e6:.0f} MB, more than the "
                         f"{max_bytes / 1e6:.0f} MB allowed (raise --max-mb)")
    body = bytearray()  # grown in place: no second copy of a 100 MB answer at the end
    while True:
        if time.monotonic() > deadline:
            raise _Retryable(f"{where}: the answer did not finish within the timeout "
                             f"({len(body) / 1e6:.1f} MB read; raise --timeout)")
        chunk = handle.read(CHUNK)
        if not chunk:
            return body
        if len(body) + len(chunk) > max_bytes:
            raise ProbeError(f"{where}: the answer exceeds {max_bytes / 1e6:.0f} MB "
                             "(raise --max-mb)")
        body += chunk
