"""The model manifest: which model files, input files and embeddings a server has.

A manifest is server state, kept apart from node definitions: the same ComfyUI version runs with
very different model folders. It comes from a snapshot, a live server (see comfylint.probe), a
local ComfyUI directory (models/ plus extra_model_paths.yaml, scanned the way ComfyUI's
folder_paths lists files), or a hand-written JSON file (schemas/manifest.schema.json).

Names are kept exactly as the server would list them (relative to the folder, with the server
platform's separator): M401 compares workflow values against them byte for byte, as ComfyUI does.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import ComfylintError
from ..reading import MAX_CATALOG_BYTES, MAX_SETTINGS_BYTES, read_limited
from ..record import Record

# Old folder names that extra_model_paths.yaml files still use; ComfyUI maps them the same way.
LEGACY_FOLDER_NAMES = {"unet": "diffusion_models", "clip": "text_encoders", "t2i_adapter": "controlnet"}
# ComfyUI lists only these in model folders (supported_pt_extensions), plus formats that common
# custom loaders add (.gguf, .onnx): listing a few extra files only makes M401 more lenient.
MODEL_EXTENSIONS = frozenset({".ckpt", ".pt", ".pt2", ".bin", ".pth", ".safetensors", ".pkl",
                              ".sft", ".gguf", ".onnx"})
FOLDER_EXTENSIONS = {"configs": frozenset({".yaml", ".yml", ".json"})}
MAX_LISTED_FILES = 200_000  # a mounted network share must not make a lint run walk forever


class ManifestError(ComfylintError):
    """A manifest source that cannot be read (a usage error: exit 2)."""


class Manifest(Record):
    """What files a server has. `None` for a list means "unknown", never "empty"."""

    __slots__ = ("models", "input_files", "output_files", "embeddings", "source", "folder_paths")

    def __init__(self, models: dict[str, list[str]] | None = None,
                 input_files: list[str] | None = None, output_files: list[str] | None = None,
                 embeddings: list[str] | None = None, source: str = "manifest",
                 folder_paths: dict[str, list[str]] | None = None) -> None:
        self.models = models if models is not None else {}
        self.input_files = input_files
        self.output_files = output_files
        self.embeddings = embeddings
        self.source = source
        # folder -> the directories that were (or the server says are) scanned, for explanations
        self.folder_paths = folder_paths if folder_paths is not None else {}

    def folder(self, name: str) -> list[str] | None:
        return self.models.get(LEGACY_FOLDER_NAMES.get(name, name))

    def folders_holding(self, value: str) -> list[tuple[str, str]]:
        """(folder, listed name) for every folder listing `value`, its basename or a case variant."""
        wanted = _comparable(value)
        found = []
        for folder, names in sorted(self.models.items()):
            for name in names:
                if _comparable(name) == wanted or _comparable(_basename(name)) == wanted:
                    found.append((folder, name))
        return found

    def files_in(self, area: str) -> list[str] | None:
        """Listed files of the server's input/ or output/ directory."""
        return self.input_files if area == "input" else self.output_files if area == "output" else None

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: object, *, source: str) -> "Manifest":
        """A hand-written manifest, checked against schemas/manifest.schema.json."""
        message = schema_problem(data, "manifest.schema.json", quick_check=_plausible_manifest)
        if message:
            raise ManifestError(f"{source} is not a valid model manifest: {message}")
        assert isinstance(data, dict)
        return cls(models={LEGACY_FOLDER_NAMES.get(k, k): list(v) for k, v in data["models"].items()},
                   input_files=_optional_list(data.get("input_files")),
                   output_files=_optional_list(data.get("output_files")),
                   embeddings=_optional_list(data.get("embeddings")),
                   source=source)

    @classmethod
    def from_file(cls, path: str | Path) -> "Manifest":
        return cls.from_dict(read_json_file(path, "manifest", ManifestError), source=str(path))

    @classmethod
    def from_comfyui_dir(cls, root: str | Path, *, models_dir: str | Path | None = None,
                         extra_model_paths: str | Path | None = None,
                         folders: dict[str, list[str]] | None = None) -> "Manifest":
        """Scan a local ComfyUI install as its server would: models/, output/, input/ and the
        folders extra_model_paths.yaml adds (read from the root unless another file is given).
        `folders`: the release's model folder layout (folder -> directories relative to the
        root, catalog.release.model_folders); default: the newest bundled release's."""
        root_path = Path(root).expanduser()
        if not os.path.isdir(root_path):
            raise ManifestError(f"--comfyui-dir {root}: not a directory")
        folders = folders if folders is not None else default_folders()
        layout = {folder: [str(root_path / rel) for rel in rels] for folder, rels in folders.items()}
        if models_dir is not None:
            layout = _models_dir_layout(Path(models_dir).expanduser(), layout, folders)
        yaml_path = Path(extra_model_paths) if extra_model_paths else root_path / "extra_model_paths.yaml"
        if os.path.isfile(yaml_path):
            for folder, dirs in read_extra_model_paths(yaml_path).items():
                layout.setdefault(folder, [])
                layout[folder] = dirs["default"] + layout[folder] + dirs["extra"]
        elif extra_model_paths:
            raise ManifestError(f"extra model paths file {extra_model_paths}: not found")
        manifest = cls.from_layout(layout, source=f"ComfyUI directory {root_path}")
        manifest.input_files = list_files(root_path / "input")
        manifest.output_files = list_files(root_path / "output")
        return manifest

    @classmethod
    def from_models_dir(cls, models_dir: str | Path,
                        folders: dict[str, list[str]] | None = None) -> "Manifest":
        """A bare models/ directory: each subfolder is a model folder (legacy names mapped)."""
        path = Path(models_dir).expanduser()
        if not os.path.isdir(path):
            raise ManifestError(f"--models-dir {models_dir}: not a directory")
        layout = _models_dir_layout(path, {}, folders if folders is not None else default_folders())
        return cls.from_layout(layout, source=f"models directory {path}")

    @classmethod
    def from_layout(cls, layout: dict[str, list[str]], *, source: str) -> "Manifest":
        models = {}
        for folder, dirs in layout.items():
            if folder == "custom_nodes":
                continue
            extensions = FOLDER_EXTENSIONS.get(folder, MODEL_EXTENSIONS)
            names: list[str] = []
            for directory in dirs:
                names.extend(n for n in list_files(Path(directory)) or ()
                             if os.path.splitext(n)[1].lower() in extensions and n not in names)
            models[folder] = sorted(names)
        return cls(models=models, embeddings=[_strip_model_suffix(n) for n in models.get("embeddings", [])],
                   source=source, folder_paths={k: list(v) for k, v in layout.items()})


def default_folders() -> dict[str, list[str]]:
    """The newest bundled release's model folder layout (catalog/releases.py)."""
    from .releases import newest

    return newest().model_folders


def _models_dir_layout(models_dir: Path, layout: dict[str, list[str]],
                       folders: dict[str, list[str]]) -> dict[str, list[str]]:
    """Point every model folder at `models_dir/<name>` (and its legacy-name twins)."""
    result = {folder: [d for d in dirs if "/models/" not in d.replace(os.sep, "/")]
              for folder, dirs in layout.items()}
    for folder, rels in folders.items():
        subdirs = [str(models_dir / rel.split("/", 1)[1]) for rel in rels if rel.startswith("models/")]
        result[folder] = subdirs + result.get(folder, [])
    if os.path.isdir(models_dir):
        for child in sorted(models_dir.iterdir()):
            folder = LEGACY_FOLDER_NAMES.get(child.name, child.name)
            if os.path.isdir(child) and str(child) not in result.get(folder, []):
                result.setdefault(folder, []).append(str(child))
    return result


def schema_problem(data: object, schema_name: str, *, quick_check) -> str | None:
    """The first schema violation as "at <path>: <message>", or None.

    `quick_check` accepts the common valid document without importing jsonschema (~60 ms of a
    pre-commit run); only a document it doubts goes through the real validator.
    """
    if quick_check(data):
        return None
    from ..resources import validator

    errors = sorted(validator(schema_name).iter_errors(data), key=lambda e: list(e.path))
    if not errors:
        return None
    where = "/".join(str(p) for p in errors[0].path) or "(top level)"
    return f"at {where}: {errors[0].message}"


def is_name_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value) \
        and len(set(value)) == len(value)


def _plausible_manifest(data: object) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("models"), dict)
            and set(data) <= {"$schema", "manifest_version", "models", "input_files",
                              "output_files", "embeddings"}
            and data.get("manifest_version", 1) == 1
            and all(isinstance(k, str) and is_name_list(v) for k, v in data["models"].items())
            and all(is_name_list(data[k]) for k in ("input_files", "output_files", "embeddings")
                    if k in data))


def read_json_file(path: str | Path, what: str, error: type[Exception]) -> object:
    """A user-named JSON file, or `error` with a message saying which file and what is wrong."""
    try:
        return json.loads(read_limited(path, MAX_CATALOG_BYTES).decode("utf-8"))
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise error(f"{what} {path} is not valid JSON: {exc}") from None


def list_files(directory: Path) -> list[str] | None:
    """Files under `directory` (recursively, links followed, hidden entries skipped) as names
    relative to it with the platform's separator, like ComfyUI's recursive_search; None when the
    directory does not exist."""
    if not os.path.isdir(directory):
        return None
    found: list[str] = []
    for current, dirs, files in os.walk(directory, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        relative = os.path.relpath(current, directory)
        for name in sorted(files):
            if name.startswith("."):
                continue
            found.append(name if relative == "." else os.path.join(relative, name))
            if len(found) >= MAX_LISTED_FILES:
                return found
    return found


def read_extra_model_paths(path: str | Path) -> dict[str, dict[str, list[str]]]:
    """folder -> {"default": [...], "extra": [...]} directories from an extra_model_paths.yaml,
    read as ComfyUI reads it (utils/extra_config.py, with PyYAML's safe loader): each top-level
    section may set `base_path` (`~` and $VARS expanded; relative to the file's directory) and
    `is_default` (any true value: its folders are searched first); every other key is a folder
    whose value is one path or several, one per line (relative ones join `base_path`, else the
    file's directory). Legacy folder names (unet, clip) are mapped.

    What makes ComfyUI itself fail at start-up (not YAML, a section or folder value of the wrong
    shape: a list, a third level of nesting) is a ManifestError naming the key.
    """
    import yaml  # only when there is a file to read: the check path never pays for it

    path = Path(path)
    try:
        text = read_limited(path, MAX_SETTINGS_BYTES).decode("utf-8")
        sections = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise ManifestError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, yaml.YAMLError) as exc:  # UnicodeDecodeError is a ValueError
        raise ManifestError(f"{path}: not valid YAML: {exc}") from None
    except RecursionError:
        raise ManifestError(f"{path}: nested too deeply to be an extra_model_paths.yaml") from None
    if not isinstance(sections, dict):
        raise ManifestError(f"{path}: expected sections of folder paths (ComfyUI fails to start "
                            f"on this file), found {_yaml_kind(sections)}")
    yaml_dir = Path(os.path.abspath(path)).parent  # as ComfyUI: symlinks not resolved
    result: dict[str, dict[str, list[str]]] = {}
    for name, section in sections.items():
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ManifestError(f"{path}: section {name!r} is {_yaml_kind(section)}, not a mapping "
                                "of folder paths (ComfyUI fails to start on this file)")
        section = dict(section)
        base = section.pop("base_path", None)
        base_dir = None
        if base is not None:
            base_dir = Path(os.path.expandvars(os.path.expanduser(str(base))))
            base_dir = base_dir if base_dir.is_absolute() else yaml_dir / base_dir
        slot = "default" if section.pop("is_default", False) else "extra"
        for key, value in section.items():
            if key == "download_model_base":
                continue  # where the Manager downloads to, not a folder nodes read
            if not isinstance(value, str):
                raise ManifestError(f"{path}: {name}.{key} is {_yaml_kind(value)}; a folder takes "
                                    "a path or lines of paths (ComfyUI fails to start on this file)")
            folder = LEGACY_FOLDER_NAMES.get(str(key), str(key))
            for line in value.split("\n"):
                if not line:
                    continue
                full = base_dir / line if base_dir is not None else yaml_dir / line
                entry = result.setdefault(folder, {"default": [], "extra": []})
                entry[slot].append(os.path.normpath(str(full)))
    return result


def _yaml_kind(value: object) -> str:
    if value is None:
        return "empty"
    kinds: dict[type, str] = {dict: "a mapping", list: "a list", str: "text"}
    return kinds.get(type(value), f"a {type(value).__name__}")


def _optional_list(value: object) -> list[str] | None:
    return list(value) if isinstance(value, list) else None


def _comparable(name: str) -> str:
    """A name with separators and case normalised: what a human would call "the same file"."""
    return name.replace("\\", "/").lower()


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _strip_model_suffix(name: str) -> str:
    return os.path.splitext(name)[0]
