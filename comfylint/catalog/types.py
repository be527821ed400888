"""ComfyUI's type semantics: link type matching and the value conversions of `validate_inputs`.

These mirror what the server does (see the reference's §5 and §6) so that rules agree with it.
"""
from __future__ import annotations

import math
from typing import Any

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


def link_types_match(received: Any, declared: Any) -> bool:
    """Whether an output of type `received` may feed an input declared as `declared`.

    Equal types match; comma unions match on any overlap; `*` and v3 dynamic types match
    anything (newer servers treat `*` as universal, and every core `*` in v0.3.64 already was;
    MatchType always passes there, its template is the frontend's to enforce). A v1 combo (a list
    of choices) only accepts an identical list or a wildcard, but a list-typed output may feed a
    v3 `COMBO` input (newer servers let custom nodes that output their choices do that).
    """
    if received == declared:
        return True
    if isinstance(received, str) and (received == "*" or is_dynamic_type(received)):
        return True
    if isinstance(declared, str) and (declared == "*" or is_dynamic_type(declared)):
        return True
    if isinstance(received, list) and declared == "COMBO":
        return True
    if not isinstance(received, str) or not isinstance(declared, str):
        return False
    received_set, declared_set = _type_set(received), _type_set(declared)
    if "*" in received_set or "*" in declared_set:
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


def unwrap_value(value: Any) -> Any:
    """The server unwraps `{"__value__": v}` (how the frontend sends array widget values)."""
    if isinstance(value, dict) and "__value__" in value:
        return value["__value__"]
    return value


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
