from __future__ import annotations

from . import LoadStageRule


class MalformedEnvelope(LoadStageRule):
    code = "F005"
    name = "malformed-envelope"
    summary = "A request envelope (/prompt body, RunPod, workflow_id, overrides) is malformed."
    server_error_type = "no_prompt"
    help = ('A ComfyUI /prompt body is {"prompt": {<node id>: {"class_type": ..., "inputs": ...}}}; '
            "see the message for which field is wrong.")
