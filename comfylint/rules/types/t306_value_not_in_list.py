from __future__ import annotations

from typing import Iterable

from ...catalog.types import unwrap_value
from ...diagnostics import Diagnostic, Edit, Fix, typo_correction
from ..base import Context, Rule

SHOWN_CHOICES = 12


def show_choices(choices: list) -> str:
    shown = ", ".join(repr(c) for c in choices[:SHOWN_CHOICES])
    if len(choices) > SHOWN_CHOICES:
        shown += f", … ({len(choices)} in all)"
    return shown


class ValueNotInList(Rule):
    code = "T306"
    name = "value-not-in-list"
    summary = "A combo value that is not one of the input's choices (sampler, scheduler, ...)."
    server_error_type = "value_not_in_list"
    server_node_check = True
    grows_with_comfyui = True
    fixable = True
    needs = ("literals", "not_listed")

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        catalog = ctx.catalog
        # (the combo literals that are not one of the choices at a glance, and dynamic combos)
        for node_id, node_def, name, spec, raw in ctx.graph.literal_checks.not_listed:
            if spec.dynamic_options:
                yield from self._check_dynamic_combo(ctx, node_id, name, spec, raw)
                continue
            choices = spec.choices
            if choices is None or spec.options.get("remote") or spec.options.get("remote_combo"):
                continue  # remote choices are fetched by the browser, the server cannot know them
            class_type = node_def.name
            if catalog.server_list_folder(class_type, name) is not None:
                continue  # models and input files: M401/M402 judge those against the server
            if catalog.skips_value_checks(class_type, name):
                continue
            value = unwrap_value(raw)
            unchecked = _unchecked_note(ctx, spec)
            error_type = None if unchecked else self.server_error_type
            if spec.options.get("multiselect") and isinstance(value, list):
                # Newer servers check a multiselect list element by element.
                invalid = [v for v in value if not _is_choice(v, choices)]
                if invalid:
                    yield ctx.report(
                        f"{ctx.label(node_id)} input {name!r} selects "
                        f"{', '.join(repr(v) for v in invalid)}, not among its choices{unchecked}",
                        node_id=node_id, input=name, server_error_type=error_type,
                        help=f"Choices: {show_choices(choices)}.")
                continue
            if _is_choice(value, choices):
                continue
            split = _sampler_split(ctx, node_id, node_def, name, value, choices)
            if split is not None:
                yield split
                continue
            suggestion, fix = _suggested_fix(ctx, node_id, name, value, choices)
            hint = f"; did you mean {suggestion!r}?" if suggestion else ""
            yield ctx.report(
                f"{ctx.label(node_id)} input {name!r} is {value!r}, not one of its "
                f"choices{hint}{unchecked}", node_id=node_id, input=name, fix=fix,
                server_error_type=error_type, help=f"Choices: {show_choices(choices)}.")

    def _check_dynamic_combo(self, ctx: Context, node_id: str, name: str, spec, raw
                             ) -> Iterable[Diagnostic]:
        """A dynamic combo's value must be one of its option keys. The server does not report
        it: it drops the input and the option's inputs, and the node fails when it runs."""
        if spec.dynamic_option(raw) is not None:
            return
        keys = [option.get("key") for option in spec.dynamic_options]
        suggestion, fix = _suggested_fix(ctx, node_id, name, raw, keys)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        yield ctx.report(
            f"{ctx.label(node_id)} input {name!r} is {raw!r}, not one of its options{hint} (the "
            "server does not check this one: it drops the input with its option's inputs, and the "
            "node fails when it runs)", node_id=node_id, input=name, fix=fix,
            server_error_type=None, help=f"Options: {show_choices(keys)}.")


def _unchecked_note(ctx: Context, spec) -> str:
    """Why the server in use lets a wrong v3 COMBO value through (0.3.64 never checks them: it
    accepts the prompt and the node fails when it runs, case 63), or "" where it rejects it."""
    if not spec.is_v3_combo or ctx.catalog.release.server.checks_v3_combo_values:
        return ""
    return (f" ({ctx.catalog.version_label} does not check this kind of input: it accepts the "
            "prompt and the node fails when it runs)")


def _sampler_split(ctx: Context, node_id: str, node_def, name: str, value: object,
                   choices: list) -> Diagnostic | None:
    """A combined A1111-style sampler name, reported with the sampler/scheduler pair it means."""
    scheduler_spec = node_def.inputs.get("scheduler")
    if name != "sampler_name" or scheduler_spec is None or scheduler_spec.choices is None:
        return None
    from .sampler_names import split_sampler  # (a sampler name not among the choices only)

    meant = split_sampler(value, choices, scheduler_spec.choices)
    if meant is None:
        return None
    sampler, scheduler = meant
    edits = [Edit(ctx.pointer(node_id, "inputs", name), sampler)]
    pair = f"sampler_name {sampler!r}"
    if scheduler is not None:
        edits.append(Edit(ctx.pointer(node_id, "inputs", "scheduler"), scheduler))
        pair += f" with scheduler {scheduler!r}"
    return ctx.report(
        f"{ctx.label(node_id)} input {name!r} is {value!r}, an A1111-style name: ComfyUI calls it "
        f"{pair}", node_id=node_id, input=name,
        fix=Fix(f"use {pair}", edits, safe=False), catalog_dated=False,
        help="ComfyUI splits the sampler and its noise schedule into two inputs.")


def _suggested_fix(ctx: Context, node_id: str, name: str, value: object, choices: list
                   ) -> tuple[str | None, Fix | None]:
    """The choice `value` is a typo of, and the edit to it (safe when only the letter case
    differs). A value that merely looks like a choice (a custom sampler pack's `res_2s` beside
    `seeds_2`) is another name: suggesting it would invite a wrong fix."""
    suggestion = typo_correction(value, choices)
    if suggestion is None:
        return None, None
    return suggestion, Fix(f"use {suggestion!r}",
                           [Edit(ctx.pointer(node_id, "inputs", name), suggestion)],
                           safe=str(suggestion).lower() == str(value).lower())


def _is_choice(value: object, choices: list) -> bool:
    try:
        return value in choices
    except TypeError:
        return False
