from __future__ import annotations

from . import LoadStageRule


class InvalidJson(LoadStageRule):
    code = "F001"
    name = "invalid-json"
    summary = "The file cannot be read or is not valid JSON (the server answers HTTP 500)."
    help = "Fix the JSON syntax at the given line and column; an editor with JSON support helps."
