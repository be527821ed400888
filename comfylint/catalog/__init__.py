"""The node catalog: what each class_type accepts and returns, read from `/object_info` data.

`Catalog.stock()` is a real stock ComfyUI release's node set (catalog/releases.py: the newest
by default) with server state removed: it knows node definitions but not which models or input
files a server has, so combos that list server files are never judged against it.
`Catalog.from_object_info()` reads a real server's `/object_info`, where those lists are the
server's truth. Either way `catalog.release` is the bundled release whose facts about ComfyUI
(how it validates, which nodes validate themselves, which inputs list files) apply.
"""
from __future__ import annotations

import copy
import json
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from ..errors import ComfylintError
from ..reading import MAX_CATALOG_BYTES, read_limited
from ..record import Record
from .types import DYNAMIC_COMBO, MATCH_TYPE, is_dynamic_type

if TYPE_CHECKING:
    from ..diagnostics import TypoIndex
    from .manifest import Manifest
    from .packs import PackIndex
    from .releases import Release

MODEL_FILE_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft", ".onnx")
UPLOAD_OPTION_KEYS = ("image_upload", "audio_upload", "video_upload", "file_upload")
# server_list_folder's answer for an input that lists server files from a folder nobody can name
# (a loader the bundled releases do not know): messages name the input, never a "models" folder.
UNNAMED_FOLDER = ""
# server_list_folder's answers for inputs that name the server's input, output or temp files
# (images, audio, video) rather than models.
FILE_AREAS = ("input", "output", "temp")


class CatalogError(ComfylintError):
    """A catalog file that cannot be read or is not /object_info data (a usage error, exit 2)."""


class InputSpec(Record):
    """One declared input: `[type, options]` from /object_info (equal by name, type, options and
    whether it is required)."""

    __slots__ = ("name", "type", "options", "required", "link_only", "choices", "dynamic_options")

    def __init__(self, name: str, type: Any, options: dict, required: bool) -> None:
        self.name = name
        # a type string ("INT", "IMAGE", "FLOAT,INT", "*", "COMBO") or a v1 list of choices
        self.type = type
        self.options = options
        self.required = required
        # Decided once (rules ask for them for every literal input of every workflow):
        # a socket type (IMAGE, MODEL, ...): no literal can stand for it;
        self.link_only = self._takes_only_links()
        # the allowed values of a combo (v1 list or v3 `COMBO` options), else None;
        self.choices = self._choices()
        # a v3 dynamic combo's (`COMFY_DYNAMICCOMBO_V3`) options: `{"key", "inputs"}` each.
        dynamic = self.options.get("options") if self.type == DYNAMIC_COMBO else None
        self.dynamic_options: list[dict] = [o for o in dynamic if isinstance(o, dict)] \
            if isinstance(dynamic, list) else []

    def _fields(self) -> tuple:
        return self.name, self.type, self.options, self.required  # (the rest follows from them)

    @classmethod
    def parse(cls, name: str, raw: Any, required: bool) -> "InputSpec | None":
        """One `/object_info` entry: `[type, options]`, `[type]` or a bare type string."""
        if isinstance(raw, (list, tuple)) and raw:
            options = raw[1] if len(raw) > 1 and isinstance(raw[1], dict) else {}
            kind = raw[0] if isinstance(raw[0], (str, list)) else json.dumps(raw[0], default=str)
            return cls(name, kind, options, required)
        if isinstance(raw, str):
            return cls(name, raw, {}, required)
        return None

    @property
    def is_v1_combo(self) -> bool:
        return isinstance(self.type, list)

    @property
    def is_v3_combo(self) -> bool:
        return self.type == "COMBO"

    def _choices(self) -> list | None:
        if isinstance(self.type, list):
            return self.type
        if self.type == "COMBO":
            options = self.options.get("options")
            return options if isinstance(options, list) else None
        return None

    @property
    def is_upload(self) -> bool:
        return any(self.options.get(key) for key in UPLOAD_OPTION_KEYS)

    @property
    def is_dynamic(self) -> bool:
        """v3 dynamic inputs (autogrow, dynamic combo, match type) whose shape is decided per node."""
        return isinstance(self.type, str) and is_dynamic_type(self.type)

    @property
    def is_opaque_dynamic(self) -> bool:
        """A dynamic kind that stays as declared but that the server does not validate as such:
        a dynamic combo's selector or a kind comfylint cannot expand (MatchType is a plain input)."""
        return self.is_dynamic and self.type != MATCH_TYPE

    def dynamic_option(self, value: Any) -> dict | None:
        """The dynamic-combo option whose key the prompt's value names (compared as sent)."""
        for option in self.dynamic_options:
            if option.get("key") == value:
                return option
        return None

    def _takes_only_links(self) -> bool:
        if not isinstance(self.type, str) or self.is_v3_combo or self.is_dynamic:
            return False
        if self.options.get("forceInput"):
            return False
        if self.options.get("socketless") or self.options.get("widgetType"):
            return False  # a v3 widget with no socket (COLOR, BOUNDING_BOX, CURVE, ...)
        # A union with a primitive ("FLOAT,INT,BOOLEAN") takes a literal: the node gets it as sent.
        return self.type != "*" and WIDGET_TYPES.isdisjoint(part.strip()
                                                            for part in self.type.split(","))


WIDGET_TYPES = frozenset({"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"})


class NodeDef(Record):
    """One node class as /object_info declares it."""

    __slots__ = ("name", "inputs", "hidden", "outputs", "output_names", "output_is_list",
                 "is_output_node", "deprecated", "experimental", "display_name", "category",
                 "python_module", "input_order", "has_dynamic_inputs", "raw", "required")

    def __init__(self, name: str, inputs: dict[str, InputSpec], hidden: frozenset[str],
                 outputs: list[Any], output_names: list[str], output_is_list: list[bool],
                 is_output_node: bool, deprecated: bool, experimental: bool, display_name: str,
                 category: str, python_module: str, input_order: list[str],
                 has_dynamic_inputs: bool, raw: dict,
                 required: frozenset[str] = frozenset()) -> None:
        self.name = name
        self.inputs = inputs
        self.hidden = hidden
        self.outputs = outputs
        self.output_names = output_names
        self.output_is_list = output_is_list
        self.is_output_node = is_output_node
        self.deprecated = deprecated
        self.experimental = experimental
        self.display_name = display_name
        self.category = category
        self.python_module = python_module
        self.input_order = input_order
        self.has_dynamic_inputs = has_dynamic_inputs
        self.raw = raw
        # The required inputs a prompt must give (opaque dynamic ones aside): a node whose inputs
        # hold them all misses none (required-input-missing tests that first, in C).
        self.required = required

    @classmethod
    def parse(cls, name: str, raw: dict) -> "NodeDef":
        inputs: dict[str, InputSpec] = {}
        declared = _dict(raw.get("input"))
        for group in ("required", "optional"):
            entries = declared.get(group)
            if not isinstance(entries, dict):
                continue
            for input_name, spec in entries.items():
                parsed = InputSpec.parse(input_name, spec, group == "required")
                if parsed is not None:
                    inputs[input_name] = parsed
        hidden = _dict(declared.get("hidden"))
        # Servers send what their packs declare: every list below is taken only in the shape the
        # server itself would use (strings where names go, booleans where flags go).
        order = _dict(raw.get("input_order"))
        input_order = [n for group in ("required", "optional") for n in _list(order.get(group))
                       if isinstance(n, str)]
        outputs = _list(raw.get("output"))
        names = _list(raw.get("output_name")) or outputs
        return cls(
            name=name,
            inputs=inputs,
            hidden=frozenset(hidden),
            outputs=list(outputs),
            output_names=[n if isinstance(n, str) else json.dumps(n, default=str) for n in names],
            output_is_list=[flag is True for flag in _list(raw.get("output_is_list"))]
            or [False] * len(outputs),
            is_output_node=raw.get("output_node") is True,
            deprecated=bool(raw.get("deprecated")),
            experimental=bool(raw.get("experimental")),
            display_name=str(raw.get("display_name") or name),
            category=str(raw.get("category") or ""),
            python_module=str(raw.get("python_module") or ""),
            input_order=input_order or list(inputs),
            has_dynamic_inputs=any(spec.is_dynamic for spec in inputs.values()),
            raw=raw,
            required=frozenset(name for name, spec in inputs.items()
                               if spec.required and not spec.is_opaque_dynamic),
        )


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


class Catalog:
    """Node definitions plus what the source knows about server state and validation quirks."""

    def __init__(self, nodes: "Mapping[str, Any]", *, source: str, release: "Release",
                 bundled: bool = False, server_lists: dict[str, dict[str, Any]] | None = None,
                 comfyui_version: str | None = None) -> None:
        self._raw = nodes
        self.decoded: dict[str, NodeDef] = {}  # class -> its definition, once get() decoded it
        self.source = source
        self.bundled = bundled
        self._use_release(release)
        # Inputs this catalog says list server files (a bundled release's, a snapshot's $files).
        self.server_lists = server_lists if server_lists is not None else {}
        self.comfyui_version = comfyui_version
        # Server files (catalog.manifest.Manifest) and the custom-node pack index
        # (catalog.packs.PackIndex), when catalog.sources was given a source for them.
        self.manifest: Manifest | None = None
        self.node_packs: PackIndex | None = None
        # The user named the server's files (--manifest, --models-dir, --comfyui-dir).
        self.files_given = False

    def _use_release(self, release: "Release") -> None:
        from .releases import known_core_facts

        # The bundled release whose facts about ComfyUI apply: the catalog's own release, or for
        # a server the newest bundled release not newer than it (its behaviour: release.server).
        self.release = release
        # Facts about core classes (who validates itself, which loader lists which folder) hold
        # for any server that has the class: the release in use first, then the other releases.
        self.custom_validation = known_core_facts(release, "custom_validation")
        # Classes whose own validate function takes links of any type (the server checks no
        # link's type into them): the graph build asks for every node with a link.
        self.skips_link_type_check = frozenset(
            class_type for class_type, info in self.custom_validation.items()
            if info["skips_link_type_check"])
        self._core_lists = known_core_facts(release, "server_lists")
        # Answers that depend only on this catalog and its release, kept as they are asked.
        self._folders: dict[tuple[str, str], str | None] = {}
        self._produced_types: dict[str, bool] = {}
        # class_type -> input -> what to check of a literal there (comfylint.literals.InputPlan)
        self.literal_plans: dict[str, dict[str, Any]] = {}

    def for_version(self, comfyui_version: str) -> "Catalog":
        """This server catalog as a ComfyUI `comfyui_version` (what an /object_info does not
        say): a copy whose facts are that version's. The shared original is left as it is."""
        from .releases import release_for

        other = copy.copy(self)
        other.comfyui_version = comfyui_version
        other._use_release(release_for(comfyui_version) or self.release)
        return other

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def stock(cls, version: str | None = None) -> "Catalog":
        """A bundled release's catalog: the newest not newer than `version` (default: the newest).
        Raises releases.UnknownRelease for a version no bundled release can stand for."""
        from .releases import bundled_release

        chosen = bundled_release(version)
        catalog = _BUNDLED.get(chosen.version)
        if catalog is None:
            catalog = _BUNDLED[chosen.version] = cls(
                chosen.nodes(), source=chosen.describe(), release=chosen, bundled=True,
                server_lists=chosen.server_lists, comfyui_version=chosen.version)
            catalog.output_types = chosen.output_types  # known without decoding every node
        return catalog

    @classmethod
    def from_object_info(cls, source: "str | Path | dict", *, name: str | None = None,
                         comfyui_version: str | None = None) -> "Catalog":
        """Read a real server's `/object_info` (a path or the parsed dict). `comfyui_version`:
        the server's version when known (an /object_info does not say it)."""
        if isinstance(source, dict):
            data, label = source, name or "object_info"
        else:
            path = Path(source)
            label = name or str(path)
            try:
                raw = read_limited(path, MAX_CATALOG_BYTES)
                with gc_paused():
                    data = json.loads(raw)
            except OSError as exc:
                raise CatalogError(f"cannot read object_info {path}: {exc.strerror or exc}") from None
            except (ValueError, RecursionError) as exc:
                raise CatalogError(f"{path} is not valid JSON: {exc}") from None
        if not isinstance(data, dict) or not data:
            raise CatalogError(f"{label} is not /object_info data (expected an object of node classes)")
        sample = next(iter(data.values()))
        if not isinstance(sample, dict) or not ("input" in sample or "output" in sample):
            raise CatalogError(f"{label} is not /object_info data: entries need 'input' and 'output'")
        return cls.from_server_nodes(data, source=label, comfyui_version=comfyui_version)

    @classmethod
    def from_server_nodes(cls, nodes: "Mapping[str, Any]", *, source: str,
                          comfyui_version: str | None = None,
                          server_lists: dict[str, dict[str, Any]] | None = None) -> "Catalog":
        """A server's node definitions (checked /object_info data, a snapshot's, or
        catalog.cache's packed form). Its facts come from the newest bundled release not newer
        than the server's version; without a version, from the release its node set points to."""
        from .releases import infer_release, release_for

        release = release_for(comfyui_version) or infer_release(nodes.keys())
        return cls(nodes, source=source, release=release, server_lists=server_lists,
                   comfyui_version=comfyui_version)

    # -- lookups --------------------------------------------------------------------------------
    def get(self, class_type: Any) -> NodeDef | None:
        if not isinstance(class_type, str):
            return None
        node = self.decoded.get(class_type)
        if node is None:
            raw = self._raw.get(class_type)
            if not isinstance(raw, dict):
                return None
            node = self.decoded[class_type] = NodeDef.parse(class_type, raw)
        return node

    def __contains__(self, class_type: object) -> bool:
        return isinstance(class_type, str) and isinstance(self._raw.get(class_type), dict)

    def __len__(self) -> int:
        return len(self._raw)

    def names(self) -> Iterable[str]:
        return self._raw.keys()

    def definitions(self) -> dict[str, Any]:
        """Every node definition as /object_info data, a copy the caller may change (decodes
        them all: for tools and tests)."""
        return {name: _copy_tree(self._raw[name]) for name in self._raw}

    @property
    def version_label(self) -> str:
        """`ComfyUI 0.26.0`: the server's (or bundled release's) version, for messages."""
        if self.comfyui_version:
            return f"ComfyUI {self.comfyui_version}"
        return f"a ComfyUI of unknown version (read as {self.release.version})"

    def server_list_folder(self, class_type: str, input_name: str) -> str | None:
        """The server folder a combo enumerates (models or input files; UNNAMED_FOLDER when no
        one can name it), or None for a plain choice.

        The bundled catalog and a snapshot say so explicitly; for a server's /object_info the
        bundled releases' core loaders, the release's loader input names and file-like options
        tell.
        """
        key = (class_type, input_name)
        if key not in self._folders:  # decided once per input: rules ask for every combo of every file
            self._folders[key] = self._list_folder(class_type, input_name)
        return self._folders[key]

    def _list_folder(self, class_type: str, input_name: str) -> str | None:
        listed = self.server_lists.get(class_type)
        if listed is not None and input_name in listed:
            return listed[input_name] or UNNAMED_FOLDER
        if self.bundled:
            return None
        node = self.get(class_type)
        spec = node.inputs.get(input_name) if node else None
        if spec is None or spec.choices is None:
            return None
        if spec.is_upload:
            return spec.options.get("image_folder") or "input"
        core = self._core_lists.get(class_type)
        if core is not None and input_name in core:
            return core[input_name] or UNNAMED_FOLDER
        by_name = self.release.model_input_folders.get(input_name)
        if by_name:
            return by_name
        if not spec.choices:
            return UNNAMED_FOLDER  # only a folder listing comes out empty (no such files)
        if any(isinstance(c, str) and c.lower().endswith(MODEL_FILE_SUFFIXES) for c in spec.choices):
            return UNNAMED_FOLDER
        return None

    @cached_property
    def captured_without_models(self) -> bool:
        """A server catalog whose core loaders list no model file at all (each list empty, or
        only built-in choices without a file extension: pixel_space, none): it was captured on
        a server with no models and says nothing about the models of the one that runs a
        workflow (stock captures for CI, such as the v0.26.0 one)."""
        if self.bundled:
            return False
        lists = 0
        for class_type, inputs in self._core_lists.items():
            node = self.get(class_type) if class_type in self else None
            for input_name, folder in inputs.items() if node is not None else ():
                spec = node.inputs.get(input_name)  # type: ignore[union-attr]
                if folder in ("input", "output") or spec is None or spec.choices is None:
                    continue
                lists += 1
                if any(isinstance(c, str) and "." in c.rsplit("/", 1)[-1] for c in spec.choices):
                    return False
        return lists > 0

    @property
    def file_presence_unknown(self) -> bool:
        """Whether model and input-file presence is beyond this catalog: the bundled catalog, or a
        capture without models, unless the user named the server's files."""
        return not self.files_given and (self.bundled or self.captured_without_models)

    def notes(self) -> list[str]:
        """What a run says once about its catalog (the command line prints these)."""
        if self.captured_without_models and not self.files_given:
            return [(f"{self.source} was captured on a server with no models installed (every "
                     "model list is empty or holds only built-in choices): model and input-file "
                     "presence is not judged; name the server's files (--models-dir, --manifest, "
                     "--comfyui-dir) to judge them")]
        return []

    def vouches_for(self, class_type: str | None, input_name: str | None, fact: str) -> bool:
        """Whether this catalog's `fact` (releases.STABLE_FACTS: "min", "max", "outputs") about a
        class can be taken as the server's: always for a server's own catalog; for a bundled one
        only when every bundled release agrees on it (the server may be of another version)."""
        if not self.bundled:
            return True
        from .releases import held_in_every_release

        return isinstance(class_type, str) and held_in_every_release(class_type, input_name, fact)

    def skips_value_checks(self, class_type: str, input_name: str) -> bool:
        """The node's own validate function takes this input, so the server skips min/max/combo."""
        info = self.custom_validation.get(class_type)
        return info is not None and bool(info["has_kwargs"]
                                         or input_name in info["skips_min_max_combo_for"])

    @cached_property
    def typo_index(self) -> TypoIndex:
        """The node class names arranged for diagnostics.typo_correction (decided once)."""
        from ..diagnostics import TypoIndex

        return TypoIndex(self.names())

    @cached_property
    def output_types(self) -> frozenset[str]:
        """Every type some node outputs (comma unions split)."""
        found: set[str] = set()
        for raw in self._raw.values():
            found.update(declared_output_types(raw))
        return frozenset(found)

    def is_socket_only(self, spec: InputSpec) -> bool:
        """Only a link can feed this input: a socket type that some node actually produces.

        Input types no node outputs (LOAD_3D, WEBCAM, AUDIO_RECORD) are widgets the frontend
        draws and fills with a literal, so a literal there is right.
        """
        if not spec.link_only:
            return False
        produced = self._produced_types.get(spec.type)
        if produced is None:
            produced = self._produced_types[spec.type] = any(
                part.strip() in self.output_types for part in spec.type.split(","))
        return produced


def declared_output_types(raw: Any) -> set[str]:
    """The types one raw node definition outputs (comma unions split)."""
    outputs = raw.get("output") if isinstance(raw, dict) else None
    return {part.strip() for output in (outputs if isinstance(outputs, list) else ())
            if isinstance(output, str) for part in output.split(",")}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while parsing: a 100 MB /object_info becomes millions of
    containers, and the collector's repeated passes over them cost ~3x the parse itself
    (json.load 3.6 s -> 0.8 s). Parsed JSON holds no reference cycles: nothing is left to collect."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_BUNDLED: dict[str, Catalog] = {}  # release version -> its catalog (immutable once built)


def _copy_tree(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars) at half copy.deepcopy's cost: no
    memo (a container found twice, which decoded JSON never holds, is copied twice); anything
    else is deep-copied."""
    kind = type(value)
    if kind is dict:
        return {key: _copy_tree(item) for key, item in value.items()}
    if kind is list:
        return [_copy_tree(item) for item in value]
    if kind in (str, int, float, bool) or value is None:
        return value
    return copy.deepcopy(value)
