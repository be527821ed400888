"""M403: a model or input file named by a path that only works on one machine or one OS."""
from __future__ import annotations

from typing import Iterable

from ...diagnostics import Diagnostic, Edit, Fix, Severity
from ..base import Context, Rule
from .server_files import file_inputs, installed_media, installed_models, non_portable_reason, \
    split_annotation


class NonPortablePath(Rule):
    code = "M403"
    name = "non-portable-path"
    summary = "A model or input file named with '\\' separators or an absolute path."
    severity = Severity.WARNING
    fixable = True
    needs = ("non_portable_files",)

    def check(self, ctx: Context) -> Iterable[Diagnostic]:
        catalog = ctx.catalog
        for item in file_inputs(ctx):
            reason = non_portable_reason(item.value)
            if reason is None or not isinstance(item.value, str) \
                    or self._reported_missing(catalog, item):
                continue  # only text is a path
            fix = None
            if "\\" in item.value and not reason.startswith("an absolute"):
                # Unsafe: a Windows server lists the file with '\\' and would no longer find it.
                fix = Fix("use '/' separators", [Edit(ctx.pointer(item.node_id, "inputs", item.name),
                                                      item.value.replace("\\", "/"))], safe=False)
            yield ctx.report(
                f"{ctx.label(item.node_id)} input {item.name!r}: {item.value!r} uses {reason}",
                node_id=item.node_id, input=item.name, fix=fix,
                help="Name files relative to their ComfyUI folder with '/' (e.g. "
                     "'SDXL/model.safetensors'); subfolder names only match on servers of the "
                     "same OS family.")

    @staticmethod
    def _reported_missing(catalog, item) -> bool:
        """M401/M402 already report a name the server does not list (and explain the separator)."""
        if item.is_media:
            name, area = split_annotation(item.value)
            listed = installed_media(catalog, item, area)
            return listed is not None and name not in listed and item.value not in item.choices
        known = installed_models(catalog, item)
        return known is not None and item.value not in known[1]
