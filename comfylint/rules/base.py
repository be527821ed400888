"""What a rule is, and the context it checks.

A rule is a class with metadata and a `check(ctx)` generator. `ctx.report(...)` builds the
Diagnostic: it fills in the rule's identity, the node's class and title, the JSON pointer, and
lowers the severity of server-mirroring findings on nodes the server never validates.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from ..diagnostics import Diagnostic, Fix, Severity, node_label
from ..load import OBJECT_KEYS_KEY
from ..load.positions import pointer as make_pointer
from ..record import Record

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..engine import Options
    from ..graph import WorkflowGraph
    from ..load import LoadedFile


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line for `comfylint rules`
    severity: ClassVar[Severity] = Severity.ERROR
    # The ComfyUI error type the finding mirrors, as the newest servers name it (a release that
    # names it otherwise maps it: catalog.release.server.error_types).
    server_error_type: ClassVar[str | None] = None
    formats: ClassVar[tuple[str, ...]] = ("api",)  # which loaded formats the rule looks at
    fixable: ClassVar[bool] = False
    # Mirrors a check the server runs per node: on nodes it never validates, errors become warnings.
    server_node_check: ClassVar[bool] = False
    # One of PHASES: "fold" rules run after the others and may fold their findings into their
    # own (ctx.findings is theirs to edit); "post" rules then read what is left (output-dropped).
    phase: ClassVar[str] = "main"
    # The verdict rests on facts a newer ComfyUI may have changed (combo choices, ranges, node
    # outputs; custom packs extend core lists too): the bundled catalog cannot vouch for them,
    # the file may come from a newer release (a warning); a server's catalog can (an error).
    grows_with_comfyui: ClassVar[bool] = False
    # The fact about the finding's node input the verdict rests on (catalog.releases.STABLE_FACTS):
    # where every bundled release agrees on it, the bundled catalog vouches for it (an error).
    vouched_fact: ClassVar[str | None] = None
    # The rule only gives the loader's findings of its code their identity (file.LoadStageRule):
    # a document the loader found no such problem in is not its business (nor its import).
    loader_findings: ClassVar[bool] = False
    # What the rule needs in a document to find anything (rules/needs.py: a precondition's name
    # and its arguments, most often the shared list the rule reads): where it fails, the engine
    # neither imports nor calls the rule. () : the rule runs on every document it applies to.
    needs: ClassVar[tuple[Any, ...]] = ()

    def check(self, ctx: "Context") -> Iterable[Diagnostic]:
        raise NotImplementedError

    @property
    def category(self) -> str:
        return CATEGORIES.get(self.code[0], "other")


PHASES = ("main", "fold", "post")
ERROR, WARNING = Severity.ERROR, Severity.WARNING  # (report() asks per finding: an enum's
#                                                   class attribute costs 3x a global)
SAVED_BY_NEWER = "saved-by-newer"  # (Context._shared)
CATEGORIES = {"F": "file", "G": "graph", "N": "node", "T": "types", "M": "models",
              "P": "security", "U": "ui", "C": "meta"}


class Context(Record):
    """One document's lint: what the rules read, and the findings so far."""

    __slots__ = ("loaded", "catalog", "options", "graph", "findings", "rule", "api_workflow",
                 "_shared", "_labels", "_server")

    def __init__(self, loaded: "LoadedFile", catalog: "Catalog", options: "Options",
                 graph: "WorkflowGraph | None" = None, findings: list[Diagnostic] | None = None,
                 rule: Rule | None = None, api_workflow: Any = None) -> None:
        self.loaded = loaded
        self.catalog = catalog
        self.options = options
        # The API graph the API rules read. They run only when there is one (engine._applies),
        # so they read it without a None check (a plain attribute: rules read it thousands of
        # times); code that may run without one reads `api_view`, which says it may be None.
        self.graph: WorkflowGraph = graph  # type: ignore[assignment]
        self.findings = findings if findings is not None else []
        self.rule = rule
        self.api_workflow = api_workflow  # a UI file's converted API graph (comfylint.ui)
        self._shared: dict = {}
        self._labels: dict[str, str] = {}  # node id -> label(): messages name a node often
        self._server = catalog.release.server  # how the release in use names its errors

    @property
    def api_view(self) -> "WorkflowGraph | None":
        """The API graph, when the document has one (None: it has none)."""
        return self.graph

    def shared(self, key: str, compute):
        """An analysis several rules need, computed once per file (`compute()` on first use)."""
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]

    @property
    def saved_by_newer(self) -> Any:
        """What says the file was saved by a newer ComfyUI than the catalog (rules.node.saved_by
        SavedBy), or None: computed once per file."""
        found = self._shared.get(SAVED_BY_NEWER, self)
        if found is self:  # (not yet asked)
            from .node.saved_by import saved_by_newer

            loaded = self.loaded
            found = self._shared[SAVED_BY_NEWER] = saved_by_newer(
                self.catalog, self.workflow, loaded.workflow if loaded.format == "ui" else None,
                loaded.path, object_keys=loaded.extra.get(OBJECT_KEYS_KEY)
                if loaded.format == "api" else None)
        return found

    @property
    def workflow(self) -> Any:
        return self.api_workflow if self.api_workflow is not None else self.loaded.workflow

    @property
    def path(self) -> str:
        return self.loaded.path

    def pointer(self, *tokens: object) -> str:
        return self.loaded.base_pointer + make_pointer(*tokens)

    def label(self, node_id: str) -> str:
        """`#6 CLIPTextEncode "Positive"` for messages."""
        try:  # (no KeyError raised for a node's first label: a raise costs more than the rest)
            known = self._labels.get(node_id)
        except TypeError:  # an unhashable id, never a node's
            known = None
        if known is not None:
            return known
        graph: WorkflowGraph | None = self.graph  # (None: the document has no API view)
        described = graph.describe(node_id) if graph is not None else None
        label = node_label(node_id, None) if described is None else node_label(node_id, *described)
        if isinstance(node_id, str):
            self._labels[node_id] = label
        return label

    def report(self, message: str, *, node_id: str | None = None, input: str | None = None,
               pointer: str | None = None, help: str | None = None, fix: Fix | None = None,
               severity: Severity | None = None, server_error_type: Any = ...,
               line: int | None = None, column: int | None = None,
               catalog_dated: bool | None = None) -> Diagnostic:
        rule = self.rule
        assert rule is not None, "report() is called while a rule runs"
        level = severity if severity is not None else rule.severity
        graph: WorkflowGraph | None = self.graph  # (None: the document has no API view)
        class_type = title = None
        if node_id is not None and graph is not None:
            described = graph.describe(node_id)
            if described is not None:
                class_type, title = described
                if rule.server_node_check and level == ERROR \
                        and node_id not in graph.validated:
                    level = WARNING
                    message += skipped_reason(graph, node_id)
        dated = rule.grows_with_comfyui if catalog_dated is None else catalog_dated
        if dated and catalog_dated is None and rule.vouched_fact is not None:
            dated = not self.catalog.vouches_for(class_type, input, rule.vouched_fact)
        if dated and level == ERROR and self.catalog.bundled:
            level = WARNING
            message += DATED_NOTE.format(source=self.catalog.source)
        if pointer is None and node_id is not None:
            loaded = self.loaded
            pointer = loaded.overridden.get((node_id, input)) if input and loaded.overridden \
                else None
            if pointer is None:
                pointer = loaded.base_pointer + (make_pointer(node_id, "inputs", input) if input
                                                 else make_pointer(node_id))
        # Rules name the error as the newest servers do; the release in use may call it otherwise.
        error_type = self._server.error_type(
            rule.server_error_type if server_error_type is ... else server_error_type)
        return Diagnostic(rule.code, rule.name, level, message, self.loaded.path, node_id,
                          class_type, input, pointer, line, column, error_type, help, fix, title)


# Said of a verdict that rests on lists a newer ComfyUI may have grown (the bundled catalog).
DATED_NOTE = (" (by the {source}; a newer server may accept it: check against yours with "
              "--object-info or --snapshot)")


def strip_dated_note(message: str) -> str:
    """A finding's message without the bundled catalog's caveat (when quoted inside another)."""
    head, sep, _ = message.partition(DATED_NOTE.split("{source}")[0])
    return head if sep else message


def skipped_reason(graph: "WorkflowGraph", node_id: str) -> str:
    if graph.reached_only_through_unfollowed_links(node_id):
        return (" (the server does not validate this node: outputs reach it only through an input "
                "marked nonNavigable, whose links it does not follow)")
    if node_id in graph.feeds_output:
        return (" (the server does not validate this node yet: a broken link on the way to an "
                "output stops it first)")
    return " (the server skips this node: it feeds no output node, so it is neither validated nor run)"
