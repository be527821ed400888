"""Map JSON pointers to line/column in the source text, computed only when a finding needs it.

A small scanner walks the text once and records where each value starts (and, for object
members, where the key starts). Duplicate keys are recorded as they are met.
"""
from __future__ import annotations

import bisect
import json
import re

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"[^\s,\]\}]+")
_WS = re.compile(r"\s*")


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: object) -> str:
    return "".join("/" + escape_pointer_token(str(t)) for t in tokens)


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
        # Iterative scan: deep nesting must not blow the stack.
        text = self.text
        i = _WS.match(text, 0).end()
        if text.startswith("\ufeff"):
            i = _WS.match(text, 1).end()
        stack: list[list] = []  # [kind, pointer, index_or_keys]
        current = ""
        expect_value = True
        while i < len(text):
            if expect_value:
                self.value_at.setdefault(current, i)
                ch = text[i]
                if ch == "{":
                    stack.append(["o", current, set()])
                    i = _WS.match(text, i + 1).end()
                    if text[i] == "}":
                        stack.pop()
                        i += 1
                        expect_value = False
                        continue
                    current, i = self._key(stack[-1], i)
                    continue
                if ch == "[":
                    stack.append(["a", current, 0])
                    i = _WS.match(text, i + 1).end()
                    if text[i] == "]":
                        stack.pop()
                        i += 1
                        expect_value = False
                        continue
                    current = stack[-1][1] + "/0"
                    continue
                if ch == '"':
                    i = _STRING.match(text, i).end()
                else:
                    i = _SCALAR.match(text, i).end()
                expect_value = False
                continue
            i = _WS.match(text, i).end()
            if not stack or i >= len(text):
                return
            ch = text[i]
            frame = stack[-1]
            if ch == ",":
                i = _WS.match(text, i + 1).end()
                if frame[0] == "a":
                    frame[2] += 1
                    current = frame[1] + "/" + str(frame[2])
                    expect_value = True
                else:
                    current, i = self._key(frame, i)
                    expect_value = True
                continue
            if ch in "]}":
                stack.pop()
                i += 1
                continue
            return

    def _key(self, frame: list, i: int) -> tuple[str, int]:
        text = self.text
        end = _STRING.match(text, i).end()
        key = json.loads(text[i:end])
        path = frame[1] + "/" + escape_pointer_token(key)
        if key in frame[2]:
            self.duplicates.append(path)
            self.duplicate_key_at.setdefault(path, i)
        else:
            frame[2].add(key)
            self.key_at.setdefault(path, i)
        i = _WS.match(text, end).end()  # at ':'
        i = _WS.match(text, i + 1).end()
        return path, i

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
