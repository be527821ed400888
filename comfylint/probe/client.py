"""The HTTP client: the only code in comfylint that talks to a network.

Standard library only (urllib). Every failure becomes a ProbeError whose message says what went
wrong and what to try, so the CLI can print it and exit 2: server down, timeout, 401/403, 404,
5xx (retried first), an answer that is not JSON or not from ComfyUI, a body larger than allowed.

Two promises to a user who gives credentials: they never leave for another origin (a redirect to
another scheme, host or port is refused when the request carries any --header, --token or URL
credentials), and they never appear in a message (a malformed --header is not echoed). And one
to everyone: a request ends within --timeout, however slowly the server trickles its answer.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from ..errors import ComfylintError
from . import DEFAULT_TIMEOUT

DEFAULT_RETRIES = 2
DEFAULT_RETRY_DELAY = 0.5  # seconds before the first retry; doubled before each next one
RETRY_DELAY_ENV_VAR = "COMFYLINT_RETRY_DELAY"
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
    hide: Callable[[str], str] = str  # masks the client's credentials in text from the server

    def json(self, what: str) -> Any:
        try:
            return json.loads(self.body)
        except MemoryError:
            raise ProbeError(f"{what}: not enough memory to parse the {len(self.body) / 1e6:.0f} MB "
                             "answer") from None
        except RecursionError:
            raise ProbeError(f"{what}: the answer is nested too deeply to be ComfyUI's") from None
        except ValueError:
            kind = self.content_type or "no content type"
            start = self.hide(self.body[:80].decode("utf-8", "replace").strip())
            raise ProbeError(f"{what} is not JSON ({kind}, starts with {start!r}): is this a ComfyUI "
                             "server, and is the URL its root (e.g. http://host:8188)?") from None


HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP token (RFC 9110)


def retry_delay_setting() -> float:
    """The first retry's back-off: $COMFYLINT_RETRY_DELAY seconds (a flaky gateway may want
    longer, a test on loopback 0), else DEFAULT_RETRY_DELAY."""
    text = os.environ.get(RETRY_DELAY_ENV_VAR, "").strip()
    if not text:
        return DEFAULT_RETRY_DELAY
    try:
        delay = float(text)
    except ValueError:
        delay = -1.0
    if not 0 <= delay <= 3600:
        raise ProbeError(f"${RETRY_DELAY_ENV_VAR}={text!r}: expected seconds between 0 and 3600")
    return delay


def parse_header(text: str) -> tuple[str, str]:
    """'Name: value' from the command line. Errors never show the value: it is a credential."""
    name, sep, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        raise ProbeError("--header: expected 'Name: value' (the header given is not shown here: "
                         "it may hold a credential)")
    if not HEADER_NAME.fullmatch(name):
        raise ProbeError("a --header name holds characters a header name cannot have (letters, "
                         "digits and !#$%&'*+.^_`|~- only; the header is not shown here)")
    check_header_value(f"--header {name}", value)
    return name, value


def check_header_value(what: str, value: str) -> None:
    """A value HTTP can carry: Latin-1 text without line breaks or control characters."""
    if any(c in value for c in "\r\n\0"):
        raise ProbeError(f"{what}: the value holds a line break or NUL, which would end the header "
                         "early (the value is not shown here)")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ProbeError(f"{what}: the value holds characters an HTTP header cannot carry (only "
                         "Latin-1 text; the value is not shown here)") from None


def auth_header(url: str, token: str) -> tuple[str, str]:
    """Authorization for a token: PAI-EAS takes the bare token, other hosts `Bearer <token>`."""
    check_header_value("--token", token)
    try:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
    except ValueError:
        host = ""
    bare = host.endswith((".pai-eas.aliyuncs.com", ".eas.aliyuncs.com"))
    return "Authorization", token if bare or token.lower().startswith("bearer ") else f"Bearer {token}"


MIN_HIDDEN_LENGTH = 8  # header values shorter than this are no credentials worth hiding


def _credentials(headers: dict[str, str]) -> set[str]:
    """What of the headers a server could echo back: each value, and its last word (the token of
    `Bearer TOKEN`, the pair of `Basic PAIR`)."""
    found = set()
    for value in headers.values():
        for text in (value.strip(), value.strip().rsplit(" ", 1)[-1]):
            if len(text) >= MIN_HIDDEN_LENGTH:
                found.add(text)
    return found


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in: what a redirect may not
    change while credentials ride along."""
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


@dataclass
class ServerClient:
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    retry_delay: float = field(default_factory=lambda: retry_delay_setting())

    def __post_init__(self) -> None:
        parts = self._parse(self.base_url)
        # Credentials in the URL become a header; the printable URL never shows them.
        if parts.username or parts.password:
            import base64

            pair = f"{urllib.parse.unquote(parts.username or '')}:{urllib.parse.unquote(parts.password or '')}"
            self.headers.setdefault("Authorization", "Basic " + base64.b64encode(pair.encode()).decode())
            host = parts.hostname or ""
            host = f"[{host}]" if ":" in host else host
            parts = parts._replace(netloc=host + (f":{parts.port}" if parts.port else ""))
        self.base_url = urllib.parse.urlunsplit(parts._replace(query="", fragment="")).rstrip("/")
        for name, value in self.headers.items():
            if not HEADER_NAME.fullmatch(name):
                raise ProbeError("a header name holds characters a header name cannot have")
            check_header_value(f"header {name}", value)

    @staticmethod
    def _parse(url: str) -> urllib.parse.SplitResult:
        """The --server URL, checked: an http(s) URL with a host and nothing HTTP cannot send."""
        expected = "expected an http(s) URL such as http://127.0.0.1:8188"
        if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
            raise ProbeError(f"--server: the URL holds spaces or control characters; {expected}")
        try:
            parts = urllib.parse.urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
        except ValueError as exc:
            raise ProbeError(f"--server: not a valid URL ({exc}); {expected}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProbeError(f"--server: {expected}")
        if not url.isascii():
            raise ProbeError("--server: the URL holds non-ASCII characters (write an international "
                             f"host name in its xn-- form); {expected}")
        return parts

    @property
    def display_url(self) -> str:
        return self.base_url

    def url(self, path: str) -> str:
        return self.base_url + path

    def hide(self, text: str) -> str:
        """`text` (from the server, or about it) without the credentials this client sends: a
        server that echoes its Authorization header must not put the token in a CI log."""
        for secret in sorted(_credentials(self.headers), key=len, reverse=True):
            text = text.replace(secret, secret[:4] + "****")
        return text

    # -- requests --------------------------------------------------------------------------------
    def get(self, path: str, *, max_bytes: int = SMALL_MAX_BYTES, ok: Iterable[int] = (200,)) -> Response:
        with self._hidden():
            return self._request("GET", path, None, max_bytes, set(ok))

    def get_json(self, path: str, *, max_bytes: int = SMALL_MAX_BYTES) -> Any:
        return self.get(path, max_bytes=max_bytes).json(f"GET {path}")

    def post_json(self, path: str, document: Any, *, ok: Iterable[int] = (200,)) -> Response:
        body = json.dumps(document).encode("utf-8")
        # POST is never retried: a retry could queue the same prompt twice.
        with self._hidden():
            return self._request("POST", path, body, SMALL_MAX_BYTES, set(ok), retries=0)

    @contextlib.contextmanager
    def _hidden(self) -> Iterator[None]:
        try:
            yield
        except ProbeError as exc:
            raise ProbeError(self.hide(str(exc))) from None

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
        where = f"{method} {self.display_url}{path}"
        try:
            request = urllib.request.Request(self.url(path), data=body, method=method,
                                             headers=headers)
        except ValueError as exc:
            raise ProbeError(f"{where}: not a URL that can be requested ({exc})") from None
        deadline = _Deadline(time.monotonic() + self.timeout)
        opener = urllib.request.build_opener(
            _DeadlineHTTPHandler(deadline), _DeadlineHTTPSHandler(deadline),
            _SameOriginRedirects(credentials=bool(self.headers)))
        try:
            with opener.open(request, timeout=self.timeout) as handle:
                return Response(handle.status, handle.headers.get("Content-Type", ""),
                                _read_limited(handle, max_bytes, deadline, where), self.hide)
        except urllib.error.HTTPError as exc:
            data: bytes | bytearray
            try:
                data = _read_limited(exc, SMALL_MAX_BYTES, deadline, where)
            except (ProbeError, _Retryable):
                data = bytearray()
            return Response(exc.code, exc.headers.get("Content-Type", "") if exc.headers else "",
                            data, self.hide)
        except (http.client.HTTPException, ValueError) as exc:
            if deadline.passed:
                raise _Retryable(f"{where}: no answer within {self.timeout:g} s "
                                 "(raise --timeout for a slow server)") from None
            if isinstance(exc, http.client.RemoteDisconnected):
                raise _Retryable(f"{where}: the server closed the connection without "
                                 "answering") from None
            raise ProbeError(f"{where}: not a valid HTTP answer ({type(exc).__name__}: "
                             f"{_short(exc)})") from None
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
            if deadline.passed:
                raise _Retryable(f"{where}: no answer within {self.timeout:g} s "
                                 "(raise --timeout for a slow server)") from None
            raise _Retryable(f"{where}: connection failed: {exc}") from None
        finally:
            deadline.cancel()

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


def _read_limited(handle: Any, max_bytes: int, deadline: "_Deadline", where: str) -> bytearray:
    """Read a body in chunks, refusing more than `max_bytes` and stopping at the deadline
    (a server that trickles bytes must not hang the run; the deadline's watchdog cuts a read
    that blocks)."""
    declared = handle.headers.get("Content-Length") if getattr(handle, "headers", None) else None
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ProbeError(f"{where}: the answer is {int(declared) / 1e6:.0f} MB, more than the "
                         f"{max_bytes / 1e6:.0f} MB allowed (raise --max-mb)")
    read = getattr(handle, "read1", handle.read)  # what has arrived, not a full megabyte
    body = bytearray()  # grown in place: no second copy of a 100 MB answer at the end
    while True:
        try:
            chunk = read(CHUNK)
        except (http.client.HTTPException, OSError, ValueError) as exc:
            if deadline.passed:
                chunk = b""
            else:
                raise _Retryable(f"{where}: the answer was cut short ({type(exc).__name__})") from None
        if deadline.passed:
            raise _Retryable(f"{where}: the answer did not finish within the timeout "
                             f"({len(body) / 1e6:.1f} MB read; raise --timeout)")
        if not chunk:
            if getattr(handle, "length", None):  # Content-Length promised more
                raise _Retryable(f"{where}: the answer was cut short ({len(body)} bytes of "
                                 f"{len(body) + handle.length})")
            return body
        if len(body) + len(chunk) > max_bytes:
            raise ProbeError(f"{where}: the answer exceeds {max_bytes / 1e6:.0f} MB "
                             "(raise --max-mb)")
        body += chunk


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 120 else text[:117] + "..."


class _Deadline:
    """One request's end: the sockets it opens are shut down when it passes, which ends any read
    blocked on a server that answers a byte at a time (a per-read timeout alone never would)."""

    def __init__(self, at: float) -> None:
        self.at = at
        self._timers: list[threading.Timer] = []

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def watch(self, sock: socket.socket) -> None:
        timer = threading.Timer(max(self.at - time.monotonic(), 0.0), _shut, (sock,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def cancel(self) -> None:
        for timer in self._timers:
            timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _Watched:
    """A connection whose socket its request's deadline shuts down when the deadline passes."""

    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self._deadline.watch(self.sock)  # type: ignore[attr-defined]


class _WatchedHTTP(_Watched, http.client.HTTPConnection):
    pass


class _WatchedHTTPS(_Watched, http.client.HTTPSConnection):
    pass


class _Deadlined:
    """A handler whose connections are watched by one request's deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline


# do_open passes the extra keyword on to our connection's constructor (typeshed's protocol lacks it).
class _DeadlineHTTPHandler(_Deadlined, urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_WatchedHTTP, req, deadline=self.deadline)  # type: ignore[arg-type]


class _DeadlineHTTPSHandler(_Deadlined, urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_WatchedHTTPS, req,  # type: ignore[arg-type]
                            context=getattr(self, "_context", None), deadline=self.deadline)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never carry credentials to another origin: urllib would forward
    every header (Authorization included) to wherever the server points."""

    def __init__(self, credentials: bool) -> None:
        super().__init__()
        self.credentials = credentials

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        target = urllib.parse.urljoin(req.full_url, newurl)
        if self.credentials and origin(target) != origin(req.full_url):
            scheme, host, port = origin(target)
            raise ProbeError(
                f"{req.get_method()} {req.full_url.split('?')[0]}: the server redirects to another "
                f"origin ({scheme}://{host}:{port}); comfylint does not send your credentials "
                "(--token, --header, URL user info) there. If that is the real server, give it "
                "as --server")
        return super().redirect_request(req, fp, code, msg, headers, newurl)
