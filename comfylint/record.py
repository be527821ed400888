"""Record: what @dataclass gives a plain record class (equality and repr by its fields), without
@dataclass's cost at import.

Each @dataclass compiles its methods when its module is imported (0.1-0.5 ms a class, a third of
comfylint's own import time when three dozen of them were on every check's path). A record class
lists its fields in __slots__ and writes its __init__; this base adds the rest.
"""
from __future__ import annotations

from typing import Any


class Record:
    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: Any) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    # (a class that defines __eq__ alone is unhashable, as @dataclass makes a mutable record)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({shown})"


class FrozenRecord(Record):
    """A record that is hashable by its fields (as @dataclass(frozen=True) makes it)."""

    __slots__: tuple[str, ...] = ()

    def __hash__(self) -> int:
        return hash(self._fields())
