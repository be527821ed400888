"""The frontend's widget model of a node: which inputs are widgets, which values a UI file stores.

Mirrors what ComfyUI's frontend builds from `/object_info` when it creates a node (the reference's
phase B): input order from `input_order`, the load-time node-definition changes (upload buttons,
the audio player), companion widgets (`control_after_generate`, `control_filter_list`) that a
workflow stores but a prompt never carries, and the live node's input sockets (plain sockets
first, then one socket per widget). Phase C, pairing `widgets_values` with widgets, is
`restore_values`.

Which input types become widgets, which widgets a file stores, and what core extensions add to
which nodes changed between frontend releases: those facts are data (`widget_kinds`, one file per
frontend), and every model is built for one era's facts.

v3 dynamic inputs (newer servers) as the current frontend builds them: a dynamic combo `X` is a
widget followed by the widgets of its selected option, named `X.<input>` (nested combos
recurse), so a node's widgets depend on its own stored values (`restore_node`); an autogrow input
`X` is a row of sockets `X.<name>`. Export (API) sends exactly these dotted names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from ..catalog import InputSpec, NodeDef
from ..catalog.dynamic import autogrow_slots
from ..catalog.types import AUTOGROW, DYNAMIC_COMBO
from .widget_kinds import FrontendFacts

# Widget kinds whose value the frontend computes at queue time or that have no portable value
# (comfylint's judgement, not an era's fact: a widget kind no era has is simply never met).
QUEUE_TIME_TYPES = frozenset({"WEBCAM", "LOAD_3D", "LOAD_3D_ANIMATION",
                              "LOAD_3D_ADVANCED", "PAINTER", "COMPOSITOR", "AUDIO_RECORD",
                              "COMFY_DYNAMICGROUP_V3"})
SCENE_TYPES = frozenset({"LOAD_3D", "LOAD_3D_ANIMATION"})  # the Load3D extension's scene widget
# The buttons the Load3D extension puts after the model file combo (stored, never sent).
SCENE_BUTTONS = ("upload 3d model", "upload extra resources", "clear")
CONTROL_MODES = ("fixed", "increment", "decrement", "randomize", "increment-wrap")
IMPLICIT_CONTROL_NAMES = ("seed", "noise_seed")
NUMBER_KINDS = ("INT", "FLOAT")
UPLOAD_FLAGS = ("image_upload", "video_upload", "animated_image_upload")
AUDIO_DISPLAY = "AUDIO_UI"  # the audio player extensions add: shown, never sent


@dataclass(frozen=True, slots=True)
class Widget:
    """One widget of a live node."""

    name: str
    type: str  # the widget kind: INT, COMBO, IMAGEUPLOAD, ...
    kind: str  # "value" (edits input `name`), "control", "filter", "button", "display"
    persisted: bool  # occupies a `widgets_values` slot
    prompted: bool  # sent in the API prompt
    spec: InputSpec | None = None
    default: Any = None

    @property
    def is_value(self) -> bool:
        return self.kind == "value"


@dataclass(frozen=True, slots=True)
class Socket:
    """One input slot of a live node, in slot order."""

    name: str
    type: str
    widget: str | None = None  # the widget this socket feeds (a "widget input socket")


@dataclass(slots=True)
class NodeModel:
    node_def: NodeDef
    facts: FrontendFacts  # the frontend era the model was built for
    widgets: list[Widget]
    sockets: list[Socket]
    outputs: list[str]
    caveats: list[str] = field(default_factory=list)  # why values may not be exact
    # The first dynamic combo whose stored value names no option: that option's values (unknown
    # in number) follow it in widgets_values.
    unknown_option: str | None = None

    @property
    def persisted(self) -> list[Widget]:
        return [w for w in self.widgets if w.persisted]

    def widget(self, name: str) -> Widget | None:
        for widget in self.widgets:
            if widget.name == name and widget.is_value:
                return widget
        return None

    def socket_index(self, name: str) -> int | None:
        for index, socket in enumerate(self.sockets):
            if socket.name == name:
                return index
        return None


def slot_type(spec_type: Any) -> str:
    """The frontend's name for an input type: a list of choices is a COMBO."""
    if isinstance(spec_type, list):
        return "COMBO"
    return spec_type if isinstance(spec_type, str) else str(spec_type)


def ordered_inputs(node_def: NodeDef, facts: FrontendFacts) -> list[InputSpec]:
    """Inputs in the frontend's order: input_order (required, optional), then the rest."""
    specs = dict(node_def.inputs)
    for spec in _frontend_added_inputs(node_def, facts):
        specs.setdefault(spec.name, spec)
    ordered = [specs[name] for name in node_def.input_order if name in specs]
    seen = {spec.name for spec in ordered}
    ordered += [spec for name, spec in specs.items() if name not in seen]
    return ordered


def _frontend_added_inputs(node_def: NodeDef, facts: FrontendFacts) -> list[InputSpec]:
    """The widgets core frontend extensions add to a node definition when it registers."""
    added = [InputSpec(name, kind, {}, True)
             for name, kind in facts.added_inputs.get(node_def.name, ())]
    for spec in node_def.inputs.values():
        if spec.required and spec.choices is not None and any(
                spec.options.get(flag) is True for flag in UPLOAD_FLAGS):
            added.append(InputSpec("upload", "IMAGEUPLOAD", dict(spec.options), True))
            break
    audio = node_def.inputs.get("audio")
    if audio is not None and audio.required and audio.options.get("audio_upload") is True:
        added.append(InputSpec("upload", "AUDIOUPLOAD", {}, True))
    return added


def widget_kind_of(spec: InputSpec, facts: FrontendFacts) -> str | None:
    """The widget type an input becomes, or None when it is a plain socket."""
    if spec.options.get("forceInput"):
        return None
    if not spec.required and spec.options.get("defaultInput"):
        return None  # the frontend turns an optional defaultInput into forceInput
    kind = spec.options.get("widgetType") or slot_type(spec.type)
    return kind if kind in facts.kinds else None


def default_value(spec: InputSpec, kind: str) -> Any:
    default = spec.options.get("default")
    if kind in ("INT", "FLOAT"):
        return 0 if default is None else default
    if kind == "STRING":
        return "" if default is None else default
    if kind == "BOOLEAN":
        return False if default is None else default
    if kind == "COMBO":
        if default:
            return default
        choices = spec.choices
        return choices[0] if choices else None
    if kind == DYNAMIC_COMBO:
        keys = [option.get("key") for option in spec.dynamic_options]
        return default if default else (keys[0] if keys else None)
    return default


def _companions(spec: InputSpec, kind: str) -> list[Widget]:
    """control_after_generate (and control_filter_list for combos): stored, never sent."""
    flag = spec.options.get("control_after_generate")
    if kind == "INT":
        wanted = bool(flag) or (flag is None and spec.name in IMPLICIT_CONTROL_NAMES)
        default_mode = "randomize"
    elif kind in ("FLOAT", "COMBO"):
        wanted = bool(flag)
        default_mode = "fixed"
    else:
        return []
    if not wanted:
        return []
    name = "control_after_generate"
    if isinstance(flag, str):
        if flag in CONTROL_MODES:
            default_mode = flag
        else:
            name = flag
    prefix = spec.options.get("control_prefix")
    if isinstance(prefix, str) and prefix:
        name = f"{prefix} {name}"
    found = [Widget(name, "COMBO", "control", True, False, spec, default_mode)]
    if kind == "COMBO":
        found.append(Widget("control_filter_list", "STRING", "filter", True, False, spec, ""))
    return found


def build_model(node_def: NodeDef, facts: FrontendFacts,
                selections: dict[str, Any] | None = None) -> NodeModel:
    """The live node's widgets and sockets in one frontend era; `selections` are the values of
    its dynamic combos (absent: the combo's default), which decide the sub-widgets each one
    shows."""
    builder = _ModelBuilder(node_def, facts, selections or {})
    for spec in ordered_inputs(node_def, facts):
        builder.add(spec)
    builder.add_node_widgets()
    outputs = [slot_type(t) for t in node_def.outputs]
    return NodeModel(node_def, facts, builder.widgets, builder.plain + builder.widget_sockets,
                     outputs, builder.caveats, builder.unknown_option)


class _ModelBuilder:
    """Appends one input spec's widgets and sockets at a time (recursing into v3 dynamic inputs)."""

    def __init__(self, node_def: NodeDef, facts: FrontendFacts, selections: dict[str, Any]) -> None:
        self.node_def = node_def
        self.facts = facts
        self.selections = selections
        self.widgets: list[Widget] = []
        self.plain: list[Socket] = []
        self.widget_sockets: list[Socket] = []
        self.caveats: list[str] = []
        self.unknown_option: str | None = None

    def add(self, spec: InputSpec) -> None:
        if spec.type == AUTOGROW:
            self._add_autogrow(spec)
            return
        kind = widget_kind_of(spec, self.facts)
        if kind is None:
            self.plain.append(Socket(spec.name, slot_type(spec.type)))
            return
        if kind in QUEUE_TIME_TYPES:
            self.caveats.append(f"input {spec.name!r} is a {kind} widget whose value the frontend "
                                "computes itself")
        made = self.facts.kinds[kind]
        if made.button:  # an upload button: its stored value is the image button's "image"
            default = "image" if kind == "IMAGEUPLOAD" else ""
            self.widgets.append(Widget(spec.name, kind, "button", made.persisted, False, spec,
                                       default))
            return
        if kind == AUDIO_DISPLAY:
            self.widgets.append(Widget(spec.name, kind, "display", made.persisted, False, spec,
                                       None))
            return
        default = default_value(spec, kind)
        self.widgets.append(Widget(spec.name, kind, "value", made.persisted, True, spec, default))
        self.widget_sockets.append(Socket(spec.name, kind, widget=spec.name))
        self.widgets.extend(Widget(spec.name, "BUTTON", "button", True, False, spec, "")
                            for _ in range(made.buttons_after))
        self.widgets.extend(_companions(spec, kind))
        if kind == DYNAMIC_COMBO:
            self._add_option(spec, self.selections.get(spec.name, default))
        if spec.options.get("file_upload") and any(
                slot_type(s.type) in SCENE_TYPES for s in self.node_def.inputs.values()):
            self.widgets.extend(Widget(name, "BUTTON", "button", True, False, spec, None)
                                for name in SCENE_BUTTONS)

    def add_node_widgets(self) -> None:
        """Widgets an extension creates on this node after its own (PreviewAny's display). One
        the file does not store has no value comfylint can know: one that is sent anyway is a
        caveat."""
        for made in self.facts.node_widgets.get(self.node_def.name, ()):
            kind = "value" if made.persisted else "display"
            self.widgets.append(Widget(made.name, made.type, kind, made.persisted, made.prompted))
            if made.prompted and not made.persisted:
                self.caveats.append(f"the editor also sends {made.name!r}, the text it shows "
                                    "(not stored in the file)")

    def _add_autogrow(self, spec: InputSpec) -> None:
        """Autogrow slots are sockets `X.<name>` (the frontend adds them as links arrive)."""
        slots = autogrow_slots(spec)
        if slots is None:
            self.caveats.append(f"input {spec.name!r} is an autogrow input whose template "
                                "comfylint cannot read")
            return
        for name, raw, _required in slots:
            sub = InputSpec.parse(f"{spec.name}.{name}", raw, False)
            if sub is not None:
                self.plain.append(Socket(sub.name, slot_type(sub.type)))

    def _add_option(self, spec: InputSpec, selected: Any) -> None:
        """A dynamic combo's selected option: its inputs (required, then optional) become
        `X.<input>` widgets and sockets right after the combo."""
        option = spec.dynamic_option(selected) if _hashable(selected) else None
        if option is None:
            self.caveats.append(f"input {spec.name!r} selects {selected!r}, which names none of "
                                "its options: the option's own values cannot be placed")
            self.unknown_option = self.unknown_option or spec.name
            return
        groups = option.get("inputs")
        for group in ("required", "optional"):
            entries = groups.get(group) if isinstance(groups, dict) else None
            for name, raw in (entries.items() if isinstance(entries, dict) else ()):
                sub = InputSpec.parse(f"{spec.name}.{name}", raw, group == "required")
                if sub is not None:
                    self.add(sub)


def _hashable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) or value is None


# -- phase C: pairing widgets_values with widgets ---------------------------------------------------
@dataclass(slots=True)
class Restored:
    """Each widget's value and where it came from in `widgets_values` (index or key)."""

    values: dict[str, Any]  # value-widget name -> value
    sources: dict[str, Any]  # value-widget name -> index/key in widgets_values (absent: default)
    layout: str  # "dense", "sparse", "migrated", "object", "none", "mismatch", "unknown-option"
    companions: dict[str, Any] = field(default_factory=dict)  # companion name -> stored value
    companion_sources: dict[str, Any] = field(default_factory=dict)  # companion name -> index


def restore_values(model: NodeModel, stored: Any) -> Restored:
    """Pair stored values with widgets the way the frontend's configure() does."""
    values = {w.name: w.default for w in model.widgets if w.is_value}
    restored = Restored(values, {}, "none")
    if isinstance(stored, dict):
        restored.layout = "object"
        for widget in model.widgets:
            if widget.persisted and widget.name in stored:
                _assign(restored, widget, stored[widget.name], widget.name)
        return restored
    if not isinstance(stored, list):
        return restored
    persisted = model.persisted
    stored, positions, migrated = _migrate_force_inputs(model, stored)
    if len(stored) == len(persisted) or (
            len(stored) > len(persisted) and all(v is None for v in stored[len(persisted):])) \
            or _only_editor_state_missing(model, len(stored)):
        # Trailing nulls are holes older frontends left for display-only widgets; widgets an
        # older editor did not have yet that hold only editor state keep their defaults.
        pairs = list(zip(persisted, range(min(len(stored), len(persisted)))))
        restored.layout = "migrated" if migrated else "dense"
    elif len(stored) == len(model.widgets) and len(model.widgets) != len(persisted):
        pairs = [(w, i) for i, w in enumerate(model.widgets) if w.persisted]
        restored.layout = "sparse"
    elif model.unknown_option is not None and len(stored) > len(persisted):
        pairs = _skip_unknown_option(model, stored)
        restored.layout = "unknown-option"
    else:
        pairs = list(zip(persisted, range(min(len(stored), len(persisted)))))
        restored.layout = "mismatch"
    for widget, index in pairs:
        _assign(restored, widget, stored[index], positions[index])
    return restored


def _only_editor_state_missing(model: NodeModel, count: int) -> bool:
    """The stored values stop before widgets whose value no server reads: never sent (PreviewAny's
    display mode, an upload button) or added by the editor to a definition that does not declare
    them (the 3D preview), and no companion of a sent one. Nothing the server gets moved."""
    missing = model.persisted[count:]
    declared = model.node_def.inputs
    return bool(missing) and all(
        (not w.prompted or w.name not in declared) and w.kind not in ("control", "filter")
        for w in missing)


def restore_node(node_def: NodeDef, stored: Any, facts: FrontendFacts,
                 cache: dict | None = None) -> tuple[NodeModel, Restored]:
    """A node's model and restored values together: a dynamic combo's sub-widgets follow the
    value stored for it, and the values after them follow those sub-widgets, so the pairing is
    repeated until the selections it reads are the ones the model was built for.

    `facts`: the frontend era (widget_kinds.facts_for(catalog)). `cache` (any dict kept by the
    caller) shares models between nodes of one type.
    """
    cache = {} if cache is None else cache
    selections: dict[str, Any] = {}
    for _ in range(len(node_def.inputs) + 1):
        key = (facts.version, node_def.name, tuple(sorted(selections.items())))
        model: NodeModel | None = cache.get(key)
        if model is None:
            model = cache[key] = build_model(node_def, facts, selections)
        restored = restore_values(model, stored)
        chosen = {w.name: restored.values.get(w.name) for w in model.widgets
                  if w.type == DYNAMIC_COMBO and w.is_value
                  and _hashable(restored.values.get(w.name))}
        if chosen == selections:
            break
        selections = chosen
    return cast(NodeModel, model), restored  # the loop runs at least once


def value_misfit(widget: Widget, value: Any) -> str | None:
    """Why `value` cannot be this widget's value (None: it fits, or cannot be judged)."""
    if value is None:
        return None
    if widget.kind == "control":
        if isinstance(value, bool) or value in CONTROL_MODES:  # early frontends stored a boolean
            return None
        return "not a control mode (" + ", ".join(CONTROL_MODES) + ")"
    if widget.kind != "value":
        return None
    kind = widget.type
    if kind in NUMBER_KINDS and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return f"but it is a {kind} widget"
    if kind == "BOOLEAN" and not isinstance(value, bool):
        return "but it is a BOOLEAN widget"
    if kind == "STRING" and not isinstance(value, str):
        return "but it is a STRING widget"
    if kind == "COMBO" and (isinstance(value, (bool, int, float)) and widget.spec is not None
                            and all(isinstance(c, str) for c in widget.spec.choices or [])):
        return "but it is a choice of names"
    return None


def _skip_unknown_option(model: NodeModel, stored: list) -> list[tuple[Widget, int]]:
    """Pair around the values of a dynamic-combo option the catalog does not know (a newer one).

    They follow the combo, but how many there are is unknown: skip as many as make the later
    values fit their widgets best (ties: skip them all, i.e. the node did not also grow at the end).
    """
    persisted = model.persisted
    head = 1 + next(i for i, w in enumerate(persisted) if w.name == model.unknown_option)
    after = persisted[head:]
    extra = len(stored) - len(persisted)

    def misfits(skipped: int) -> int:
        start = head + skipped
        return sum(value_misfit(w, stored[start + i]) is not None for i, w in enumerate(after))

    skipped = min(range(extra, -1, -1), key=misfits)
    return list(zip(persisted[:head], range(head))) + [
        (w, head + skipped + i) for i, w in enumerate(after)]


def _assign(restored: Restored, widget: Widget, value: Any, source: Any) -> None:
    if widget.is_value:
        restored.values[widget.name] = value
        restored.sources[widget.name] = source
    else:
        restored.companions[widget.name] = value
        restored.companion_sources[widget.name] = source


def _migrate_force_inputs(model: NodeModel, stored: list) -> tuple[list, list[int], bool]:
    """Drop the dummy slots pre-1.16 frontends stored for forceInput inputs (`migrateWidgetsValues`).

    Returns the values, each value's index in the original list, and whether anything moved.
    """
    positions = list(range(len(stored)))
    node_def = model.node_def
    forced = [spec for spec in node_def.inputs.values() if spec.options.get("forceInput")]
    if not forced or any(s.type == "COMFY_DYNAMICGROUP_V3" for s in node_def.inputs.values()):
        return stored, positions, False
    if len(stored) == len(model.persisted):
        return stored, positions, False
    legacy_layout: list[bool] = []  # True marks a dummy slot
    for spec in ordered_inputs(node_def, model.facts):
        forced_here = bool(spec.options.get("forceInput"))
        if not forced_here and widget_kind_of(spec, model.facts) is None:
            continue
        legacy_layout.append(forced_here)
        if spec.options.get("control_after_generate"):
            legacy_layout.append(forced_here)
    if len(stored) != len(legacy_layout):
        return stored, positions, False
    kept = [i for i, dummy in enumerate(legacy_layout) if not dummy]
    return [stored[i] for i in kept], kept, True
