"""Writing files: fixed workflows, reports, baselines, caches.

Every write goes beside the target and is renamed over it, so readers never see half a file.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: "str | Path", data: bytes) -> None:
    """Write beside the target and rename over it: readers never see half a file."""
    path = Path(path)
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
