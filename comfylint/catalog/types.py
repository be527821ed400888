"""ComfyUI's type semantics: link type matching and the value conversions of `validate_inputs`.

These mirror what the server does (see the reference's §5 and §6) so that rules agree with it.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .releases import ServerBehaviour

_DYNAMIC_PREFIX = "COMFY_"
_DYNAMIC_SUFFIX = "_V3"

# v3 dynamic input kinds whose expansion comfylint knows (catalog.dynamic); other COMFY_*_V3
# kinds (DYNAMICSLOT, DYNAMICGROUP, custom ones) stay opaque: their node's extra inputs are not judged.
AUTOGROW = "COMFY_AUTOGROW_V3"
DYNAMIC_COMBO = "COMFY_DYNAMICCOMBO_V3"
MATCH_TYPE = "COMFY_MATCHTYPE_V3"  # an ordinary input whose links always type-check


def is_dynamic_type(type_name: str) -> bool:
    """v3 dynamic input kinds (COMFY_AUTOGROW_V3, COMFY_DYNAMICCOMBO_V3, COMFY_MATCHTYPE_V3, ...)."""
    return type_name.startswith(_DYNAMIC_PREFIX) and type_name.endswith(_DYNAMIC_SUFFIX)


def _type_set(type_name: str) -> set[str]:
    return {part.strip() for part in type_name.split(",")}


def link_types_match(received: Any, declared: Any, server: ServerBehaviour) -> bool:
    """Whether an output of type `received` may feed an input declared as `declared`, on a
    server that validates as `server` says (the release in use).

    Equal types match; comma unions match on any overlap; a whole `*` matches anything (every
    core `*` is a wildcard type object, and custom nodes use such an object because a plain "*"
    would not match). Newer servers also take `*` inside a union and on any type, pass every
    MatchType link (its template is the frontend's to enforce) and let a list-typed output (a node
    that outputs its choices) feed a v3 `COMBO`; 0.3.64 compared those literally. A v1 combo (a
    list of choices) only accepts an identical list. Other v3 dynamic kinds are expanded before
    their links are checked (catalog.dynamic); what remains of them is not judged.
    """
    if received == declared:
        return True
    if isinstance(received, list) and declared == "COMBO":
        return server.list_into_combo
    if not isinstance(received, str) or not isinstance(declared, str):
        return False
    if received == "*" or declared == "*":
        return True
    if MATCH_TYPE in (received, declared):
        return server.match_type_passes
    if is_dynamic_type(received) or is_dynamic_type(declared):
        return True
    received_set, declared_set = _type_set(received), _type_set(declared)
    if server.wildcard_anywhere and ("*" in received_set or "*" in declared_set):
        return True
    return bool(received_set & declared_set)


def describe_type(type_value: Any) -> str:
    if isinstance(type_value, list):
        shown = ", ".join(repr(v) for v in type_value[:5])
        more = f", … ({len(type_value)} choices)" if len(type_value) > 5 else ""
        return f"COMBO[{shown}{more}]"
    return str(type_value)


CONVERTED_TYPES = ("INT", "FLOAT", "STRING", "BOOLEAN")


class ConversionError(Exception):
    pass


def convert_value(declared: str, value: Any) -> Any:
    """Convert a literal the way the server does before its range checks.

    Only exactly INT/FLOAT/STRING/BOOLEAN are converted (with Python's int/float/str/bool, which
    is what the server calls); anything else is returned unchanged. Raises ConversionError where
    the server reports `invalid_input_type`.
    """
    try:
        if declared == "INT":
            return int(value)
        if declared == "FLOAT":
            return float(value)
        if declared == "STRING":
            return str(value)
        if declared == "BOOLEAN":
            return bool(value)
    except Exception as exc:  # the server catches everything here, so do we
        raise ConversionError(f"{type(exc).__name__}: {exc}") from None
    return value


def lossy_reason(declared: str, value: object) -> str | None:
    """Why the server's silent conversion changes the meaning of this literal, or None."""
    if declared == "BOOLEAN" and isinstance(value, str):
        return f"becomes {bool(value)} (any non-empty string is true, even \"false\")"
    if declared == "BOOLEAN" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"becomes {bool(value)}"
    if declared == "INT" and isinstance(value, float) and math.isfinite(value) \
            and not value.is_integer():
        return f"is truncated to {int(value)}"
    if declared in ("INT", "FLOAT") and isinstance(value, bool):
        return f"becomes {int(value) if declared == 'INT' else float(value)}"
    if declared == "FLOAT" and isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number (NaN and Infinity pass every range check)"
    return None


def unwrap_value(value: Any) -> Any:
    """The server unwraps `{"__value__": v}` (how the frontend sends array widget values)."""
    if isinstance(value, dict) and "__value__" in value:
        return value["__value__"]
    return value


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
