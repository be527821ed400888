"""Reading a live server's state: what it is, what nodes it has, which files it lists.

Read-only GETs: /system_stats (is it ComfyUI, which version), /object_info, /models and
/models/{folder}, /internal/files/input, /embeddings, /queue. Optional routes (the internal ones,
/embeddings) may be missing on hosted endpoints: their lists are then unknown, never empty.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..catalog.manifest import Manifest
from .client import DEFAULT_MAX_BYTES, ProbeError, ServerClient

FOLDER_FETCH_THREADS = 8
SKIPPED_FOLDERS = frozenset({"custom_nodes", "configs"})


@dataclass
class ServerState:
    url: str
    system_stats: dict
    object_info: dict
    manifest: Manifest
    queue: dict | None

    @property
    def comfyui_version(self) -> str | None:
        version = self.system_stats.get("system", {}).get("comfyui_version")
        return version if isinstance(version, str) else None

    def system_summary(self) -> dict:
        """The part of /system_stats a snapshot keeps: no RAM figures, no argv (may hold secrets)."""
        system = self.system_stats.get("system", {})
        summary: dict[str, Any] = {k: system[k] for k in ("os", "python_version", "pytorch_version")
                                   if isinstance(system.get(k), str)}
        summary["devices"] = [{k: d.get(k) for k in ("name", "type", "vram_total")}
                              for d in self.system_stats.get("devices", []) if isinstance(d, dict)]
        return summary


def read_system_stats(client: ServerClient) -> dict:
    """GET /system_stats, checked to be ComfyUI's answer."""
    stats = client.get_json("/system_stats")
    if not isinstance(stats, dict) or not isinstance(stats.get("system"), dict) \
            or not isinstance(stats.get("devices"), list):
        raise ProbeError(f"{client.display_url} answered /system_stats without 'system' and "
                         "'devices': it does not look like a ComfyUI server")
    return stats


def read_object_info(client: ServerClient, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict:
    info = client.get_json("/object_info", max_bytes=max_bytes)
    if not isinstance(info, dict) or not info or not all(isinstance(v, dict) for v in info.values()):
        raise ProbeError(f"{client.display_url}/object_info is not ComfyUI node data "
                         "(expected an object of node classes)")
    return info


def read_manifest(client: ServerClient) -> Manifest:
    folders = _optional_json(client, "/models")
    models: dict[str, list[str]] = {}
    if isinstance(folders, list):
        wanted = [f for f in folders if isinstance(f, str) and f not in SKIPPED_FOLDERS]
        with ThreadPoolExecutor(max_workers=FOLDER_FETCH_THREADS) as pool:
            listed = pool.map(lambda folder: _optional_json(client, f"/models/{folder}"), wanted)
            for folder, names in zip(wanted, listed):
                if isinstance(names, list):
                    models[folder] = [n for n in names if isinstance(n, str)]
    inputs = _optional_json(client, "/internal/files/input")
    embeddings = _optional_json(client, "/embeddings")
    return Manifest(models=models, input_files=_strings(inputs), embeddings=_strings(embeddings),
                    source=f"server {client.display_url}")


def read_state(client: ServerClient, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ServerState:
    stats = read_system_stats(client)  # first: a clear "not ComfyUI" before the big download
    info = read_object_info(client, max_bytes=max_bytes)
    manifest = read_manifest(client)
    queue = _optional_json(client, "/queue")
    return ServerState(client.display_url, stats, info, manifest,
                       queue if isinstance(queue, dict) else None)


def _optional_json(client: ServerClient, path: str) -> Any:
    """A route that may be absent (404) on older or hosted servers: None, not an error."""
    response = client.get(path, ok=(200, 404, 405))
    if response.status != 200:
        return None
    return response.json(f"GET {path}")


def _strings(value: Any) -> list[str] | None:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None
