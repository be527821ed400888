"""The fast paths give the findings the slower reference paths gave (hypothesis, derandomized).

- The graph's plain passes over the link lists (comfylint/graph.py: what feeds an output, is there
  a cycle, how deep validation goes) against the networkx algorithms they replace, and a whole
  lint with a reference graph that uses networkx everywhere.
- A document given as a dict is read as it is when it is plain JSON (load.plain_json_strings),
  else through the JSON round trip: both give the same findings, and the caller's object is
  never modified.
- Findings are located by finding just their pointers in the text (load.positions.
  locate_pointers), as the full PositionIndex locates them.
- "Did you mean" (diagnostics.close_matches) answers as difflib.get_close_matches, a typo's
  correction (diagnostics.typo_correction over a TypoIndex) as comparing every name; JSON
  pointers are escaped only when a token needs it (load.positions.pointer).
- What the graph build gathers for the rules (unknown nodes, nodes without inputs, nodes that
  may lack a required input or hold an undeclared one, the links a link rule may report, every
  literal string that may be a path, the adjacency lists, the sources of followed links)
  is what walking every node, input and edge again finds.
- The value rules' worklists (comfylint.literals: one pass, a plan per input) hold exactly the
  literals each rule's own test over every literal picked.
- explain() reads a listing's names grouped by spelling (rules.models.server_files.Spellings,
  kept per listing) as comparing the value with every name gave.
- A catalog's kept answers (typo corrections on its TypoIndex, explanations on a listing's
  Spellings) change no finding: a catalog that linted other documents first finds what a new
  one finds.
- A document whose keys never name the suppression key skips the suppression pass
  (engine._may_hold_suppressions): the pass finds nothing there.
- The secret screen (engine.secrets.screen: anchors and key names in the document's strings,
  whatever escapes spell them) lets through every document the walk over all its strings with
  every known format finds a secret in.
"""
from __future__ import annotations

import array
import copy
import functools
import json
import math
import random
import sys
from functools import cached_property
from pathlib import Path
from unittest import mock

import networkx as nx
import pytest
import test_properties
from hypothesis import example, given, settings
from hypothesis import strategies as st

import comfylint.graph
import comfylint.load
from comfylint import Catalog, lint
from comfylint.diagnostics import Severity
from comfylint.graph import WorkflowGraph, natural_key
from comfylint.load.positions import (
    PositionIndex,
    escape_pointer_token,
    locate_pointers,
)

BUNDLED = Catalog.stock()
SETTINGS = settings(max_examples=100)  # on conftest's profile (derandomized, no database)
# Fewer where fewer examples already take every branch of comfylint's code that 100 take: measured
# with coverage.py (branches per test, 20 to 100 examples); more examples only repeat them.
FEW = settings(max_examples=30)  # every branch at 20, 30, 40, 50, 60 and 75 examples too
HALF = settings(max_examples=50)  # every branch at 50, 60 and 75 examples too

# Classes with 0, 1 and 2 IMAGE inputs, two outputs, one the catalog does not know.
NODE_INPUTS = {"EmptyImage": [], "ImageInvert": ["image"], "ImageBlend": ["image1", "image2"],
               "ImageCompositeMasked": ["destination", "source"], "SaveImage": ["images"],
               "PreviewImage": ["images"], "NotInTheCatalog": ["a", "b"]}


# The strategies workflows() draws from, each made once: making a strategy costs ~20 us, as much
# as drawing from it, and a workflow drew from ~50 new ones. The same strategies, so the same
# examples.
CLASS_TYPES = st.sampled_from(sorted(NODE_INPUTS))


@functools.cache
def link_sources(ids: tuple[str, ...]) -> st.SearchStrategy:
    return st.sampled_from([*ids, "99"])


@functools.cache
def links_from(source: str) -> st.SearchStrategy:
    return st.sampled_from([[source, 0], [source, 0], [source, 0], [source, 1], [source],
                            [int(source), 0], [source, "0"], "not a link"])


@st.composite
def workflows(draw, max_nodes: int = 14) -> dict:
    """API workflows whose links go anywhere: parallel edges, self-loops, cycles, dangling ids,
    bad shapes and out-of-range slots included."""
    count = draw(st.integers(min_value=1, max_value=max_nodes))
    ids = [str(i) for i in draw(st.permutations(range(1, count + 1)))]
    workflow = {}
    for node_id in ids:
        class_type = draw(CLASS_TYPES)
        inputs: dict = {}
        for name in NODE_INPUTS[class_type]:
            source = draw(link_sources(tuple(ids)))
            link = draw(links_from(source))
            inputs[name] = list(link) if isinstance(link, list) else link  # each link its own
        if class_type == "SaveImage":
            inputs["filename_prefix"] = "out"
        if class_type == "EmptyImage":
            inputs.update(width=8, height=8, batch_size=1, color=0)
        workflow[node_id] = {"class_type": class_type, "inputs": inputs}
    return workflow


class NetworkxGraph(WorkflowGraph):
    """The analyses as networkx computed them before the plain passes (the reference)."""

    def ancestors(self, starts):
        found = set(starts)
        for node_id in starts:
            found.update(nx.ancestors(self.g, node_id))
        return found

    @cached_property
    def feeds_output(self):
        seen: set[str] = set()
        for output in self.output_nodes:
            if output not in seen:
                seen.add(output)
                seen.update(nx.ancestors(self.g, output))
        return frozenset(seen)

    @cached_property
    def is_acyclic(self):
        return nx.is_directed_acyclic_graph(self.g)

    @cached_property
    def validated(self):
        followed = nx.MultiDiGraph()
        followed.add_nodes_from(self.g)
        followed.add_edges_from((u, v) for u, v, link in self.g.edges(data="link")
                                if link.followed)
        found = set(self.output_nodes)
        for output in self.output_nodes:
            found.update(nx.ancestors(followed, output))
        return frozenset(found)

    @cached_property
    def cycles(self):
        found = []
        for component in nx.strongly_connected_components(self.g):
            if len(component) == 1:
                (node_id,) = component
                if self.g.has_edge(node_id, node_id):
                    found.append([node_id])
                continue
            edges = nx.find_cycle(self.g.subgraph(component), source=min(component, key=natural_key))
            found.append([edge[0] for edge in edges])
        return sorted(found, key=lambda path: natural_key(path[0]))

    def longest_path(self, nodes):
        return nx.dag_longest_path(self.g.subgraph(nodes))


def same_longest_path(graph: WorkflowGraph, reference: NetworkxGraph, nodes) -> bool:
    """The same path; or, where networkx's subgraph view iterates a small node set in hash order
    (fewer than half the graph's nodes), ties may fall either way: the same length."""
    ours, theirs = graph.longest_path(nodes), reference.longest_path(nodes)
    if 2 * len(nodes) < len(graph.node_ids):
        return len(ours) == len(theirs)
    return ours == theirs


@SETTINGS
@given(workflows(), st.sampled_from([None, ["1", "3"], "12", 5]))
@example({"1": {"class_type": "EmptyImage", "inputs": {}},
          "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0]}}}, None)
@example({"1": {"class_type": "EmptyImage", "inputs": {}},
          "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0]}},
          "3": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}, ["3"])
@example({"1": {"class_type": "EmptyImage", "inputs": {}},  # (an edge the server cannot follow)
          "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 1]}}}, None)
def test_passes_answer_as_networkx(workflow, targets):
    graph = WorkflowGraph(workflow, BUNDLED, targets, targets is not None)
    reference = NetworkxGraph(workflow, BUNDLED, targets, targets is not None)
    assert graph.validated == reference.validated
    assert graph.feeds_output == reference.feeds_output
    assert graph.is_acyclic == reference.is_acyclic
    assert graph.cycles == reference.cycles
    for node_id in workflow:
        assert graph.ancestors([node_id]) == reference.ancestors([node_id])
    if graph.is_acyclic:
        assert same_longest_path(graph, reference, set(workflow))
        assert same_longest_path(graph, reference, graph.validated)


@FEW
@given(workflows())
def test_graph_g_is_the_workflow(workflow):
    graph = WorkflowGraph(workflow, BUNDLED)
    assert list(graph.g.nodes) == list(workflow) == graph.node_ids
    assert [(u, v, k) for u, v, k in graph.g.edges(keys=True)] == \
        sorted(((link.source, link.target, link.input) for link in graph.edges),
               key=lambda edge: (list(workflow).index(edge[0])))  # grouped by source, in order
    for node_id, node in workflow.items():
        assert graph.g.nodes[node_id] == {"class_type": node["class_type"], "title": None}


def findings(workflow: dict) -> list[dict]:
    return [d.to_dict() for d in lint(workflow, BUNDLED)]


@settings(max_examples=60)  # every branch at 60 and 75 examples too
@given(workflows())
def test_same_findings_as_the_networkx_graph(workflow):
    assert findings(workflow) == with_networkx_graph(lambda: findings(workflow))


@pytest.mark.parametrize("seed", range(3))
def test_validation_depth_as_networkx_on_deep_graphs(seed):
    """validation-too-deep reports the path networkx's dag_longest_path finds, ties included:
    layers of two nodes, each fed by both nodes of the layer before, in a shuffled file order."""
    chooser = random.Random(seed)
    ids = [str(i) for i in range(1, 2 * 950 + 3)]
    chooser.shuffle(ids)
    source = ids.pop()
    nodes = {source: {"class_type": "EmptyImage",
                      "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}}}
    layer = [source, source]
    for _ in range(950):
        new = [ids.pop(), ids.pop()]
        for node_id in new:
            first, second = chooser.sample(layer, 2)
            nodes[node_id] = {"class_type": "ImageBlend", "inputs": {
                "image1": [first, 0], "image2": [second, 0], "blend_factor": 0.5,
                "blend_mode": "normal"}}
        layer = new
    nodes[ids.pop()] = {"class_type": "SaveImage", "inputs": {"images": [chooser.choice(layer), 0],
                                                              "filename_prefix": "deep"}}
    order = list(nodes)
    chooser.shuffle(order)
    workflow = {node_id: nodes[node_id] for node_id in order}
    found = findings(workflow)
    assert "G109" in {d["code"] for d in found}
    assert found == with_networkx_graph(lambda: findings(workflow))


def with_networkx_graph(function):
    """Run a function with the engine building NetworkxGraph instead of WorkflowGraph."""
    with mock.patch.object(comfylint.graph, "WorkflowGraph", NetworkxGraph):
        return function()


# -- documents given as dicts ------------------------------------------------------------------------
FOX = json.loads((Path(__file__).parent / "fixtures" / "fox.api.json").read_text())
# Strings the secret screen reads (the document's strings as JSON escapes them), in any place.
secretish = st.sampled_from(["sk-" + "a" * 24, "api_key", "ſecret", "x1y2z3w4v5u6t7",
                             "\\u0073k-" + "b" * 24, "é", "\x01", "paſſword", "tokén"])
json_values = test_properties.json_values | st.dictionaries(
    secretish, secretish | test_properties.json_values, max_size=3) | st.lists(secretish, max_size=3)
# What json.loads never returns, which the JSON round trip normalizes or rejects.
unusual = st.sampled_from([(1, 2), ("1", 0), {1: "a"}, {None: 1}, {True: 2}, {2.5: 3}, {1, 2},
                           object(), Severity.ERROR, 10 ** 5000, float("nan")])


def lint_as_round_trip(document, catalog=BUNDLED):
    """The reference: every document through json.dumps/json.loads, as before the fast path."""
    with mock.patch.object(comfylint.load, "plain_json_strings", lambda document: None):
        return [d.to_dict() for d in lint(document, catalog)]


def same_findings_unmodified(document) -> None:
    before = copy.deepcopy(document)
    assert [d.to_dict() for d in lint(document, BUNDLED)] == lint_as_round_trip(document)
    assert identical(document, before)  # the caller's object is left as it was


def identical(a, b) -> bool:
    """Equal in type and value, all the way down (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    return a == b or type(a) is object


def plain_strings_reference(document):
    """load.plain_json_strings as first written: a check per value, recursion per container."""
    from comfylint.load import PLAIN_DEPTH, _largest_writable_int

    largest = _largest_writable_int()
    strings: list = []
    keys: list = []

    def plain(value, depth: int) -> bool:
        kind = type(value)
        if kind is dict:
            if any(type(key) is not str for key in value):
                return False
            keys.extend(value)
            return depth <= PLAIN_DEPTH and all(plain(item, depth + 1) for item in value.values())
        if kind is list:
            return depth <= PLAIN_DEPTH and all(plain(item, depth + 1) for item in value)
        if kind is str:
            strings.append(value)
            return True
        if kind is int:
            return largest is None or -largest < value < largest
        return kind is float or kind is bool or value is None

    return (sorted(strings), sorted(keys)) if plain(document, 0) else None


def nested(depth: int, leaf):
    for index in range(depth):
        leaf = [leaf] if index % 2 else {"k": leaf}
    return leaf


@FEW
@given(json_values | unusual | st.lists(json_values | unusual, max_size=3)
       | st.dictionaries(st.text(max_size=3), json_values | unusual, max_size=3),
       st.sampled_from([0, 1, 63, 64, 65, 66]))
def test_plain_strings_as_the_reference(value, depth):
    from comfylint.load import plain_json_strings

    for document in (value, nested(depth, value), {"1": {"inputs": {"a": ["1", 0], "b": value}}}):
        found = plain_json_strings(document)
        reference = plain_strings_reference(document)
        assert (None if found is None else (sorted(found[0]), sorted(found[1]))) == reference


@SETTINGS
@given(json_values)
# A key name only case folding makes secret-like, and an anchor spelt with a \u escape.
@example({"ſecret": "x1y2z3w4v5u6t7"})
@example({"1": {"class_type": "x", "inputs": {"api_key": "\\u0073k-" + "b" * 24}}})
def test_plain_documents_as_the_round_trip(value):
    same_findings_unmodified(value)
    same_findings_unmodified({"prompt": value})


def test_a_lint_leaves_nothing_for_the_cyclic_collector():
    """Everything a lint makes goes when it returns (no reference cycle): a cycle per document
    (the plain walk's recursive closure was one) holds its objects for the collector, whose
    passes a service linting documents back to back then pays for."""
    import gc

    documents = [FOX, {"prompt": FOX}, json.dumps(FOX), {"1": {"class_type": "Nope"}}, {}]
    for document in documents:  # (first uses fill the catalog's and the modules' memos)
        lint(document)
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for document in documents:
            lint(document)
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()


@SETTINGS
@given(st.dictionaries(st.sampled_from(sorted(FOX) + ["99"]), json_values | unusual, max_size=3),
       st.sampled_from(sorted(FOX)), st.sampled_from(["seed", "text", "images", "clip", "_meta"]),
       json_values | unusual)
def test_workflows_with_unusual_values_as_the_round_trip(nodes, node_id, name, value):
    workflow = copy.deepcopy(dict(FOX, **nodes))
    if isinstance(workflow.get(node_id), dict) and isinstance(workflow[node_id].get("inputs"), dict):
        workflow[node_id]["inputs"][name] = value
    same_findings_unmodified(workflow)


# -- positions ----------------------------------------------------------------------------------------
keys = st.sampled_from(["1", "10", "inputs", "a/b", "t~1", "~", "", "é", "x y", "seed"])
documents = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20)


INDENTS = st.sampled_from([None, 1, 2, "\t"])
POINTER_PATHS = st.lists(st.lists(keys | st.sampled_from(["0", "1", "2", "a"]), max_size=4), max_size=6)


@st.composite
def texts_and_pointers(draw):
    """A JSON text (indented or not, a key sometimes repeated) and pointers into it: paths that
    exist, paths that go on past a leaf, and paths that do not exist."""
    document = draw(documents)
    text = json.dumps(document, indent=draw(INDENTS), ensure_ascii=False)
    paths = draw(POINTER_PATHS)
    if isinstance(document, dict) and document and draw(st.booleans()):
        repeated = draw(st.sampled_from(sorted(document)))  # given twice: the first one counts
        text = "{" + json.dumps(repeated) + ': [1, {"a": 2}], ' + text[1:]
        paths += [[repeated], [repeated, "1", "a"], [repeated, "0"], [repeated, "a"]]
    return text, ["".join("/" + escape_pointer_token(token) for token in path) for path in paths]


@FEW
@given(texts_and_pointers())
def test_locating_a_few_pointers_as_the_full_index(case):
    text, pointers = case
    index = PositionIndex(text)
    assert locate_pointers(text, pointers) == {p: index.locate(p) for p in pointers}


def test_the_secret_walk_skips_only_strings_no_credential_fits():
    """engine.secrets skips strings shorter than MIN_NAMED_SECRET_LENGTH: every known format's
    shortest match must be longer (a new, shorter format must lower the bound)."""
    from re import _parser  # the regex parser's own width computation

    from comfylint.engine.secrets import KNOWN_FORMATS, MIN_NAMED_SECRET_LENGTH

    for kind, _rare, _anchor, pattern in KNOWN_FORMATS:
        shortest, _longest = _parser.parse(pattern.pattern).getwidth()
        assert shortest >= MIN_NAMED_SECRET_LENGTH, kind


# -- the secret screen ----------------------------------------------------------------------------------
# Keys and values the screen must not miss: credentials, names only case folding makes secret-like
# (IGNORECASE's non-ASCII letters), anchors next to non-ASCII text, and near misses.
secret_keys = st.sampled_from(["api_key", "ſecret", "apİ_KEY", "toKen", "hf_token", "passwd", "x",
                               "prompt", "é", "sk-" + "k" * 24, "inputs", "1"])
secret_values = st.sampled_from([
    "sk-" + "a" * 24, "hf_" + "b" * 32, "ghp_" + "c" * 36, "AKIA" + "D" * 16, "x1y2z3w4v5u6t7",
    "é sk-" + "e" * 24, "\\u0073k-" + "f" * 24, "Bearer " + "g" * 24, "changeme",
    "12345678-1234-1234-1234-123456789012:" + "0" * 32, "a prompt of some length", "ſk-" + "h" * 24,
    "eyJ" + "i" * 12 + ".eyJ" + "j" * 12 + "." + "k" * 12, "短い", "-----BEGIN PRIVATE KEY-----\nabc"])
secret_documents = st.recursive(
    secret_values | st.integers(0, 3) | st.none(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(secret_keys, children, max_size=3),
    max_leaves=12)


def every_secret(document) -> tuple:
    """The reference: every string walked, every known format looked for (no screen)."""
    from comfylint.engine.secrets import ALL_FORMATS, Secret, secrets_in_value, walk_strings

    return tuple(Secret(tokens, key, kind, secret)
                 for tokens, key, value, is_key in walk_strings(document)
                 for kind, secret in secrets_in_value("" if is_key else key, value, ALL_FORMATS))


@SETTINGS
@given(secret_documents, st.sampled_from(["dict", "escaped", "literal"]))
@example({"ſecret": "x1y2z3w4v5u6t7"}, "literal")
@example({"1": {"inputs": {"k": "\u0073k-" + "b" * 24}}}, "dict")
def test_the_secret_screen_misses_no_secret(document, given_as):
    from comfylint.engine.secrets import document_secrets
    from comfylint.load import load_bytes, load_document

    if given_as == "dict":
        loaded = load_document(document)
    else:  # JSON text: non-ASCII characters as \u escapes, or as they are
        text = json.dumps(document, ensure_ascii=given_as == "escaped")
        loaded = load_bytes(text.encode("utf-8"), "doc.json")
    assert document_secrets(loaded) == every_secret(document)


@SETTINGS
@given(st.lists(secret_documents, min_size=1, max_size=3), st.sampled_from(["dict", "literal"]))
@example([{"api": 1}, {"api": "sk-" + "a" * 24}], "dict")  # a clean key, then a secret under it
def test_the_screen_s_memo_of_clean_names_hides_no_secret(documents, given_as):
    """The screen leaves out keys known to be clean (engine.secrets.CLEAN_NAMES): with the memo
    empty, and holding every earlier document's keys, each document's secrets are the same."""
    from comfylint.engine import secrets
    from comfylint.load import load_bytes, load_document

    def loaded(document):
        if given_as == "dict":
            return load_document(document)
        return load_bytes(json.dumps(document, ensure_ascii=False).encode("utf-8"), "doc.json")

    with mock.patch.object(secrets, "CLEAN_NAMES", set()):
        for _ in range(2):  # (cold, then warm)
            for document in documents:
                assert secrets.document_secrets(loaded(document)) == every_secret(document)


def test_ignorecase_ascii_lists_every_letter_ignorecase_matches_with_ascii():
    """names_present folds these before its substring tests; re's IGNORECASE matches exactly
    these non-ASCII characters with ASCII letters (Python's case tables)."""
    import re

    from comfylint.engine.secrets import IGNORECASE_ASCII

    # Every code point past ASCII but the surrogates, decoded from UTF-32 (a fifth of the CPU of
    # joining 1.1 million chr()s)
    codes = array.array("I", range(128, 0xD800))
    codes.extend(range(0xE000, 0x110000))
    everything = codes.tobytes().decode(f"utf-32-{sys.byteorder[0]}e")
    found = re.findall("[a-z]", everything, re.IGNORECASE)
    assert sorted(found) == sorted(chr(c) for c in IGNORECASE_ASCII)
    for character in found:  # ... each with the letter it is folded into
        assert re.fullmatch(IGNORECASE_ASCII[ord(character)], character, re.IGNORECASE)


# -- did you mean, pointers ------------------------------------------------------------------------------
names = st.text(alphabet="abcde_-.A", max_size=9)


@FEW
@given(names, st.lists(names, max_size=7), st.integers(1, 3),
       st.sampled_from([0.0, 0.3, 0.6, 0.75, 1.0]), st.booleans())
def test_close_matches_as_difflib(word, possibilities, n, cutoff, with_word):
    import difflib

    from comfylint.diagnostics import close_matches

    if with_word:
        possibilities = [*possibilities, word]
    assert close_matches(word, possibilities, n, cutoff) == \
        difflib.get_close_matches(word, possibilities, n, cutoff)


@FEW
@given(st.lists(st.sampled_from(["a", "/", "~", "", "1", 3, "x/y", "~1", "é", None]), max_size=4))
def test_pointers_as_escaping_every_token(tokens):
    from comfylint.load.positions import pointer

    assert pointer(*tokens) == "".join("/" + escape_pointer_token(str(t)) for t in tokens)


path_texts = st.text(alphabet="/\\.~:Cf \n\thome", max_size=10) | st.sampled_from([
    "file:///x", "C:\\Users\\me", "c:/x", "\\\\host\\share", "~/x", "~\\x", "/home/me", " /tmp/x",
    "..", " ..", "../x", "a/../..", "./..", "/", "\\"])


@FEW
@given(path_texts)
def test_path_strings_hold_every_string_a_path_rule_reports(value):
    """What the build keeps as may-be-paths (graph.path_strings: a '/' or a '\\', or "..")
    holds every value P502 (an absolute local path) or P503 (out of the output folder) reports."""
    from comfylint.rules.security.p502_absolute_local_path import ABSOLUTE_LOCAL_PATH
    from comfylint.rules.security.p503_path_traversal import escapes_output

    if escapes_output(value) or ABSOLUTE_LOCAL_PATH.match(value.strip()):
        assert "/" in value or "\\" in value or value == ".."


@SETTINGS
@given(st.text(alphabet="ab./\\", max_size=8))
def test_file_stems_as_splitext(name):
    import posixpath

    from comfylint.rules.models.server_files import _stem

    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    assert _stem(name) == posixpath.splitext(base)[0].lower()


# -- the value rules' worklists ---------------------------------------------------------------------------
def _server_catalog() -> Catalog:
    """A server's classes with an input of each kind the value rules judge (core names, so that
    the release's facts apply: file lists, nodes that validate themselves)."""
    def node(required: dict, output=("IMAGE",)) -> dict:
        return {"input": {"required": required}, "output": list(output), "name": "x"}

    return Catalog.from_object_info({
        "Kinds": node({
            "int": ["INT", {"min": 0, "max": 10}], "float": ["FLOAT", {"min": -1.5, "max": 1.5}],
            "bool": ["BOOLEAN", {}], "text": ["STRING", {"max": 3}], "any": ["*", {"min": 1}],
            "low": ["INT", {"min": True}], "combo": [["a", "b", 1, True], {}],
            "v3": ["COMBO", {"options": ["x", "y"]}],
            "multi": ["COMBO", {"options": ["x", "y"], "multiselect": True}],
            "remote": ["COMBO", {"options": [], "remote": {"route": "/x"}}],
            "listed": ["COMBO", {"options": ["x"], "remote_combo": {"route": "/y"}}],
            "odd": [[["a"], "b"], {}], "image": ["IMAGE", {}], "widget": ["WEBCAM", {}],
            "model": [["m.safetensors", "n.ckpt"], {}]}),
        "Dynamic": node({"pick": ["COMFY_DYNAMICCOMBO_V3", {"options": [
            {"key": "k1", "inputs": {"required": {"n": ["INT", {"max": 2}]}}}]}],
            "count": ["INT", {"min": 1}]}),
        "CheckpointLoaderSimple": node({"ckpt_name": [["a.safetensors", "b.ckpt"], {}]},
                                       ("MODEL", "CLIP", "VAE")),
        "LoadImage": node({"image": [["x.png"], {"image_upload": True}]}),
        "KlingCameraControls": node({"pan": ["FLOAT", {"min": -10, "max": 10}],
                                     "zoom": ["FLOAT", {"min": 0}]}),
    }, name="kinds")


KINDS = _server_catalog()
literal_values = st.sampled_from([
    0, 5, 11, -1, 2.5, 20.0, -0.0, float("nan"), float("inf"), True, False, "3", "x", "a", "1e3",
    "abc", "", None, ["a"], ["x", "q"], {"__value__": 12}, {"__value__": "y"}, {"k": 1}, "k1",
    "m.safetensors", "c.ckpt", "x.png", "y.png [output]", 10 ** 5000, 2 ** 64])
kinds_nodes = st.dictionaries(
    st.sampled_from(["1", "2", "3", "4", "5"]),
    st.sampled_from(["Kinds", "Kinds", "Dynamic", "CheckpointLoaderSimple", "LoadImage",
                     "KlingCameraControls"]).flatmap(functools.cache(  # made once per class
        lambda class_type: st.fixed_dictionaries({
            "class_type": st.just(class_type),
            "inputs": st.fixed_dictionaries({}, optional={  # any of its inputs, each any value
                name: literal_values for name in [*KINDS.get(class_type).inputs, "pick.n"]})}))),
    max_size=5)


def reference_checks(graph: WorkflowGraph) -> dict:
    """Each value rule's own test over every literal, as the rules made it before the worklists."""
    from comfylint.catalog.types import CONVERTED_TYPES, ConversionError, convert_value, unwrap_value
    from comfylint.rules.types.t306_value_not_in_list import _is_choice
    from comfylint.catalog.types import lossy_reason

    catalog = graph.catalog
    found: dict = {key: [] for key in ("invalid", "below_min", "above_max", "lossy",
                                       "socket_only", "not_listed", "files")}
    for item in graph.literal_inputs:
        node_id, node_def, name, spec, raw = item
        value = unwrap_value(raw)
        converted, failed = value, False
        if isinstance(spec.type, str) and spec.type in CONVERTED_TYPES:
            try:
                converted = convert_value(spec.type, value)
            except ConversionError as exc:
                found["invalid"].append((node_id, name, spec, raw, str(exc)))
                failed = True
        if not failed and isinstance(converted, (int, float)) and \
                ("min" in spec.options or "max" in spec.options):
            for bound, key, beyond in (("min", "below_min", lambda v, limit: v < limit),
                                       ("max", "above_max", lambda v, limit: v > limit)):
                limit = spec.options.get(bound)
                if isinstance(limit, (int, float)) and beyond(converted, limit) and \
                        not catalog.skips_value_checks(graph.class_type(node_id), name):
                    found[key].append((node_id, name, spec, converted, limit))
        if isinstance(spec.type, str):
            reason = lossy_reason(spec.type, value)
            if reason:
                found["lossy"].append((node_id, name, spec, raw, reason))
        if catalog.is_socket_only(spec):
            found["socket_only"].append(item)
        if spec.dynamic_options:
            found["not_listed"].append(item)
        elif not (spec.choices is None or spec.options.get("remote")
                  or spec.options.get("remote_combo")
                  or catalog.server_list_folder(node_def.name, name) is not None
                  or catalog.skips_value_checks(node_def.name, name)):
            if (spec.options.get("multiselect") and isinstance(value, list)) or \
                    not _is_choice(value, spec.choices):
                found["not_listed"].append(item)
        if not (spec.choices is None or spec.options.get("remote")
                or spec.options.get("multiselect")):
            folder = catalog.server_list_folder(node_def.name, name)
            if folder is not None:
                checked = not spec.is_v3_combo or catalog.release.server.checks_v3_combo_values
                found["files"].append((node_id, node_def.name, name, value, folder, spec.choices,
                                       checked))
    return found


@SETTINGS
@given(kinds_nodes, st.sampled_from(["kinds", "kinds as 0.26.0"]))
@example({"1": {"class_type": "Dynamic", "inputs": {"count": 0, "pick": "k1", "pick.n": 5}},
          "2": {"class_type": "Dynamic", "inputs": {"count": "x", "pick": "k2"}}}, "kinds")
@example({"1": {"class_type": "Kinds", "inputs": {
    "any": 0, "low": False, "odd": ["a"], "listed": "z", "multi": ["x", "q"], "remote": "z", "combo": True,
    "v3": "q", "int": 2.5, "float": float("nan"), "bool": "false", "text": 10 ** 5000,
    "image": 1, "widget": "w", "model": "c.ckpt"}},
    "2": {"class_type": "KlingCameraControls", "inputs": {"pan": 20, "zoom": -1}},
    "3": {"class_type": "LoadImage", "inputs": {"image": {"__value__": "y.png [output]"}}}},
    "kinds as 0.26.0")
def test_literal_worklists_as_each_rule_picked(nodes, catalog_name):
    catalog = KINDS if catalog_name == "kinds" else KINDS.for_version("0.26.0")
    graph = WorkflowGraph(nodes, catalog)
    checks = graph.literal_checks
    assert {key: getattr(checks, key) for key in reference_checks(graph)} == reference_checks(graph)


def test_each_format_s_anchors_hold_what_every_match_must():
    """The screen looks for a format's rare character, then its anchor, before its pattern: both
    must occur in every match (the anchor's literal start, and the character inside it)."""
    from comfylint.engine.secrets import KNOWN_FORMATS

    for kind, rare, anchor, pattern in KNOWN_FORMATS:
        literal = anchor if isinstance(anchor, str) else anchor.pattern.split("(")[0]
        assert rare in literal, kind
        assert literal and literal in pattern.pattern.replace("(?:", ""), kind


# -- what the graph build gathers -----------------------------------------------------------------------
odd_nodes = st.sampled_from(["text", ["class_type"], 7, None, {"inputs": "x"}, {"class_type": None},
                             {"class_type": "SaveImage"}, {"class_type": ["x"], "inputs": {}},
                             {"class_type": "ImageInvert", "inputs": {
                                 "image": {"__value__": "s"}, "extra": "t", "x": [True, 0]}},
                             {"class_type": "SaveImage", "inputs": {
                                 "filename_prefix": "..", "a": "x/y", "b": {"__value__": "..\\"},
                                 "c": "...", "d": True, "e": None}},
                             {"class_type": "Unknown", "inputs": {"p": "C:\\x", "q": ".."}},
                             {"class_type": "CheckpointLoader", "inputs": {}}])  # (deprecated)


def test_links_into_a_class_that_validates_its_own_inputs_have_no_type_to_match():
    """The server checks no link's type into a class whose own validate function takes links
    (release facts: custom_validation, catalog.skips_link_type_check); the build neither: the
    same mismatched link is a mismatch into any other class."""
    assert "TripoConversionNode" in BUNDLED.skips_link_type_check
    graph = WorkflowGraph({
        "1": {"class_type": "EmptyImage", "inputs": {}},
        "2": {"class_type": "TripoConversionNode", "inputs": {"original_model_task_id": ["1", 0]}},
        "3": {"class_type": "VAEDecode", "inputs": {"samples": ["1", 0], "vae": ["1", 0]}}},
        BUNDLED)
    assert [(link.target, link.type_ok) for link in graph.links] == \
        [("2", None), ("3", False), ("3", False)]


@HALF
@given(workflows(), st.dictionaries(st.sampled_from(["1", "2", "50", "51"]), odd_nodes, max_size=3))
def test_what_the_build_gathers_as_walking_again(workflow, odd):
    assert_gathered_as_walking_again(dict(workflow, **odd), BUNDLED)


@HALF
@given(kinds_nodes)
def test_what_the_build_gathers_with_dynamic_inputs(nodes):
    assert_gathered_as_walking_again(nodes, KINDS)


def assert_gathered_as_walking_again(workflow: dict, catalog: Catalog) -> None:
    from comfylint.catalog.types import unwrap_value

    graph = WorkflowGraph(workflow, catalog)
    assert graph.unknown_nodes == [n for n in graph.node_ids if graph.node_def(n) is None]
    known = [(n, graph.node_def(n)) for n in graph.node_ids
             if graph.node_def(n) is not None and isinstance(workflow[n], dict)]
    assert graph.known_nodes() == known
    assert graph.all_output_nodes == [n for n, node_def in known if node_def.is_output_node]
    assert graph.known_classes == {node_def.name for _n, node_def in known}
    assert graph.deprecated_nodes == [n for n, node_def in known if node_def.deprecated]
    assert graph.without_inputs == {n for n, node in workflow.items() if not isinstance(node, dict)
                                    or not isinstance(node.get("inputs"), dict)}
    assert graph.odd_links == [
        link for link in graph.links if link.problem is not None or isinstance(link.slot, bool)
        or (isinstance(link.slot, int) and link.slot < 0) or link.type_ok is False]
    strings = []
    for node_id, node in workflow.items():
        inputs = node.get("inputs") if isinstance(node, dict) else None
        for name, value in (inputs.items() if isinstance(inputs, dict) else ()):
            value = unwrap_value(value)
            if isinstance(value, str) and ("/" in value or "\\" in value or value == ".."):
                class_type = node.get("class_type")
                strings.append((node_id, class_type if isinstance(class_type, str) else "", name,
                                value))
    assert graph.path_strings == strings
    sources: dict = {}
    targets: dict = {}
    for link in graph.edges:
        sources.setdefault(link.target, []).append(link.source)
        targets.setdefault(link.source, []).append(link.target)
    assert (graph._sources_of, graph._targets_of) == (sources, targets)
    followed: dict = {}
    for link in graph.links:
        if link.followed:
            followed.setdefault(link.target, []).append(link.source)
    assert graph._followed_of == followed
    incomplete, undeclared = [], []
    for node_id, _node_def in graph.known_nodes():
        if not isinstance(workflow[node_id].get("inputs"), dict):
            continue
        present = graph.inputs(node_id)
        specs = graph.input_specs(node_id)
        if graph.dynamic_inputs(node_id) is not None or any(
                spec.required and name not in present and not spec.is_opaque_dynamic
                for name, spec in specs.items()):
            incomplete.append(node_id)
        if any(name not in specs for name in present):
            undeclared.append(node_id)
    assert (graph.incomplete_nodes, graph.undeclared_nodes) == (incomplete, undeclared)


# -- suppressions ----------------------------------------------------------------------------------------
suppression_entries = st.sampled_from([{"ignore": ["T304"], "reason": "r"}, {"ignore": "N205"}, "x",
                                       {"ignore": ["NOPE"], "reason": "r"}])


@FEW
@given(st.dictionaries(st.sampled_from(["1", "2"]), st.fixed_dictionaries(
    {"class_type": st.sampled_from(["KSampler", "Nope"]), "inputs": st.just({})},
    optional={"_meta": st.dictionaries(st.sampled_from(["comfylint", "title", "comfylinter"]),
                                       suppression_entries, max_size=2)}), max_size=2),
       st.sampled_from(["dict", "escaped", "literal", "ui"]))
def test_documents_skipping_the_suppression_pass_hold_none(workflow, given_as):
    from comfylint.engine import _may_hold_suppressions
    from comfylint.engine.suppressions import node_suppressions
    from comfylint.load import load_bytes, load_document

    document = workflow
    if given_as == "ui":
        document = {"last_node_id": 2, "links": [], "version": 0.4, "nodes": [
            {"id": int(key), "type": node["class_type"], "properties": node.get("_meta", {})}
            for key, node in workflow.items()]}
    if given_as == "dict":
        loaded = load_document(document)
    else:  # "comfylint" spelt with a \u escape in the escaped text
        text = json.dumps(document, ensure_ascii=False)
        if given_as == "escaped":
            text = text.replace('"comfylint"', '"comfyl\\u0069nt"')
        loaded = load_bytes(text.encode("utf-8"), "doc.json")
    problems: list = []
    if not _may_hold_suppressions(loaded):
        assert node_suppressions(loaded, problems).entries == [] and problems == []


# -- why a model is missing ------------------------------------------------------------------------------
def explain_reference(value: str, installed: list, what: str):
    """server_files.explain as first written: every installed name compared in each test."""
    import difflib

    from comfylint.rules.models.server_files import Explanation, _base, _slash, _stem, show_choices

    same_path = [n for n in installed if _slash(n) == _slash(value)]
    if len(same_path) == 1:
        listed = same_path[0]
        side = ("the workflow uses Windows '\\' separators" if "\\" in value
                else "the server (Windows) lists it with '\\' separators")
        return Explanation(f"{side}: the server lists it as {listed!r}", match=listed)
    same_case = [n for n in installed if _slash(n).lower() == _slash(value).lower()]
    if same_case:
        return Explanation(f"only the letter case differs from {same_case[0]!r} (file names are "
                           "case-sensitive on Linux servers)",
                           match=same_case[0] if len(same_case) == 1 else None)
    same_file = [n for n in installed if _base(n).lower() == _base(value).lower()]
    if same_file:
        where = ("in a subfolder" if "/" not in _slash(value)
                 else "at the top level" if all("/" not in _slash(n) for n in same_file)
                 else "under another subfolder")
        return Explanation(f"the server has it {where}: {show_choices(same_file)} (ComfyUI "
                           "matches the full relative path, not the file name)",
                           match=same_file[0] if len(same_file) == 1 else None)
    if not installed:
        return Explanation(f"the server lists no {what} at all (the list is empty, 'not in []')")
    by_stem: dict = {}
    for name in installed:
        by_stem.setdefault(_stem(name), []).append(name)
    near = difflib.get_close_matches(_stem(value), list(by_stem), n=3, cutoff=0.6)
    close = [full for stem in near for full in by_stem[stem]][:3]
    if close:
        return Explanation(f"closest installed: {show_choices(close)}", suggestion=close[0])
    return Explanation(f"the server has {len(installed)}: {show_choices(sorted(installed))}")


file_names = st.sampled_from(["a.safetensors", "A.safetensors", "sub/a.safetensors",
                              "sub\\a.safetensors", "other/A.ckpt", "a.ckpt", "ab.safetensors",
                              "b.pt", ".hidden", "x/y/z.bin", "Sub/B.PT", "abc.safetensors"])


@SETTINGS
@given(file_names, st.lists(file_names, max_size=6))
def test_explain_as_comparing_every_name(value, installed):
    from comfylint.rules.models.server_files import explain

    assert explain(value, installed, "loras") == explain_reference(value, installed, "loras")
    assert explain(value, installed, "loras") == explain_reference(value, installed, "loras")


def typo_reference(value, candidates):
    """diagnostics.typo_correction as first written: every candidate compared."""
    from comfylint.diagnostics import _versions_apart, edit_distance, typo_reach

    if not isinstance(value, str) or not value:
        return None
    strings = [c for c in candidates if isinstance(c, str)]
    same_case = [c for c in strings if c.lower() == value.lower()]
    if same_case:
        return same_case[0]
    best: list = []
    best_distance = typo_reach(value)
    for candidate in strings:
        if abs(len(candidate) - len(value)) > best_distance:
            continue
        distance = edit_distance(value.lower(), candidate.lower(), best_distance)
        if distance > best_distance:
            continue
        if distance < best_distance or not best:
            best, best_distance = [candidate], distance
        else:
            best.append(candidate)
    if len(best) != 1:
        return None
    return None if _versions_apart(value, best[0]) else best[0]


class_names = st.text(alphabet="abAB1İK", min_size=0, max_size=10)


@SETTINGS
@given(class_names, st.lists(class_names | st.sampled_from([None, 3]), max_size=12))
@example("KSampler", ["KSamplerAdvanced", "KSampIer", "ksampler2", "SamplerCustom"])
def test_typo_corrections_as_comparing_every_name(value, candidates):
    from comfylint.diagnostics import TypoIndex, typo_correction

    expected = typo_reference(value, candidates)
    index = TypoIndex(candidates)
    assert typo_correction(value, index) == expected
    assert typo_correction(value, index) == expected  # (the index's memo answers)
    assert typo_correction(value, candidates) == expected


# -- answers a catalog keeps (typo corrections, explanations of missing files) -----------------------
SMALL_OBJECT_INFO = json.loads((Path(__file__).parent / "fixtures" / "object_info.small.json")
                               .read_text(encoding="utf-8"))
SMALL_OBJECT_INFO["LoadImage"]["input"]["required"]["image"][0] = ["cat.png", "corgi.jpg"]
missing_file_nodes = st.fixed_dictionaries({
    "class_type": st.sampled_from(["CheckpointLoaderSimple", "LoadImage", "CheckpointLoaderSimpel",
                                   "LoadImag", "SaveImagee", "MyPackNode"]),
    "inputs": st.fixed_dictionaries({
        "ckpt_name": st.sampled_from(["dreamshaper_8.safetensors", "dreamshaper_9.safetensors",
                                      "Dreamshaper_8.safetensors", "juggernaut_xl.safetensors",
                                      "sdxl\\juggernaut_xl.safetensors", "x.ckpt"]),
        "image": st.sampled_from(["cat.png", "cats.png", "input/cat.png", "corgi.jpg",
                                  "dogs/corgi.jpg", "Cat.PNG"])})})


@SETTINGS
@given(st.lists(st.dictionaries(st.sampled_from(["1", "2", "3"]), missing_file_nodes, min_size=1,
                                max_size=3), min_size=1, max_size=4))
def test_a_catalog_s_kept_answers_change_no_finding(documents):
    """The same findings from a catalog that answered other documents before (its typo
    corrections and explanations kept) as from a new one (nothing kept)."""
    warm = Catalog.from_object_info(copy.deepcopy(SMALL_OBJECT_INFO))
    for document in documents:
        fresh = Catalog.from_object_info(copy.deepcopy(SMALL_OBJECT_INFO))
        assert [d.to_dict() for d in lint(document, warm)] == \
            [d.to_dict() for d in lint(document, fresh)]


@SETTINGS
@given(st.lists(st.dictionaries(st.sampled_from(["1", "2", "3"]), missing_file_nodes, min_size=1,
                                max_size=3), min_size=1, max_size=4))
def test_what_a_listing_kept_changes_no_finding_with_another_manifest(documents):
    """M401 keeps what it said of a missing name per listing: a copy of a warm catalog given a
    manifest (as catalog.sources makes one) shares its combo lists but not its reasons (the file
    is in another folder), and says what a fresh catalog with that manifest says."""
    from comfylint.catalog.manifest import Manifest

    def with_manifest(catalog):
        catalog = copy.copy(catalog)
        catalog.manifest = Manifest(models={"loras": ["dreamshaper_8.safetensors", "x.ckpt"]})
        return catalog

    warm = Catalog.from_object_info(copy.deepcopy(SMALL_OBJECT_INFO))
    for document in documents:
        lint(document, warm)
        fresh = with_manifest(Catalog.from_object_info(copy.deepcopy(SMALL_OBJECT_INFO)))
        assert [d.to_dict() for d in lint(document, with_manifest(warm))] == \
            [d.to_dict() for d in lint(document, fresh)]


def test_a_missing_file_given_by_an_override_is_found_at_the_override():
    """M401/M402 hand report() the input's pointer they made (for a fix), except where the
    request overrides inputs: a finding on an overridden input points at the override."""
    catalog = Catalog.from_object_info(copy.deepcopy(SMALL_OBJECT_INFO))
    workflow = {"1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "x.ckpt"}},
                "2": {"class_type": "LoadImage", "inputs": {"image": "dog.png"}},
                "3": {"class_type": "LoadImage", "inputs": {"image": "cat.png"}}}
    overrides = {"1": {"ckpt_name": "y.ckpt"}, "3": {"image": "bird.png"}}
    found = {(d.code, d.node_id): d for d in lint({"workflow": workflow, "inputs": overrides},
                                                  catalog) if d.code in ("M401", "M402")}
    assert {key: d.pointer for key, d in found.items()} == {
        ("M401", "1"): "/inputs/1/ckpt_name", ("M402", "2"): "/workflow/2/inputs/image",
        ("M402", "3"): "/inputs/3/image"}


# -- saved by a newer ComfyUI -------------------------------------------------------------------------
metas = st.fixed_dictionaries({}, optional={
    "title": st.just("t"), "cnr_id": st.sampled_from(["comfy-core", "other"]),
    "ver": st.sampled_from(["0.3.10", "0.3.64", "9.0.0", "x"])})


@SETTINGS
@given(st.dictionaries(st.sampled_from(["1", "2", "3"]), st.fixed_dictionaries(
    {"class_type": st.sampled_from(["KSampler", "SaveImage"]), "inputs": st.just({})},
    optional={"_meta": metas}), max_size=3), st.booleans())
def test_files_without_cnr_ids_record_no_node_version(workflow, as_text):
    """Context.saved_by_newer skips the nodes of an API file with no cnr_id key: the answer is
    the one looking at every node gives."""
    from comfylint.engine import Options
    from comfylint.load import load_bytes, load_document
    from comfylint.rules.base import Context
    from comfylint.rules.node.saved_by import saved_by_newer

    catalog = Catalog.stock("0.3.64")
    loaded = load_bytes(json.dumps(workflow).encode(), "wf.json") if as_text \
        else load_document(workflow)
    ctx = Context(loaded=loaded, catalog=catalog, options=Options())
    assert ctx.saved_by_newer == saved_by_newer(catalog, workflow, None, loaded.path)


# -- the server's walk (answer/validation.py) ------------------------------------------------------------
class LinkRecordWalk:
    """The reference: the walk reading each node's links as Link records (graph.links_by_target),
    as it did before it read a readable link's source from its value."""

    @staticmethod
    def patched():
        from comfylint.answer import validation

        def _inputs(self, node_id, inputs):
            graph = self.graph
            links = {link.input: link for link in graph.links_by_target.get(node_id, ())}
            valid, errors = True, []
            specs = graph.input_specs(node_id)
            if graph.node_def(node_id) is None:
                return self._unknown_class(links.values()), errors
            flagged = node_id in self.flagged
            for name, spec in specs.items():
                if name not in inputs:
                    if spec.required and flagged:
                        errors += self._errors(node_id, name, ("required_input_missing",))
                    continue
                value = inputs[name]
                if not isinstance(value, list):
                    if flagged:
                        errors += self._errors(node_id, name, validation.VALUE_TYPES)[:1]
                    continue
                link = links[name]
                if len(value) != 2:
                    if flagged:
                        errors += self._errors(node_id, name, ("bad_linked_input",))
                    continue
                validation._raise_if_unreadable(link, graph)
                mismatch = self._errors(node_id, name, ("return_type_mismatch",)) if flagged else []
                if mismatch:
                    errors += mismatch
                    continue
                try:
                    if not self.validate(link.source):
                        valid = False
                except validation._Raised as exc:
                    valid = False
                    self.validated[link.source] = (False, [validation._inner_exception(
                        name, spec, value, exc)])
            return valid, errors

        return mock.patch.object(validation._Walk, "_inputs", _inputs)


@SETTINGS
@given(workflows(), st.sampled_from(["bundled", "server"]))
def test_the_server_s_walk_as_reading_link_records(workflow, catalog_name):
    from comfylint.api import Validator

    catalog = BUNDLED if catalog_name == "bundled" else test_properties.SERVER
    validator = Validator(catalog, strict=False)
    verdict = validator.validate(workflow)
    with LinkRecordWalk.patched():
        reference = validator.validate(workflow)
    assert (verdict.server, verdict.response) == (reference.server, reference.response)
