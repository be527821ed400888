"""Map JSON pointers to line/column in the source text, computed only when a finding needs it.

`locate_pointers` finds just the pointers asked for: it descends along their paths and lets the
JSON decoder (C) step over every other value, so a file with findings costs a fraction of its
parse. `PositionIndex` walks the whole text once and records where each value starts (and, for
object members, where the key starts; duplicate keys as they are met): --fix splices by it and
duplicate-key findings read it. Both read a duplicated key's value as its first occurrence does
(tests/test_fast_paths.py compares them).
"""
from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable

# A JSON token: a string, a structural character, or a scalar (number, true, false, null, NaN)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s,\]\}:"{\[]+', re.DOTALL)
VALUE, KEY, KEY_OR_CLOSE, ITEM_OR_CLOSE, AFTER_VALUE = range(5)


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: object) -> str:
    """The JSON pointer of a path (RFC 6901: '~' and '/' escaped inside tokens)."""
    # Findings build thousands: str() only when a token is no string (an index), escapes only
    # when a token needs them.
    try:
        joined = "/".join(tokens)  # type: ignore[arg-type]
    except TypeError:
        joined = "/".join(map(str, tokens))
    if "~" in joined or joined.count("/") >= len(tokens):
        return "".join("/" + escape_pointer_token(str(t)) for t in tokens)
    return "/" + joined if tokens else ""


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def locate_pointers(text: str, pointers: Iterable[str]) -> dict[str, tuple[int, int] | None]:
    """pointer -> (line, column), 1-based, of the value at each pointer or of its nearest
    ancestor, as PositionIndex.locate answers; None where not even the root is found."""
    wanted = set(pointers)
    tree: dict = {}  # the pointers' paths, token by token
    for target in wanted:
        branch = tree
        for token in target.split("/")[1:]:
            branch = branch.setdefault(unescape_pointer_token(token), {})
    found: dict[str, int] = {}
    try:
        _descend(text, _start(text), "", tree, found)
    except (ValueError, IndexError, RecursionError):
        pass  # invalid or hostile text: positions found so far still serve
    offsets = {}
    for target in wanted:
        probe = target
        while probe not in found and probe:
            probe = probe.rsplit("/", 1)[0]
        offsets[target] = found.get(probe)
    return _line_columns(text, offsets)


_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def _start(text: str) -> int:
    return _skip_space(text, 1 if text.startswith("\ufeff") else 0)


def _descend(text: str, i: int, here: str, tree: dict, found: dict[str, int]) -> int:
    """Record where the value at `i` (pointer `here`) starts and where the values on the paths in
    `tree` below it start; return the index after the value."""
    found.setdefault(here, i)
    opening = text[i]
    if not tree or opening not in "{[":
        return _DECODER.raw_decode(text, i)[1]
    closing = "}" if opening == "{" else "]"
    i = _skip_space(text, i + 1)
    if text[i] == closing:
        return i + 1
    index = 0
    while True:
        if opening == "{":
            key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]  # not in typeshed
            i = _skip_space(text, i)
            if text[i] != ":":
                raise ValueError("expected ':'")
            i = _skip_space(text, i + 1)
        else:
            key = str(index)
            index += 1
        below = tree.get(key)
        if below is None:
            i = _DECODER.raw_decode(text, i)[1]
        else:
            i = _descend(text, i, here + "/" + escape_pointer_token(key), below, found)
        i = _skip_space(text, i)
        if text[i] == closing:
            return i + 1
        if text[i] != ",":
            raise ValueError("expected ','")
        i = _skip_space(text, i + 1)


def _skip_space(text: str, i: int) -> int:
    while text[i] in _SPACE:
        i += 1
    return i


def _line_columns(text: str, offsets: dict[str, int | None]) -> dict[str, tuple[int, int] | None]:
    """Line and column of each offset, counting newlines once in order of offset."""
    located: dict[str, tuple[int, int] | None] = {}
    line, line_start, counted = 1, 0, 0
    for target, offset in sorted(offsets.items(), key=lambda item: -1 if item[1] is None else item[1]):
        if offset is None:
            located[target] = None
            continue
        line += text.count("\n", counted, offset)
        newline = text.rfind("\n", counted, offset)
        if newline >= 0:
            line_start = newline + 1
        counted = offset
        located[target] = (line, offset - line_start + 1)
    return located


class PositionIndex:
    def __init__(self, text: str) -> None:
        self.text = text
        self.value_at: dict[str, int] = {}
        self.key_at: dict[str, int] = {}
        self.duplicates: list[str] = []
        self.duplicate_key_at: dict[str, int] = {}  # where a key is repeated (the first repeat)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        try:
            self._scan()
        except (IndexError, RecursionError, ValueError):
            pass  # invalid or hostile text: positions found so far still serve

    def _scan(self) -> None:
        # One regex match per token, iterative (deep nesting must not blow the stack): only the
        # structure is followed; scalars and strings are skipped whole.
        text = self.text
        value_at = self.value_at
        stack: list[list] = []  # [kind, pointer, next index (array) or keys seen (object)]
        current = ""
        expect = VALUE
        tokens = _TOKEN.finditer(text, 1 if text.startswith("\ufeff") else 0)
        for match in tokens:
            token = match.group()
            first = token[0]
            if expect == ITEM_OR_CLOSE:
                if first == "]":
                    stack.pop()
                    expect = AFTER_VALUE
                    continue
                current = stack[-1][1] + "/0"
                expect = VALUE
            elif expect == KEY_OR_CLOSE and first == "}":
                stack.pop()
                expect = AFTER_VALUE
                continue
            if expect == VALUE:
                value_at.setdefault(current, match.start())
                if first == "{":
                    stack.append(["o", current, set()])
                    expect = KEY_OR_CLOSE
                elif first == "[":
                    stack.append(["a", current, 0])
                    expect = ITEM_OR_CLOSE
                elif first in ",:]}":
                    return
                else:
                    expect = AFTER_VALUE
            elif expect != AFTER_VALUE:  # a key
                colon = next(tokens, None)
                if first != '"' or colon is None or colon.group() != ":":
                    return
                current = self._member(stack[-1], token, match.start())
                expect = VALUE
            elif not stack:
                return
            elif first == ",":
                frame = stack[-1]
                if frame[0] == "a":
                    frame[2] += 1
                    current = frame[1] + "/" + str(frame[2])
                    expect = VALUE
                else:
                    expect = KEY
            elif first in "]}":
                stack.pop()
            else:
                return

    def _member(self, frame: list, token: str, at: int) -> str:
        """The pointer of an object member; its key's place, or the duplicate's."""
        key = json.loads(token) if "\\" in token else token[1:-1]
        path = frame[1] + "/" + escape_pointer_token(key)
        if key in frame[2]:
            self.duplicates.append(path)
            self.duplicate_key_at.setdefault(path, at)
        else:
            frame[2].add(key)
            self.key_at.setdefault(path, at)
        return path

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def locate(self, json_pointer: str | None) -> tuple[int, int] | None:
        """Line and column (1-based) of the value at the pointer, or of its nearest ancestor."""
        if json_pointer is None:
            return None
        probe = json_pointer
        while True:
            offset = self.value_at.get(probe)
            if offset is not None:
                return self.line_col(offset)
            if not probe:
                return None
            probe = probe.rsplit("/", 1)[0]

    def locate_key(self, json_pointer: str) -> tuple[int, int] | None:
        offset = self.key_at.get(json_pointer)
        return self.line_col(offset) if offset is not None else self.locate(json_pointer)
