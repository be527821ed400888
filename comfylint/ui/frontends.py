"""Which frontend saved a UI file, inferred from the file: for reproducing what *that* editor exported.

Today's "Export (API)" is what `to_api` emulates by default. A PNG's embedded prompt, though, was
made by the frontend that saved it, and frontends changed what they send:

- The image upload button (`LoadImage` and other upload nodes) was sent as an input until
  ComfyUI_frontend PR #2689 (2025-02, v1.10) set its `options.serialize = false`. ComfyUI's
  original web app named the button "choose file to upload"; from about December 2023
  (ComfyUI issue #2093) it was named after its input, `upload`. Either way its value is the
  button's stored value, `"image"`.
- An input a node gained after the file was saved has no stored value, and the saving frontend,
  not knowing the input, sent nothing for it (today's frontend sends the default).

Evidence in the file, strongest first:

1. `extra.frontendVersion`: stamped by graphToPrompt since well after v1.10, so a stamped file's
   frontend never sent the upload button.
2. A core node's `properties.ver` (cnr_id "comfy-core"): the ComfyUI release that created it. From
   v0.3.19 ComfyUI ships frontend 1.10 or later, so the file was saved without the button.
3. Without either, the frontend predates the stamping. Marks of the newer editors (the
   `ComfyUI_frontend` era: a saved canvas view `extra.ds`, input slot `shape`s, legacy group
   nodes `extra.groupNodes`), or any node from a module ComfyUI did not have in November 2023,
   date the file after the rename: `upload`. Otherwise the file may come from the original app,
   and the button went out as "choose file to upload".

A file saved between v1.10 and the stamping carries no mark that tells it apart; it is read as
sending `upload` (the larger era). Linting never uses this: findings describe what today's editor
and server do with the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..catalog import Catalog
from .document import UiDocument

# A muted (mode 2) virtual node (Reroute, KJNodes' Set/Get, ...) passed its link on in every
# export until ComfyUI_frontend PR #9302 (2026-03, released in 1.42; backported to the cloud 1.41
# branch) made resolveOutput stop at any muted node. ComfyUI's original app and the litegraph
# ExecutableNodeDTO (frontend 1.24 to 1.41) only skipped muted nodes that are not virtual.
MUTED_VIRTUAL_NODES_CUT_SINCE = (1, 42, 0)
# The first ComfyUI release that shipped a frontend without the upload button in the prompt:
# v0.3.19 (2025-03-03), the first to pin comfyui-frontend-package 1.10.17 (ComfyUI PR #7021).
FIRST_COMFYUI_WITHOUT_UPLOAD_BUTTON = (0, 3, 19)
LEGACY_UPLOAD_NAME = "choose file to upload"  # ComfyUI's original web app (to late 2023)
UPLOAD_NAME = "upload"  # the button named after its input (late 2023 to frontend v1.10)
# ComfyUI's node modules as of November 2023 (the last month of the "choose file to upload"
# button): a node from any other module dates a file after the button was renamed.
MODULES_OF_NOVEMBER_2023 = frozenset({
    "nodes", "comfy_extras.nodes_latent", "comfy_extras.nodes_hypernetwork",
    "comfy_extras.nodes_upscale_model", "comfy_extras.nodes_post_processing",
    "comfy_extras.nodes_mask", "comfy_extras.nodes_rebatch", "comfy_extras.nodes_model_merging",
    "comfy_extras.nodes_tomesd", "comfy_extras.nodes_clip_sdxl", "comfy_extras.nodes_canny",
    "comfy_extras.nodes_freelunch", "comfy_extras.nodes_custom_sampler",
    "comfy_extras.nodes_hypertile", "comfy_extras.nodes_model_advanced",
    "comfy_extras.nodes_model_downscale", "comfy_extras.nodes_images",
    "comfy_extras.nodes_video_model", "comfy_extras.nodes_sag",
})
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True, slots=True)
class SavingFrontend:
    """What the frontend that saved a file put into its prompt, where it differs from today's."""

    version: tuple[int, int, int] | None  # extra.frontendVersion, when stamped
    upload_input: str | None  # the name the upload button's value was sent under, or None
    evidence: str  # why: for reports and caveats

    @property
    def passes_muted_virtual_nodes(self) -> bool:
        """An unstamped file predates the stamp, and so the change (MUTED_VIRTUAL_NODES_CUT_SINCE)."""
        return self.version is None or self.version < MUTED_VIRTUAL_NODES_CUT_SINCE

    @property
    def label(self) -> str:
        if self.version is not None:
            return "frontend " + ".".join(map(str, self.version))
        return "an unstamped frontend" + (" (ComfyUI's original web app)"
                                          if self.upload_input == LEGACY_UPLOAD_NAME else "")


def saving_frontend(document: UiDocument, catalog: Catalog) -> SavingFrontend:
    """Infer the saving frontend from the file's own evidence (see the module docstring)."""
    extra = document.raw.get("extra")
    extra = extra if isinstance(extra, dict) else {}
    stamp = extra.get("frontendVersion")
    version = version_tuple(stamp)
    if version is not None:
        return SavingFrontend(version, None, f"extra.frontendVersion {stamp}")
    made_by = _core_node_made_after_upload_button(document)
    if made_by:
        return SavingFrontend(None, None, f"no frontendVersion; {made_by}")
    mark = _newer_editor_mark(document, extra) or _newer_node(document, catalog)
    if mark:
        return SavingFrontend(None, UPLOAD_NAME, f"no frontendVersion; {mark}")
    return SavingFrontend(None, LEGACY_UPLOAD_NAME,
                          "no frontendVersion and nothing newer than ComfyUI of November 2023")


def _core_node_made_after_upload_button(document: UiDocument) -> str | None:
    """A core node whose `ver` (the ComfyUI that created it) ships frontend 1.10 or later: the
    file was saved after the upload button stopped being sent."""
    for node in document.all_nodes():
        properties = node.properties
        ver = version_tuple(properties.get("ver"))
        if properties.get("cnr_id") == "comfy-core" and ver is not None \
                and ver >= FIRST_COMFYUI_WITHOUT_UPLOAD_BUTTON:
            return (f"node {node.id} ({node.type}) was made by ComfyUI {properties['ver']}, which "
                    "ships frontend 1.10 or later")
    return None


def _newer_editor_mark(document: UiDocument, extra: dict) -> str | None:
    if "ds" in extra:
        return "a saved canvas view (extra.ds)"
    if "groupNodes" in extra:
        return "group node definitions (extra.groupNodes)"
    for node in document.all_nodes():
        if any(isinstance(slot, dict) and "shape" in slot for slot in node.inputs):
            return f"input slot shapes (node {node.id})"
    return None


def _newer_node(document: UiDocument, catalog: Catalog) -> str | None:
    for node in document.all_nodes():
        node_def = catalog.get(node.type) if node.type else None
        if node_def is not None and node_def.python_module \
                and node_def.python_module not in MODULES_OF_NOVEMBER_2023:
            return f"node {node.id} ({node.type}) is newer than November 2023"
    return None


def version_tuple(text: Any) -> tuple[int, int, int] | None:
    """`"1.23.4"` -> (1, 23, 4); None for anything else."""
    match = _VERSION.match(text) if isinstance(text, str) else None
    return (int(match[1]), int(match[2]), int(match[3])) if match else None
