"""Reading a file into a LoadedFile: bytes → JSON → format and envelope → the workflow to lint.

Load-level problems (unreadable file, invalid JSON, duplicate keys, a malformed envelope) become
findings on the LoadedFile, never exceptions: the run goes on with the next file.
"""
from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic
from ..reading import MAX_JSON_TEXT_BYTES, MAX_WORKFLOW_BYTES, read_limited, too_large
from ..record import Record
from . import findings
from .envelope import unwrap
from .positions import PositionIndex, locate_pointers

# loaded.extra[...], for whole-document screens (secrets, suppressions), the strings as they are
# (never as escapes spell them): every object key of a parsed document (the parser's, or the walk
# of a dict the caller gave), and the string values of a plain dict the caller gave; a dict that is
# not plain JSON keeps its JSON form instead.
OBJECT_KEYS_KEY = "object_keys"
STRING_VALUES_KEY = "string_values"
JSON_TEXT_KEY = "json_text"


class LoadedFile(Record):
    """A document as read: its text and JSON value, what it is, and the workflow in it."""

    __slots__ = ("path", "text", "document", "format", "ui_version", "envelope", "workflow",
                 "base_pointer", "partial_execution_targets", "has_partial_targets",
                 "envelope_files", "overridden", "diagnostics", "explicit", "unreadable",
                 "has_nan", "_positions", "extra")

    def __init__(self, path: str, text: str | None = None, document: Any = None,
                 format: str | None = None, ui_version: Any = None, envelope: str | None = None,
                 workflow: Any = None, base_pointer: str = "",
                 partial_execution_targets: Any = None, has_partial_targets: bool = False,
                 envelope_files: set[str] | None = None,
                 overridden: dict[tuple[str, str], str] | None = None,
                 diagnostics: list[Diagnostic] | None = None, explicit: bool = True,
                 unreadable: bool = False, has_nan: bool = False,
                 extra: dict | None = None) -> None:
        self.path = path
        self.text = text
        self.document = document
        self.format = format  # "api", "ui" or None (not a workflow / not readable)
        self.ui_version = ui_version
        self.envelope = envelope
        self.workflow = workflow  # the API graph (dict) or the UI document, as `format` says
        self.base_pointer = base_pointer  # where `workflow` sits inside `document`
        self.partial_execution_targets = partial_execution_targets
        self.has_partial_targets = has_partial_targets
        # input files the request carries
        self.envelope_files = envelope_files if envelope_files is not None else set()
        # (node id, input) -> pointer of the envelope override that replaced the workflow's value
        self.overridden = overridden if overridden is not None else {}
        self.diagnostics = diagnostics if diagnostics is not None else []
        self.explicit = explicit  # named by the user (not found by walking a directory)
        self.unreadable = unreadable  # the file could not be read at all (reported when walking)
        self.has_nan = has_nan
        self._positions: PositionIndex | None = None
        # per-format data (e.g. PNG chunks, UI conversion)
        self.extra = extra if extra is not None else {}

    @property
    def positions(self) -> PositionIndex | None:
        """Where every value of the text starts (for --fix and duplicate keys)."""
        if self._positions is None and self.text is not None:
            self._positions = PositionIndex(self.text)
        return self._positions

    def locate(self, pointers: Iterable[str]) -> dict[str, tuple[int, int] | None]:
        """pointer -> (line, column) in the text of the value there (or of its nearest
        ancestor): from the full index when one was built, else by finding just these."""
        if self.text is None:
            return {}
        if self._positions is not None:
            return {target: self._positions.locate(target) for target in pointers}
        return locate_pointers(self.text, pointers)

    @property
    def is_workflow(self) -> bool:
        return self.format is not None


def _object_hook(keys: list[str], duplicates: list[bool]) -> Callable[[list], dict]:
    """object_pairs_hook that keeps every object's keys and notices a duplicate key."""
    keep, note = keys.extend, duplicates.append

    def hook(pairs: list[tuple[str, Any]]) -> dict:
        result = dict(pairs)
        if len(result) != len(pairs):
            note(True)
        keep(result)
        return result
    return hook


def parse_json_text(loaded: LoadedFile, text: str) -> bool:
    """Parse `text` into `loaded.document`, adding F001/F002 findings. True when it parsed."""
    loaded.text = text
    keys: list[str] = []
    duplicates: list[bool] = []
    try:
        loaded.document = json.loads(text, object_pairs_hook=_object_hook(keys, duplicates))
    except json.JSONDecodeError as exc:
        loaded.diagnostics.append(findings.invalid_json(loaded.path, exc.msg, exc.lineno, exc.colno))
        return False
    except RecursionError:
        loaded.diagnostics.append(findings.invalid_json(
            loaded.path, "nesting is too deep to be a workflow", 1, 1))
        return False
    except ValueError as exc:  # e.g. integer strings longer than Python's digit limit
        loaded.diagnostics.append(findings.invalid_json(loaded.path, str(exc), 1, 1))
        return False
    loaded.extra[OBJECT_KEYS_KEY] = keys
    if duplicates:
        loaded.diagnostics.extend(findings.duplicate_keys(loaded.path, loaded.positions))
    if "NaN" in text or "Infinity" in text:
        loaded.has_nan = _contains_non_finite(loaded.document)
    return True


def _contains_non_finite(value: Any, depth: int = 0) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if depth > 64:
        return False
    if isinstance(value, dict):
        return any(_contains_non_finite(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_contains_non_finite(v, depth + 1) for v in value)
    return False


def decode_bytes(loaded: LoadedFile, data: bytes) -> str | None:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        loaded.diagnostics.append(findings.invalid_json(
            loaded.path, "the file is binary, not JSON text", 1, 1))
        return None
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            error = exc
            if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                break
    loaded.diagnostics.append(findings.invalid_json(
        loaded.path, f"the file is not UTF-8 text ({error.reason} at byte {error.start})", 1, 1))
    return None


def load_bytes(data: bytes, path: str, *, explicit: bool = True, envelope: str = "auto",
               require_format: str = "any") -> LoadedFile:
    loaded = LoadedFile(path=path, explicit=explicit)
    if _is_image(data):
        from .image import load_image  # PNG/WebP metadata (the UI issue's loader)

        load_image(loaded, data, envelope=envelope, require_format=require_format)
        return loaded
    other_image = _image_without_workflows(data)
    if other_image is not None:
        loaded.diagnostics.append(findings.not_a_workflow(
            path, f"a {other_image} image, which carries no ComfyUI workflow (the editor reads "
            "workflows from PNG and WebP images)"))
        return loaded
    if len(data) > MAX_JSON_TEXT_BYTES:
        loaded.unreadable = True
        loaded.diagnostics.append(findings.unreadable(
            path, f"{too_large(len(data), MAX_JSON_TEXT_BYTES)} for a workflow's JSON text"))
        return loaded
    text = decode_bytes(loaded, data)
    if text is not None and parse_json_text(loaded, text):
        unwrap(loaded, envelope=envelope, require_format=require_format)
    return loaded


def _is_image(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n") or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


# Image formats ComfyUI never embeds a workflow in, by their first bytes: a screenshot saved as
# JPEG under a .png name is a picture, not broken JSON.
IMAGES_WITHOUT_WORKFLOWS = ((b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"))


def _image_without_workflows(data: bytes) -> str | None:
    return next((kind for magic, kind in IMAGES_WITHOUT_WORKFLOWS if data.startswith(magic)), None)


def load_path(path: "str | Path", *, display: str | None = None, explicit: bool = True,
              envelope: str = "auto", require_format: str = "any") -> LoadedFile:
    shown = display or str(path)
    try:
        data = read_limited(path, MAX_WORKFLOW_BYTES)
    except OSError as exc:
        loaded = LoadedFile(path=shown, explicit=explicit, unreadable=True)
        loaded.diagnostics.append(findings.unreadable(shown, exc.strerror or str(exc)))
        return loaded
    return load_bytes(data, shown, explicit=explicit, envelope=envelope,
                      require_format=require_format)


def load_document(document: Any, path: str = "<workflow>", *, envelope: str = "auto",
                  require_format: str = "any") -> LoadedFile:
    """For the Python API: an already-parsed workflow (dict) instead of bytes.

    The server only ever receives JSON, so the document is read as its JSON form: non-string keys
    become strings (as json.dumps writes them), and a document JSON cannot carry (a tuple key, a
    set, a cycle) is an F001 finding. The caller's object is never modified. A document that is
    already what json.loads makes (the common case) is read as it is, without the round trip.
    """
    loaded = LoadedFile(path=path)
    strings = plain_json_strings(document)
    if strings is not None:
        loaded.document = document
        loaded.extra[STRING_VALUES_KEY], loaded.extra[OBJECT_KEYS_KEY] = strings
        unwrap(loaded, envelope=envelope, require_format=require_format)
        return loaded
    try:
        text = json.dumps(document, allow_nan=True)
        loaded.document = json.loads(text)
        loaded.extra[JSON_TEXT_KEY] = text
    except (TypeError, ValueError, RecursionError) as exc:
        loaded.diagnostics.append(findings.invalid_json(
            path, f"the document cannot be sent as JSON ({type(exc).__name__}: {exc})", 1, 1))
        return loaded
    unwrap(loaded, envelope=envelope, require_format=require_format)
    return loaded


PLAIN_DEPTH = 64  # deeper documents take the JSON round trip (and its recursion limits)
_ONLY_STR = {str}


@lru_cache(maxsize=4)
def _int_bound(digits: int) -> int:
    return 10 ** digits


def _largest_writable_int() -> int | None:
    """10**n where n is how many digits str(int) may write (Python >= 3.11 limits it), or None."""
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    return _int_bound(limit) if limit else None


def plain_json_strings(document: Any) -> tuple[list[str], list[str]] | None:
    """(every string value, every object key) of a document built only of what json.loads
    returns: dicts with string keys, lists, strings, ints (that str() can write), floats, booleans
    and None, at most PLAIN_DEPTH deep. None for anything else: the JSON round trip must
    normalize it."""
    largest = _largest_writable_int()
    bound = largest if largest is not None else math.inf
    low = -bound  # (negated once: -bound is a new 4,300-digit int each time)
    strings: list[str] = []
    keys: list[str] = []
    add, extend = strings.append, keys.extend

    def plain_items(items: Iterable[Any], depth: int) -> bool:
        """The items of a container `depth` deep (the document itself: -1), checked inline."""
        for item in items:
            kind = type(item)
            if kind is str:
                add(item)
            elif kind is dict:
                if depth >= PLAIN_DEPTH:
                    return False
                extend(item)  # (every key's type is checked at the end, in one pass in C)
                if not plain_items(item.values(), depth + 1):
                    return False
            elif kind is list:
                if len(item) == 2 and type(item[0]) is str and type(item[1]) is int \
                        and low < item[1] < bound:
                    add(item[0])  # a link, the commonest list: checked without recursing
                elif depth >= PLAIN_DEPTH or not plain_items(item, depth + 1):
                    return False
            elif kind is int:
                if not low < item < bound:
                    return False
            elif not (kind is float or kind is bool or item is None):
                return False
        return True

    plain = plain_items((document,), -1)
    # The nested function refers to itself through its closure: a reference cycle that would
    # keep it, and through it the two lists, for the cyclic collector to find (after every
    # document). Emptying the cell breaks it: all of it goes when this call returns.
    plain_items = None  # type: ignore[assignment]
    if not plain or (keys and set(map(type, keys)) != _ONLY_STR):
        return None
    return strings, keys
