"""The gateway's routes: validate, gate, proxy, health and metrics (one aiohttp application per
worker process)."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from .. import __version__
from .proxy import Upstream, UpstreamError, upstream_error_response

if TYPE_CHECKING:
    from ..api import Verdict
    from . import Settings
    from .catalogs import CatalogHolder
    from .metrics import Metrics

log = logging.getLogger("comfylint.serve")
VALIDATE_PATHS = frozenset({"/validate_prompt", "/api/validate_prompt"})
# POST routes the gate checks, and how their body is read: a /prompt body as sent, or (PAI-EAS
# API edition, /api_prompt?task_id=...) the graph itself.
GATED = {"/prompt": "comfyui-prompt", "/api/prompt": "comfyui-prompt", "/api_prompt": "none"}
INLINE_BYTES = 256 * 1024  # bigger bodies are validated in a thread: the loop keeps proxying


class BodyTooLarge(Exception):
    pass


class AccessLogger(AbstractAccessLogger):
    """Method, path (never the query: it may hold a token), status, time. No headers."""

    def log(self, request, response, time):
        self.logger.info("%s %s %s %.1fms", request.method, request.path, response.status,
                         time * 1000)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


def make_app(settings: Settings, holder: CatalogHolder, metrics: Metrics) -> web.Application:
    app = web.Application(client_max_size=settings.max_body_bytes)
    gateway = Gateway(settings, holder, metrics)
    app.router.add_get("/comfylint/health", gateway.health)
    app.router.add_get("/comfylint/metrics", gateway.metrics_text)
    app.router.add_route("*", "/{path:.*}", gateway.route)

    async def start(app: web.Application) -> None:
        if settings.upstream:
            gateway.upstream = Upstream(settings.upstream, settings.upstream_timeout,
                                        settings.connect_timeout)
        gateway.background = asyncio.get_running_loop().create_task(holder.refresh_periodically())

    async def stop(app: web.Application) -> None:
        if gateway.background is not None:
            gateway.background.cancel()
        if gateway.upstream is not None:
            await gateway.upstream.close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app


class Gateway:
    def __init__(self, settings: Settings, holder: CatalogHolder, metrics: Metrics) -> None:
        self.settings = settings
        self.holder = holder
        self.metrics = metrics
        self.upstream: Upstream | None = None
        self.background: asyncio.Task | None = None

    # -- dispatch -------------------------------------------------------------------------------
    async def route(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if request.method == "POST" and path in VALIDATE_PATHS:
            return await self.validate_prompt(request)
        if self.upstream is None:
            raise web.HTTPNotFound(text="comfylint serve (validate-only): POST /validate_prompt\n")
        try:
            if request.method == "POST" and path in GATED:
                return await self.gate(request, GATED[path])
            if request.headers.get("Upgrade", "").lower() == "websocket":
                self.metrics.count("websockets")
                return await self.upstream.websocket(request)
            self.metrics.count("proxied_requests")
            return await self.upstream.stream(request)
        except UpstreamError as error:
            return upstream_error_response(error, self.metrics)

    # -- validation -----------------------------------------------------------------------------
    async def validate_prompt(self, request: web.Request) -> web.Response:
        self.metrics.count("validate_requests")
        try:
            body = await self._read(request)
        except BodyTooLarge:
            return self._too_large()
        verdict = await self._validate(body, envelope=request.query.get("envelope"))
        return _json(verdict.to_dict(), 200)

    async def gate(self, request: web.Request, envelope: str) -> web.StreamResponse:
        self.metrics.count("gate_requests")
        try:
            body = await self._read(request)
        except BodyTooLarge:
            return self._too_large()
        verdict = await self._validate(body, envelope=envelope)
        if not verdict.ok:
            return _json(verdict.response, 400)
        assert self.upstream is not None
        status, headers, data = await self.upstream.fetch(request, body)
        if _upstream_disagrees(status, data):
            self.metrics.count("disagreements")
            self.holder.request_refresh("the upstream refused a prompt the gate accepted")
        response = web.Response(status=status, body=data)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection",
                                    "keep-alive"):
                response.headers.add(name, value)
        return response

    async def _validate(self, body: bytes, envelope: str | None) -> Verdict:
        validator = self.holder.validator  # one catalog for the whole request
        started = time.perf_counter()
        if len(body) <= INLINE_BYTES:
            verdict = validator.validate(body, envelope=envelope)
        else:
            verdict = await asyncio.get_running_loop().run_in_executor(
                None, lambda: validator.validate(body, envelope=envelope))
        self.metrics.observe(time.perf_counter() - started)
        if verdict.ok:
            self.metrics.count("accepted")
        else:
            self.metrics.count("rejected")
            self.metrics.rejected_by([d.code for d in verdict.blocking])
        return verdict

    async def _read(self, request: web.Request) -> bytes:
        limit = self.settings.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            raise BodyTooLarge
        data = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            data += chunk
            if len(data) > limit:
                raise BodyTooLarge
        return bytes(data)

    def _too_large(self) -> web.Response:
        self.metrics.count("body_too_large")
        limit = self.settings.max_body_bytes
        response = _json({"error": {"type": "request_too_large",
                                    "message": f"the request body is larger than {limit} bytes",
                                    "details": "", "extra_info": {"limit_bytes": limit}},
                          "node_errors": {}}, 413)
        response.force_close()  # do not read the rest of an oversized body
        return response

    # -- operations -----------------------------------------------------------------------------
    async def health(self, request: web.Request) -> web.Response:
        return _json({"status": "ok", "version": __version__, "worker": os.getpid(),
                      "mode": "gate" if self.settings.upstream else "validate-only",
                      "catalog": self.holder.describe()}, 200)

    async def metrics_text(self, request: web.Request) -> web.Response:
        age = time.time() - self.holder.loaded_at
        extra = ["# HELP comfylint_catalog_age_seconds Age of this worker's catalog.",
                 "# TYPE comfylint_catalog_age_seconds gauge",
                 f"comfylint_catalog_age_seconds {age:.1f}"]
        return web.Response(text=self.metrics.render(extra),
                            content_type="text/plain", charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff"})


def _upstream_disagrees(status: int, data: bytes) -> bool:
    """The upstream refused (400) or half-accepted (node_errors) a prompt the gate passed."""
    if status == 400:
        return True
    if status != 200:
        return False
    try:
        answer = json.loads(data)
    except ValueError:
        return False
    return isinstance(answer, dict) and bool(answer.get("node_errors"))


def _json(document: object, status: int) -> web.Response:
    return web.Response(text=json.dumps(document), status=status, content_type="application/json")
