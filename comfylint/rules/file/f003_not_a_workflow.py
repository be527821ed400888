from __future__ import annotations

from ...diagnostics import Severity
from . import LoadStageRule


class NotAWorkflow(LoadStageRule):
    code = "F003"
    name = "not-a-workflow"
    summary = "A file named explicitly is JSON but not a ComfyUI workflow (skipped when walking)."
    severity = Severity.INFO
    help = "Pass only workflow files, or exclude this file in the configuration."
