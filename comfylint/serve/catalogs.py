"""The validator a worker uses, and keeping its catalog as current as the upstream's.

With `--upstream` and no catalog file, the catalog is the upstream's own (/system_stats,
/object_info, /models/..., read as `comfylint probe` reads them), re-read every
`refresh_seconds` and soon after the upstream refuses a prompt the gate let through (its models
or nodes changed). A refresh that fails keeps the last good catalog.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api import Validator
    from ..catalog import Catalog
    from . import Settings
    from .metrics import Metrics

log = logging.getLogger("comfylint.serve")
MIN_REFRESH_GAP = 10.0  # seconds between refreshes asked for by disagreements


def build_catalog(settings: Settings) -> Catalog:
    """The catalog the settings name (raises ComfylintError when it cannot be read)."""
    from ..api import load_catalog

    sources = dict(settings.catalog_sources)
    if settings.reads_upstream_catalog:
        sources.update(server=settings.upstream, headers=settings.upstream_headers,
                       token=settings.upstream_token, timeout=settings.upstream_timeout)
    return load_catalog(**sources)


def build_validator(settings: Settings, catalog: Catalog) -> Validator:
    from ..api import Validator

    return Validator(catalog, **settings.validator)


def settle_long_lived_objects() -> None:
    """Freeze what lives as long as the worker (the catalog, the warm validator, the imported
    modules) out of the cyclic garbage collector's scans: a full collection walked those ~60,000
    objects for 8-17 ms in the middle of some request. One collection first, so no garbage is
    frozen; after a refresh the old catalog's objects are unfrozen and collected with it."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class CatalogHolder:
    """The current validator (replaced whole on refresh, so a request sees one catalog)."""

    def __init__(self, settings: Settings, validator: Validator, metrics: Metrics) -> None:
        self.settings = settings
        self.validator = validator
        self.metrics = metrics
        self.loaded_at = time.time()
        self.last_error: str | None = None
        self._refreshing: asyncio.Task | None = None
        self._last_attempt = 0.0

    def describe(self) -> dict[str, Any]:
        catalog = self.validator.catalog
        return {"source": catalog.source, "comfyui_version": catalog.comfyui_version,
                "age_seconds": round(time.time() - self.loaded_at, 1),
                "refreshed_from_upstream": self.settings.reads_upstream_catalog,
                "last_refresh_error": self.last_error}

    def request_refresh(self, reason: str) -> None:
        """Re-read the upstream's catalog soon (at most one refresh at a time, and not more
        often than every MIN_REFRESH_GAP seconds)."""
        if not self.settings.reads_upstream_catalog:
            return
        if self._refreshing is not None and not self._refreshing.done():
            return
        if time.monotonic() - self._last_attempt < MIN_REFRESH_GAP:
            return
        self._refreshing = asyncio.get_running_loop().create_task(self.refresh(reason))

    async def refresh(self, reason: str) -> None:
        from ..errors import ComfylintError

        self._last_attempt = time.monotonic()
        loop = asyncio.get_running_loop()
        try:
            catalog = await loop.run_in_executor(None, build_catalog, self.settings)
        except ComfylintError as exc:
            self.last_error = str(exc)
            self.metrics.count("catalog_refresh_failures")
            log.warning("comfylint serve: keeping the last catalog (%s): %s", reason, exc)
            return
        self.validator = self.validator.with_catalog(catalog)
        settle_long_lived_objects()
        self.loaded_at = time.time()
        self.last_error = None
        self.metrics.count("catalog_refreshes")
        log.info("comfylint serve: catalog re-read from the upstream (%s)", reason)

    async def refresh_periodically(self) -> None:
        interval = self.settings.refresh_seconds
        if not self.settings.reads_upstream_catalog or interval <= 0:
            return
        while True:
            await asyncio.sleep(interval)
            await self.refresh("interval")
