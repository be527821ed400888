from __future__ import annotations

from . import LoadStageRule


class DuplicateKey(LoadStageRule):
    code = "F002"
    name = "duplicate-key"
    summary = "An object has the same key twice; every JSON parser silently keeps only the last."
    help = "Remove or rename one of the two keys (two nodes with one id must get distinct ids)."
