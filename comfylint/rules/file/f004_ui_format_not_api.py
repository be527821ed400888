from __future__ import annotations

from ...load.envelope import API_HELP
from . import LoadStageRule


class UiFormatNotApi(LoadStageRule):
    code = "F004"
    name = "ui-format-not-api"
    summary = "A UI export (editor save) where the API format is required (/prompt rejects it)."
    server_error_type = "invalid_prompt"
    help = "Export the API format: " + API_HELP + "."
