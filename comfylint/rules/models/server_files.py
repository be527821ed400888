"""What M401-M403 share: which inputs name server files, what the server lists, and why a name
the server does not list is wrong (separator, case, subfolder, another folder, a typo).
"""
from __future__ import annotations

import re
from functools import cache
from typing import Any, Callable, Iterator

from ...catalog import FILE_AREAS, MODEL_FILE_SUFFIXES, UNNAMED_FOLDER, Catalog
from ...catalog.releases import Release, known_core_facts
from ...diagnostics import Edit, Fix, close_matches
from ...record import Record
from ..base import Context
from ..types.t306_value_not_in_list import show_choices

ANNOTATION = re.compile(r"^(?P<name>.*) \[(?P<area>input|output|temp)\]$")
ABSOLUTE_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|/|~[\\/])")
CLOSEST = 3


class FileInput(Record):
    """A literal input of a known node whose combo lists server files."""

    __slots__ = ("node_id", "class_type", "name", "value", "folder", "choices", "checked")

    def __init__(self, node_id: str, class_type: str, name: str, value: object, folder: str,
                 choices: list | None = None, checked: bool = True) -> None:
        self.node_id = node_id
        self.class_type = class_type
        self.name = name
        self.value = value
        self.folder = folder  # a model folder, "input"/"output" for media, UNNAMED_FOLDER
        self.choices = choices if choices is not None else []
        # The server in use compares the value with its list (0.3.64 never checks v3 COMBOs).
        self.checked = checked

    @property
    def is_media(self) -> bool:
        return self.folder in FILE_AREAS

    @property
    def listing(self) -> str:
        """What the server lists for this input, in words: "the server's loras", or for a
        loader whose folder nobody can name, the input itself (never a made-up folder)."""
        if self.folder == UNNAMED_FOLDER:
            return f"the files the server lists for {self.class_type} {self.name!r}"
        return f"the server's {self.folder}"

    @property
    def put_it(self) -> str:
        if self.folder == UNNAMED_FOLDER:
            return "Put the file in the model folder this loader reads on the server"
        return f"Put the file in models/{self.folder}/ on the server"


def file_inputs(ctx: Context) -> list[FileInput]:
    """Literal inputs whose combo lists a server folder (models, input files), once per file."""
    return ctx.shared("file-inputs", lambda: list(_file_inputs(ctx)))


def _file_inputs(ctx: Context) -> Iterator[FileInput]:
    for fields in ctx.graph.literal_checks.files:  # (literals of combos that list server files)
        yield FileInput(*fields)


def carried_model(ctx: Context, folder: str, name: str) -> bool:
    """The request brings this model along (a `files` entry such as
    "/models/loras/y.safetensors", or one given to the Python API): it counts as present."""
    carried = ctx.loaded.envelope_files
    if not carried:  # (most requests)
        return False
    wanted = folder + "/" + name.replace("\\", "/")
    for path in carried:
        path = path.replace("\\", "/").lstrip("/")
        if path == wanted or path == f"models/{wanted}":
            return True
    return False


def carried_inputs(ctx: Context) -> list[str]:
    """The input files the request brings along (a `files` entry "/input/x.png", RunPod's
    `images` names), as names relative to the input folder."""
    names = []
    for path in ctx.loaded.envelope_files:
        path = path.replace("\\", "/").lstrip("/")
        head, slash, rest = path.partition("/")
        if slash and head == "input":
            names.append(rest)
        elif not slash or head not in ("models", *FILE_AREAS):
            names.append(path)
    return sorted(set(names))


def model_missing(ctx: Context, item: FileInput) -> bool | None:
    """Whether the server lacks the model `item` names: True, False (listed, accepted, or
    brought by the request), None when the catalog cannot know (the bundled one, no manifest)."""
    value = item.value
    if isinstance(value, str) and carried_model(ctx, item.folder, value):
        return False
    known = installed_models(ctx.catalog, item)
    if known is None:
        return None
    return not (isinstance(value, str) and value in known[1])


def media_missing(ctx: Context, item: FileInput) -> bool | None:
    """Whether the server lacks the input/output file `item` names (True, False, or None when
    no listing says): a file the request brings counts as present."""
    value = item.value
    if not isinstance(value, str):
        return None
    name, area = split_annotation(value)
    carried = ctx.shared("carried-files", lambda: {
        split_annotation(n)[0].replace("\\", "/").rsplit("/", 1)[-1]
        for n in ctx.loaded.envelope_files})
    if name.rsplit("/", 1)[-1] in carried or value in item.choices:
        return False  # sent with the request, or listed as is
    listed = installed_media(ctx.catalog, item, area)
    return None if listed is None else name not in listed


def looks_like_file(name: object) -> bool:
    return isinstance(name, str) and name.lower().endswith(MODEL_FILE_SUFFIXES)


def installed_models(catalog: Catalog, item: FileInput) -> tuple[list[str], set] | None:
    """(files the server lists in the folder, every value the server accepts), or None when the
    catalog cannot know (the bundled catalog or a capture without models, and no manifest given).
    Decided once per list the catalog holds (the same for every document): derived."""
    if catalog.file_presence_unknown:
        return None
    manifest = catalog.manifest
    listed = manifest.folder(item.folder) if manifest is not None else None
    if listed is not None:
        return derived(_listed_models, listed, item.choices)
    return derived(_listed_choices, item.choices)


def _listed_models(listed: list[str], choices: list) -> tuple[list[str], set]:
    # Non-file choices (VAELoader's "taesd", "pixel_space") come with the node, not the folder.
    extras = {c for c in choices if isinstance(c, str) and not looks_like_file(c)}
    return listed, set(listed) | extras


def _listed_choices(choices: list) -> tuple[list[str], set]:
    names = [c for c in choices if isinstance(c, str)]
    return names, set(names)


def derived(compute: Callable[..., Any], *lists: list) -> Any:
    """compute(*lists) for lists a catalog holds, once per list (the same for every document):
    the lists are told apart by identity (the entry keeps them alive, so while it is kept no
    other list has their ids: an entry found is theirs)."""
    key = (compute, id(lists[0])) if len(lists) == 1 else (compute, *map(id, lists))
    known = _DERIVED.get(key)
    if known is not None:
        return known[1]
    if len(_DERIVED) >= 512:
        _DERIVED.clear()
    value = _DERIVED[key] = (lists, compute(*lists))
    return value[1]


_DERIVED: dict[tuple, tuple[tuple, Any]] = {}  # (compute, ids of the lists) -> (lists, value)


def split_annotation(value: str) -> tuple[str, str]:
    """`x.png [output]` -> ("x.png", "output"); the server reads unannotated names from input/."""
    match = ANNOTATION.match(value) if "]" in value else None  # (no annotation: most names)
    return (match["name"], match["area"]) if match else (value, "input")


def installed_media(catalog: Catalog, item: FileInput, area: str) -> list[str] | None:
    if catalog.file_presence_unknown:
        return None
    manifest = catalog.manifest
    listed = manifest.files_in(area) if manifest is not None else None
    if listed is not None:
        return listed
    if area != item.folder:
        return None
    return derived(_listed_choices, item.choices)[0]  # (one list per listing: explain() memos on it)


# -- why a name is missing -----------------------------------------------------------------------
class Explanation(Record):
    """Why a name is not listed, and the name it likely means."""

    __slots__ = ("reason", "match", "suggestion")

    def __init__(self, reason: str, match: str | None = None,
                 suggestion: str | None = None) -> None:
        self.reason = reason
        self.match = match  # the one installed name the value surely means (a safe fix)
        self.suggestion = suggestion  # a likely name (an unsafe fix)

    def fix(self, pointer: str) -> Fix | None:
        target = self.match or self.suggestion
        if target is None:
            return None
        return Fix(f"use {target!r}", [Edit(pointer, target)], safe=self.match is not None)


def _slash(name: str) -> str:
    return name.replace("\\", "/")


def _base(name: str) -> str:
    return _slash(name).rsplit("/", 1)[-1]


class Spellings(Record):
    """A listing's names grouped by the forms explain() compares (each group in listing order),
    and the explanations given so far: a catalog's listings never change, and the same missing
    names come back in document after document (each costs a near-name search)."""

    __slots__ = ("path", "case", "file", "stem", "explained")

    def __init__(self) -> None:
        self.path: dict[str, list[str]] = {}  # '/' separators
        self.case: dict[str, list[str]] = {}  # ... and lower-cased
        self.file: dict[str, list[str]] = {}  # the file name, lower-cased
        self.stem: dict[str, list[str]] = {}  # ... without its extension
        self.explained: dict[tuple[str, str], Explanation] = {}  # (value, what) -> explain()

    @classmethod
    def of(cls, installed: list[str]) -> "Spellings":
        spellings = cls()
        for name in installed:
            path = _slash(name)
            spellings.path.setdefault(path, []).append(name)
            spellings.case.setdefault(path.lower(), []).append(name)
            spellings.file.setdefault(_base(name).lower(), []).append(name)
            spellings.stem.setdefault(_stem(name), []).append(name)
        return spellings


def explain(value: str, installed: list[str], what: str) -> Explanation:
    """Why `value` is not among `installed`, most specific reason first (the Explanation is
    shared: read it, never change it)."""
    spellings = derived(Spellings.of, installed)
    known = spellings.explained
    found = known.get((value, what))
    if found is None:
        found = _explain(value, installed, spellings, what)
        if len(known) >= EXPLAINED_PER_LISTING:
            known.clear()  # (a service sees endless made-up names: keep the memo small)
        known[value, what] = found
    return found


EXPLAINED_PER_LISTING = 256


def _explain(value: str, installed: list[str], spellings: Spellings, what: str) -> Explanation:
    path = _slash(value)
    same_path = spellings.path.get(path, [])
    if len(same_path) == 1:
        listed = same_path[0]
        side = ("the workflow uses Windows '\\' separators" if "\\" in value
                else "the server (Windows) lists it with '\\' separators")
        return Explanation(f"{side}: the server lists it as {listed!r}", match=listed)
    same_case = spellings.case.get(path.lower(), [])
    if same_case:
        return Explanation(f"only the letter case differs from {same_case[0]!r} (file names are "
                           "case-sensitive on Linux servers)",
                           match=same_case[0] if len(same_case) == 1 else None)
    same_file = spellings.file.get(_base(value).lower(), [])
    if same_file:
        where = ("in a subfolder" if "/" not in _slash(value)
                 else "at the top level" if all("/" not in _slash(n) for n in same_file)
                 else "under another subfolder")
        return Explanation(f"the server has it {where}: {show_choices(same_file)} (ComfyUI "
                           "matches the full relative path, not the file name)",
                           match=same_file[0] if len(same_file) == 1 else None)
    if not installed:
        return Explanation(f"the server lists no {what} at all (the list is empty, 'not in []')")
    close = closest_names(value, spellings.stem)
    if close:
        return Explanation(f"closest installed: {show_choices(close)}", suggestion=close[0])
    return Explanation(f"the server has {len(installed)}: {show_choices(sorted(installed))}")


def closest_names(value: str, by_stem: dict[str, list[str]]) -> list[str]:
    """Near spellings, compared on the file name without its extension (".safetensors" shared
    by every candidate would make any two names look alike): `by_stem` groups the installed
    names by their stem (Spellings.stem)."""
    near = close_matches(_stem(value), by_stem, n=CLOSEST, cutoff=0.6)
    return [full for stem in near for full in by_stem[stem]][:CLOSEST]


def _stem(name: str) -> str:
    """The file name without its extension, lower-cased (os.path.splitext's split: a name of
    leading dots only, ".hidden", has no extension)."""
    base = _base(name)
    dot = base.rfind(".")
    if dot > 0 and base[:dot].strip("."):
        base = base[:dot]
    return base.lower()


@cache
def loader_for(release: Release, folder: str) -> str | None:
    """A core node that loads files from `folder` (from the bundled releases), for advice."""
    for class_type, inputs in sorted(known_core_facts(release, "server_lists").items()):
        if folder in inputs.values() and "Loader" in class_type:
            return class_type
    return None


def non_portable_reason(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    if ABSOLUTE_PATH.match(value):
        return ("an absolute path: ComfyUI lists files relative to its folders, so it names one "
                "machine's disk")
    if "\\" in value:
        return ("a Windows '\\' separator: Linux and macOS servers list the same file with '/'")
    return None
