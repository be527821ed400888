"""Passing requests to the upstream ComfyUI untouched: HTTP (streamed) and websockets.

Bodies go through as bytes; headers too, except the hop-by-hop ones a proxy must not forward.
An upstream that refuses or drops the connection is a 502, one that stays silent longer than the
timeout a 504, each with a JSON body that says which (never a hang). Headers are never logged.
"""
from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from yarl import URL

if TYPE_CHECKING:
    from .metrics import Metrics

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "te", "trailer", "trailers", "transfer-encoding", "upgrade", "host"})
WEBSOCKET_HANDSHAKE = frozenset({"sec-websocket-key", "sec-websocket-version",
                                 "sec-websocket-extensions", "sec-websocket-accept"})
GATED_ANSWER_LIMIT = 16 * 1024 * 1024  # a /prompt answer is small; read whole to check it


class UpstreamError(Exception):
    """The upstream could not answer: `status` is 502 (unreachable) or 504 (too slow)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def forwarded_headers(headers: Iterable[tuple[str, str]], skip: frozenset[str] = frozenset()
                      ) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers
            if name.lower() not in HOP_BY_HOP and name.lower() not in skip]


def upstream_error_response(error: UpstreamError, metrics: Metrics) -> web.Response:
    metrics.count("upstream_timeout" if error.status == 504 else "upstream_unreachable")
    kind = "upstream_timeout" if error.status == 504 else "upstream_unreachable"
    return web.json_response({"error": {"type": kind, "message": str(error), "details": "",
                                        "extra_info": {}}, "node_errors": {}},
                             status=error.status)


def _translate(exc: BaseException, timeout: float) -> UpstreamError:
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return UpstreamError(504, f"the upstream ComfyUI did not answer within {timeout:g} s")
    return UpstreamError(502, f"the upstream ComfyUI cannot be reached: {type(exc).__name__}")


class Upstream:
    """The ComfyUI behind the gate: one connection pool per worker."""

    def __init__(self, base_url: str, timeout: float, connect_timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = aiohttp.ClientSession(
            auto_decompress=False,  # pass compressed bodies through as they are
            timeout=aiohttp.ClientTimeout(total=None, connect=connect_timeout,
                                          sock_connect=connect_timeout, sock_read=timeout),
            cookie_jar=aiohttp.DummyCookieJar())  # stateless: never keep a client's cookies

    async def close(self) -> None:
        await self.session.close()

    def url(self, request: web.Request) -> URL:
        """The upstream URL of a request: its request target (path and query) exactly as sent."""
        return URL(self.base_url + request.raw_path, encoded=True)

    async def fetch(self, request: web.Request, body: bytes) -> tuple[int, list, bytes]:
        """Forward a request whose body the gate has read; the whole answer (a /prompt answer)."""
        url = self.url(request)
        try:
            async with self.session.request(request.method, url, data=body,
                                            headers=forwarded_headers(request.headers.items()),
                                            allow_redirects=False) as answer:
                data = await answer.content.read(GATED_ANSWER_LIMIT)
                return answer.status, list(answer.headers.items()), data
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _translate(exc, self.timeout) from None

    async def stream(self, request: web.Request) -> web.StreamResponse:
        """Forward any request, streaming both bodies."""
        url = self.url(request)
        body = request.content if request.body_exists else None
        try:
            answer_cm = self.session.request(request.method, url, data=body,
                                             headers=forwarded_headers(request.headers.items()),
                                             allow_redirects=False)
            answer = await answer_cm.__aenter__()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _translate(exc, self.timeout) from None
        try:
            response = web.StreamResponse(status=answer.status, reason=answer.reason)
            for name, value in forwarded_headers(answer.headers.items()):
                response.headers.add(name, value)
            await response.prepare(request)
            try:
                async for chunk in answer.content.iter_any():
                    await response.write(chunk)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                if request.transport is not None:  # the status is already sent: cut it short
                    request.transport.close()
                return response
            await response.write_eof()
            return response
        finally:
            await answer_cm.__aexit__(None, None, None)

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        """Connect to the upstream's websocket first (502/504 if it cannot), then relay frames
        both ways until either side closes."""
        url = self.url(request)
        headers = forwarded_headers(request.headers.items(), WEBSOCKET_HANDSHAKE)
        protocols = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")
                     if p.strip()]
        headers = [(k, v) for k, v in headers if k.lower() != "sec-websocket-protocol"]
        try:
            upstream = await self.session.ws_connect(url, headers=headers, protocols=protocols,
                                                     autoping=False, max_msg_size=0)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _translate(exc, self.timeout) from None
        client = web.WebSocketResponse(protocols=[upstream.protocol] if upstream.protocol else (),
                                       autoping=False, max_msg_size=0)
        await client.prepare(request)
        try:
            await _relay(client, upstream)
        finally:
            await upstream.close()
            await client.close()
        return client


async def _relay(client: web.WebSocketResponse,
                 upstream: "aiohttp.ClientWebSocketResponse[Any]") -> None:
    async def pump(source, target) -> None:
        async for message in source:
            if message.type == aiohttp.WSMsgType.TEXT:
                await target.send_str(message.data)
            elif message.type == aiohttp.WSMsgType.BINARY:
                await target.send_bytes(message.data)
            elif message.type == aiohttp.WSMsgType.PING:
                await target.ping(message.data)
            elif message.type == aiohttp.WSMsgType.PONG:
                await target.pong(message.data)
            else:
                break

    tasks = [asyncio.ensure_future(pump(client, upstream)),
             asyncio.ensure_future(pump(upstream, client))]
    _done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
