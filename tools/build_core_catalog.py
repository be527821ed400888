"""Regenerate comfylint/catalog/data/core.json from a captured ComfyUI /object_info.

The bundled catalog keeps node definitions (facts) and drops server state: combo lists that
enumerate the capturing server's models or input files are emptied and recorded in
`server_lists` with the folder they come from, so that offline runs never judge a model name.

    python tools/build_core_catalog.py ../shared/comfyui
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

# (class_type, input) -> the server folder whose contents the combo lists. Folder names are the
# ones ComfyUI's folder_paths uses; "input"/"output" are the media directories.
SERVER_LISTS = {
    ("CheckpointLoader", "ckpt_name"): "checkpoints",
    ("CheckpointLoaderSimple", "ckpt_name"): "checkpoints",
    ("ImageOnlyCheckpointLoader", "ckpt_name"): "checkpoints",
    ("unCLIPCheckpointLoader", "ckpt_name"): "checkpoints",
    ("CreateHookModelAsLora", "ckpt_name"): "checkpoints",
    ("CreateHookModelAsLoraModelOnly", "ckpt_name"): "checkpoints",
    ("ControlNetLoader", "control_net_name"): "controlnet",
    ("DiffControlNetLoader", "control_net_name"): "controlnet",
    ("LoraLoader", "lora_name"): "loras",
    ("LoraLoaderModelOnly", "lora_name"): "loras",
    ("CreateHookLora", "lora_name"): "loras",
    ("CreateHookLoraModelOnly", "lora_name"): "loras",
    ("TrainLoraNode", "existing_lora"): "loras",
    ("VAELoader", "vae_name"): "vae",
    ("UpscaleModelLoader", "model_name"): "upscale_models",
    ("CLIPLoader", "clip_name"): "text_encoders",
    ("DualCLIPLoader", "clip_name1"): "text_encoders",
    ("DualCLIPLoader", "clip_name2"): "text_encoders",
    ("TripleCLIPLoader", "clip_name1"): "text_encoders",
    ("TripleCLIPLoader", "clip_name2"): "text_encoders",
    ("TripleCLIPLoader", "clip_name3"): "text_encoders",
    ("QuadrupleCLIPLoader", "clip_name1"): "text_encoders",
    ("QuadrupleCLIPLoader", "clip_name2"): "text_encoders",
    ("QuadrupleCLIPLoader", "clip_name3"): "text_encoders",
    ("QuadrupleCLIPLoader", "clip_name4"): "text_encoders",
    ("CLIPVisionLoader", "clip_name"): "clip_vision",
    ("UNETLoader", "unet_name"): "diffusion_models",
    ("DiffusersLoader", "model_path"): "diffusers",
    ("GLIGENLoader", "gligen_name"): "gligen",
    ("HypernetworkLoader", "hypernetwork_name"): "hypernetworks",
    ("StyleModelLoader", "style_model_name"): "style_models",
    ("ModelPatchLoader", "name"): "model_patches",
    ("AudioEncoderLoader", "audio_encoder_name"): "audio_encoders",
    ("PhotoMakerLoader", "photomaker_model_name"): "photomaker",
    ("LoadImage", "image"): "input",
    ("LoadImageMask", "image"): "input",
    ("LoadAudio", "audio"): "input",
    ("LoadVideo", "file"): "input",
    ("LoadLatent", "latent"): "input",
    ("Load3D", "model_file"): "input",
    ("Load3DAnimation", "model_file"): "input",
    ("GeminiInputFiles", "file"): "input",
    ("OpenAIInputFiles", "file"): "input",
    ("LoadImageOutput", "image"): "output",
}

# Names the capturing server had on disk only so that its combos were not empty.
PLACEHOLDER_FILES = {
    "sd_xl_base_1.0.safetensors", "v1-5-pruned-emaonly.safetensors", "example_lora.safetensors",
    "vae-ft-mse.safetensors", "4x-UltraSharp.pth", "control_canny.safetensors", "example.png",
}


def strip_server_state(object_info: dict) -> dict:
    for (class_type, input_name), _folder in SERVER_LISTS.items():
        node = object_info.get(class_type)
        if node is None:
            continue
        for group in ("required", "optional"):
            spec = node["input"].get(group, {}).get(input_name)
            if spec is None:
                continue
            if isinstance(spec[0], list):
                spec[0] = [o for o in spec[0] if o not in PLACEHOLDER_FILES]
            elif len(spec) > 1 and isinstance(spec[1], dict) and "options" in spec[1]:
                spec[1]["options"] = [o for o in spec[1]["options"] if o not in PLACEHOLDER_FILES]
    return object_info


def main(shared_comfyui: Path) -> None:
    object_info = json.loads((shared_comfyui / "object_info.core.json").read_text())
    facts = json.loads((shared_comfyui / "validation_facts.json").read_text())
    server_lists: dict[str, dict[str, str]] = {}
    for (class_type, input_name), folder in sorted(SERVER_LISTS.items()):
        if class_type in object_info:
            server_lists.setdefault(class_type, {})[input_name] = folder
    bundle = {
        "comfyui_version": facts["comfyui_version"],
        "comfyui_commit": facts["comfyui_commit"],
        "server_lists": server_lists,
        "custom_validation": {
            name: {"skips_min_max_combo_for": info["skips_min_max_combo_for"],
                   "skips_link_type_check": info["skips_type_check_of_links"],
                   "has_kwargs": info["has_kwargs"]}
            for name, info in sorted(facts["custom_validation"].items())
        },
        "v3_combo_inputs_unchecked": facts["v3_combo_inputs_not_checked_by_server"],
        "nodes": strip_server_state(object_info),
    }
    out = Path(__file__).resolve().parent.parent / "comfylint" / "catalog" / "data" / "core.json"
    out.write_text(json.dumps(bundle, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes, {len(object_info)} node classes)")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/comfyui"))
