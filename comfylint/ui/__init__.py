"""UI-format workflows (what the editor saves): schema checks, link-table lint, conversion to API."""
from __future__ import annotations

from .convert import ConversionResult, to_api


def attach_api_view(ctx) -> None:
    """Give a UI file an API graph to lint (conversion lands with the UI issue)."""
    ctx.graph = None


__all__ = ["ConversionResult", "attach_api_view", "to_api"]
