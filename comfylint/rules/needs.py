"""What a rule needs in a document to find anything: named preconditions the engine tests before
it imports or calls the rule.

A rule declares its precondition as data (`Rule.needs`, recorded in rules/index.json): a name
from NEEDS and its arguments, most often the shared list the rule reads (the graph build and the
literal pass gather what each rule may report: `("graph", "odd_links")`, `("literals",
"below_min")`). On a document where the precondition fails the rule could not report anything,
so the engine skips it, module import included: on a clean workflow most rules. A precondition
is always a necessary condition of the rule's findings, never a guess (tests/test_rule_needs.py
holds every document's findings with and without the skipping to be the same).
"""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Callable

from ..catalog import FILE_AREAS
from ..diagnostics import Severity

if TYPE_CHECKING:
    from ..load import LoadedFile
    from .base import Context


# Each test takes the context and the precondition's arguments as one tuple (Rule.needs after
# the name): the engine asks three dozen per document, and a call that unpacks `*arguments` costs
# three times a plain one.


def _graph(ctx: Context, arguments: tuple[str]) -> bool:
    """A list the graph build gathers is not empty (unknown_nodes, odd_links, ...)."""
    return bool(getattr(ctx.graph, arguments[0]))


def _literals(ctx: Context, arguments: tuple[str]) -> bool:
    """A worklist of the literal pass is not empty (comfylint.literals.LiteralChecks)."""
    return bool(getattr(ctx.graph.literal_checks, arguments[0]))


def _malformed_nodes(ctx: Context, _arguments: tuple) -> bool:
    """The graph breaks the API workflow schema somewhere (WorkflowGraph.well_formed)."""
    return not ctx.graph.well_formed


def _cycle(ctx: Context, _arguments: tuple) -> bool:
    return not ctx.graph.is_acyclic


def _no_output(ctx: Context, _arguments: tuple) -> bool:
    return not ctx.graph.output_nodes


def _several_outputs_and_an_error(ctx: Context, _arguments: tuple) -> bool:
    """Two outputs or more, and an error the server reports (which may fail one of them)."""
    return len(ctx.graph.output_nodes) >= 2 and any(
        d.severity == Severity.ERROR and d.server_error_type for d in ctx.findings)


def _dead_end(ctx: Context, _arguments: tuple) -> bool:
    """A node that may feed no output (WorkflowGraph.has_dead_end)."""
    return ctx.graph.has_dead_end


def _nodes_at_least(ctx: Context, arguments: tuple[int]) -> bool:
    return ctx.graph.node_count >= arguments[0]


def _node_types(ctx: Context, class_types: tuple[str, ...]) -> bool:
    """A node of a known class among these."""
    return not ctx.graph.known_classes.isdisjoint(class_types)


def _findings(ctx: Context, codes: tuple[str, ...]) -> bool:
    """A finding of one of these codes so far (for the rules that fold others' findings)."""
    return any(d.code in codes for d in ctx.findings)


def _server_files(ctx: Context, arguments: tuple[str]) -> bool:
    """A literal naming a server file of this kind ("models" or "media": input/output files),
    and a catalog that knows which files the server has (else M401/M402 cannot judge)."""
    if ctx.catalog.file_presence_unknown:
        return False
    media = arguments[0] == "media"
    return any((fields[4] in FILE_AREAS) == media for fields in ctx.graph.literal_checks.files)


def _non_portable_files(ctx: Context, _arguments: tuple) -> bool:
    """A server file named with a '\\' or what may start an absolute path ('/', '~', 'C:')."""
    return any(isinstance(value := fields[3], str)
               and ("\\" in value or value[:1] in ("/", "~") or value[1:2] == ":")
               for fields in ctx.graph.literal_checks.files)


def _secrets(ctx: Context, _arguments: tuple) -> bool:
    return bool(_document_secrets()(ctx.loaded))


@cache
def _document_secrets() -> Callable[[LoadedFile], tuple]:
    """engine.secrets.document_secrets (the engine has it loaded; an import statement here would
    look it up again for every document, and at the top would import the engine from the rules)."""
    from ..engine.secrets import document_secrets

    return document_secrets


def _prompt_id(ctx: Context, _arguments: tuple) -> bool:
    """A /prompt body that names its prompt_id."""
    body = ctx.loaded.document
    return ctx.loaded.envelope == "comfyui-prompt" and isinstance(body, dict) \
        and body.get("prompt_id") is not None


# name -> the test (ctx, arguments) -> whether the rule may find anything in the document.
NEEDS: dict[str, Callable[..., bool]] = {
    "graph": _graph,
    "literals": _literals,
    "malformed_nodes": _malformed_nodes,
    "cycle": _cycle,
    "no_output": _no_output,
    "several_outputs_and_an_error": _several_outputs_and_an_error,
    "dead_end": _dead_end,
    "nodes_at_least": _nodes_at_least,
    "node_types": _node_types,
    "findings": _findings,
    "server_files": _server_files,
    "non_portable_files": _non_portable_files,
    "secrets": _secrets,
    "prompt_id": _prompt_id,
}

