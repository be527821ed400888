"""Worker processes: the parent binds the socket and reads the catalog once, then forks N
workers that accept on the same socket (the kernel spreads connections); a worker that dies is
replaced. One worker runs in the parent's own process."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api import Validator
    from . import Settings
    from .metrics import Metrics

log = logging.getLogger("comfylint.serve")
RESPAWN_BACKOFF = 1.0  # seconds before replacing a worker that died


def run(settings: Settings, announce: Callable[[str], None]) -> None:
    from ..rules import all_rules
    from .catalogs import build_catalog, build_validator, settle_long_lived_objects
    from .metrics import Metrics

    validator = build_validator(settings, build_catalog(settings))
    validator.warm_up()  # imported and warm before the fork: every worker starts ready
    from aiohttp import web  # noqa: F401 - the server too (each worker imported it, ~0.1 s,

    from . import app  # noqa: F401 - and kept its own copy of the modules' memory)

    settle_long_lived_objects()  # (before the fork: the workers share those pages too)
    sock = _bind(settings.host, settings.port)
    metrics = Metrics(settings.workers, [rule.code for rule in all_rules()])
    host, port = sock.getsockname()[:2]
    mode = f"gate in front of {_shown(settings.upstream)}" if settings.upstream \
        else "validate-only"
    announce(f"comfylint serve: listening on http://{_url_host(host)}:{port} ({mode}; catalog: "
             f"{validator.catalog.source}; {settings.workers} worker"
             f"{'s' if settings.workers != 1 else ''})")
    if settings.workers == 1:
        _worker(0, sock, settings, validator, metrics)
        return
    _supervise(sock, settings, validator, metrics)


def _bind(host: str, port: int) -> socket.socket:
    from ..errors import ComfylintError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ComfylintError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def _supervise(sock: socket.socket, settings: Settings, validator: Validator,
               metrics: Metrics) -> None:
    children: dict[int, int] = {}  # pid -> worker index
    stopping = False

    def spawn(index: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            status = 1
            try:
                _worker(index, sock, settings, validator, metrics)
                status = 0
            finally:
                os._exit(status)
        children[pid] = index

    def stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for index in range(settings.workers):
        spawn(index)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid not in children:
            continue
        index = children.pop(pid)
        if not stopping:
            log.warning("comfylint serve: worker %d exited (%s); starting another", index,
                        os.waitstatus_to_exitcode(status))
            time.sleep(RESPAWN_BACKOFF)
            spawn(index)
    sock.close()


def _worker(index: int, sock: socket.socket, settings: Settings, validator: Validator,
            metrics: Metrics) -> None:
    metrics.worker = index
    asyncio.run(_serve(sock, settings, validator, metrics))


async def _serve(sock: socket.socket, settings: Settings, validator: Validator,
                 metrics: Metrics) -> None:
    from aiohttp import web

    from .app import AccessLogger, make_app
    from .catalogs import CatalogHolder

    holder = CatalogHolder(settings, validator, metrics)
    app = make_app(settings, holder, metrics)
    runner = web.AppRunner(app, access_log_class=AccessLogger, handle_signals=False)
    await runner.setup()
    site = web.SockSite(runner, sock, shutdown_timeout=5.0)
    await site.start()
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    try:
        await stopped.wait()
    finally:
        await runner.cleanup()


def _shown(url: str | None) -> str:
    """A URL without credentials (never print a user:password@ part)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url or "")
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc, query=""))


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host

