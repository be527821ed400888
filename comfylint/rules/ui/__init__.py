"""U rules (and G108): checks on the UI document itself, before and beside its conversion to API.

They read the UI file the editor saved (nodes, links, widgets_values), so their pointers are
pointers into that file. The API rules see the converted graph instead (comfylint.ui).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...ui.document import UiDocument
    from ..base import Context


def ui_document(ctx: "Context") -> "UiDocument":
    """The UI file read into records, shared by the rules (the conversion's copy when there is one)."""
    from ...ui import conversion
    from ...ui.document import read_document

    result = conversion(ctx.loaded)
    if result is not None and result.document is not None:
        return result.document
    cached = ctx.loaded.extra.get("ui_document")
    if cached is None:
        cached = ctx.loaded.extra["ui_document"] = read_document(ctx.loaded.workflow)
    return cached
