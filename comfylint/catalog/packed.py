"""Node definitions in compact form: each kept as its JSON text, decoded when first looked up.

The bundled releases store their nodes so (catalog/releases.py), and the catalog cache keeps a
server's so (catalog/cache.py): a check decodes only the classes its workflows use. A module of
its own, so that a run with the bundled catalog does not load the cache's machinery.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any


class PackedNodes(Mapping):
    """Node definitions kept as their JSON texts, each decoded on first lookup (then kept)."""

    def __init__(self, names: list[str], ends: list[int],
                 payload: bytes | bytearray | memoryview) -> None:
        self._position = dict(zip(names, range(len(names))))
        self._ends = ends
        self._payload = payload
        self._decoded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name in self._decoded:
            return self._decoded[name]
        index = self._position[name]  # KeyError for an unknown class: Mapping.get wants it
        start = self._ends[index - 1] if index else 0
        node = self._decoded[name] = json.loads(bytes(self._payload[start:self._ends[index]]))
        return node

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)

    def __contains__(self, name: object) -> bool:
        return name in self._position
