"""`comfylint serve`: the dry run ComfyUI lacks, as an HTTP service (optional extra: aiohttp).

    validate-only     POST /validate_prompt (and /api/validate_prompt): any body comfylint reads
                      -> 200 {"valid", "error", "node_errors", "comfylint"}; nothing is executed
    gate (--upstream) POST /prompt, /api/prompt and PAI-EAS's /api_prompt are validated: a prompt
                      the server would refuse, or that would silently lose an output, gets
                      ComfyUI's own 400 before any GPU is touched; a valid one is forwarded byte
                      for byte. Every other route, the /ws websocket included, is proxied.
    both              GET /comfylint/health, GET /comfylint/metrics (Prometheus text)

Stateless: a verdict depends only on the request and the catalog, so any number of worker
processes (`--workers`) and hosts behind a load balancer give the same answers. Each worker
keeps its own copy of the catalog (read before the workers fork, refreshed by each on its own).

Nothing on the linter's check path imports this package: `pip install comfylint` stays light.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_PORT = 8189  # ComfyUI's is 8188
DEFAULT_MAX_BODY_MB = 64
DEFAULT_UPSTREAM_TIMEOUT = 30.0
DEFAULT_REFRESH_SECONDS = 300.0


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    workers: int = 1
    upstream: str | None = None  # the ComfyUI the gate stands in front of
    # How the catalog is read: from these sources, else from the upstream (and refreshed).
    catalog_sources: dict[str, Any] = field(default_factory=dict)  # api.load_catalog keywords
    # Headers for the gate's own reads of the upstream (/object_info, /models, /system_stats).
    upstream_headers: tuple[str, ...] = ()
    upstream_token: str | None = None
    upstream_timeout: float = DEFAULT_UPSTREAM_TIMEOUT  # seconds of upstream silence -> 504
    connect_timeout: float = 10.0  # seconds to connect to the upstream -> 502
    refresh_seconds: float = DEFAULT_REFRESH_SECONDS  # 0: never re-read the upstream's catalog
    max_body_bytes: int = DEFAULT_MAX_BODY_MB * 1024 * 1024
    validator: dict[str, Any] = field(default_factory=dict)  # api.Validator keywords

    @property
    def reads_upstream_catalog(self) -> bool:
        return bool(self.upstream) and not any(
            self.catalog_sources.get(k) for k in ("object_info", "snapshot", "server"))


def serve(settings: Settings, announce=print) -> None:
    """Bind, read the catalog, start the workers; returns when they are stopped (SIGTERM, ^C).
    Problems with the settings or the catalog raise ComfylintError before anything listens."""
    from .workers import run

    run(settings, announce)
