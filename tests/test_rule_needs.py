"""Skipping a rule whose precondition a document does not meet (Rule.needs, rules/needs.py) never
loses a finding: every document's findings are the same as when every rule runs.

Over generated workflows (links anywhere, mutations of a real one, literals of every kind the
value rules judge, random nodes), the rule examples with their catalogs, and the shipped
examples; on the bundled catalog, a server's, and one that knows the server's files.
"""
from __future__ import annotations

import functools
from collections import Counter
from contextlib import contextmanager
from unittest import mock

import pytest
import test_fast_paths
import test_properties
import test_rules_folders
from hypothesis import example, given
from hypothesis import strategies as st

from comfylint import lint_file
from comfylint.api import lint
from comfylint.rules import all_rules
from comfylint.rules.needs import NEEDS
from conftest import ROOT

SETTINGS = test_properties.SETTINGS
FOX = test_properties.FOX
CATALOGS = {"bundled": test_properties.BUNDLED, "server": test_properties.SERVER,
            # a server's catalog with a manifest of its files: the model rules judge presence
            "with files": test_rules_folders._catalog("M401-model-not-found")}


@contextmanager
def every_rule_runs():
    """Every precondition met: each rule runs on every document it applies to (the reference)."""
    with mock.patch.dict(NEEDS, {name: lambda ctx, arguments: True for name in NEEDS}):
        yield


def findings(run) -> list[dict]:
    return [d.to_dict() for d in run()]


def assert_nothing_lost(run) -> None:
    skipping = findings(run)
    with every_rule_runs():
        assert skipping == findings(run)


CYCLE_BESIDE_AN_OUTPUT = {  # every node has a consumer or is an output: only the cycle is dead
    "1": {"class_type": "ImageInvert", "inputs": {"image": ["2", 0]}},
    "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
    "3": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1,
                                                 "color": 0}},
    "4": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": "x"}}}


@SETTINGS
@given(test_fast_paths.workflows(), st.sampled_from(sorted(CATALOGS)))
@example(CYCLE_BESIDE_AN_OUTPUT, "bundled")
def test_workflows_with_links_anywhere(workflow, catalog):
    assert_nothing_lost(lambda: lint(workflow, CATALOGS[catalog]))


@SETTINGS
@given(st.lists(test_properties.mutation, min_size=1, max_size=5),
       st.sampled_from(["16", ["16"], [], "1", None]), st.sampled_from(sorted(CATALOGS)))
def test_mutations_of_a_real_workflow(steps, targets, catalog):
    broken = test_properties.mutate(FOX, steps)
    document = broken if targets is None else {"prompt": broken,
                                                "partial_execution_targets": targets}
    assert_nothing_lost(lambda: lint(document, CATALOGS[catalog]))


@SETTINGS
@given(test_fast_paths.kinds_nodes, st.sampled_from(["kinds", "kinds as 0.26.0"]))
def test_literals_of_every_kind(nodes, catalog_name):
    catalog = test_fast_paths.KINDS if catalog_name == "kinds" \
        else test_fast_paths.KINDS.for_version("0.26.0")
    assert_nothing_lost(lambda: lint(nodes, catalog))


file_names = st.sampled_from([
    "a.safetensors", "m.safetensors", "sub/a.safetensors", "sub\\a.safetensors", "C:/a.safetensors",
    "c:\\m\\a.ckpt", "/models/a.ckpt", "~/a.ckpt", "~x.ckpt", "\\\\host\\a.ckpt", "x.png",
    "y.png [output]", "C:/x.png", "~/x.png", "/tmp/x.png", "in\\x.png", "", 3, None])
file_nodes = st.dictionaries(
    st.sampled_from(["1", "2", "3"]),
    st.sampled_from([("CheckpointLoaderSimple", "ckpt_name"), ("LoadImage", "image"),
                     ("Kinds", "model")]).flatmap(functools.cache(lambda kind: st.fixed_dictionaries({
                         "class_type": st.just(kind[0]),
                         "inputs": st.fixed_dictionaries({kind[1]: file_names})}))),  # made once each
    max_size=3)


@SETTINGS
@given(file_nodes, st.sampled_from(["kinds", "bundled"]))
def test_server_files_named_every_way(nodes, catalog_name):
    catalog = test_fast_paths.KINDS if catalog_name == "kinds" else test_properties.BUNDLED
    assert_nothing_lost(lambda: lint(nodes, catalog))


@SETTINGS
@given(st.dictionaries(st.sampled_from(["1", "2", "3", "16"]), test_properties.json_values,
                       max_size=4), st.sampled_from(sorted(CATALOGS)))
def test_random_nodes_in_a_real_workflow(nodes, catalog):
    assert_nothing_lost(lambda: lint(dict(FOX, **nodes), CATALOGS[catalog]))


@SETTINGS
@given(test_properties.json_values)
def test_random_documents(value):
    assert_nothing_lost(lambda: lint(value))
    assert_nothing_lost(lambda: lint({"prompt": value, "prompt_id": "X"},
                                     envelope="comfyui-prompt"))


EXAMPLES = [(folder, path) for kind in ("bad", "good")
            for folder, path in test_rules_folders._examples(kind)]
SHIPPED = sorted(p for p in (ROOT / "examples").rglob("*") if p.suffix in (".json", ".png"))


@pytest.mark.parametrize("folder,path", EXAMPLES, ids=lambda v: getattr(v, "name", v))
def test_rule_examples(folder, path):
    catalog = test_rules_folders._catalog(folder)
    assert_nothing_lost(lambda: lint_file(path, catalog))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_examples(path):
    for catalog in CATALOGS.values():
        assert_nothing_lost(lambda catalog=catalog: lint_file(path, catalog))


def test_every_precondition_is_unmet_somewhere_and_met_where_its_rule_reports():
    """The property above is not vacuous: on the rule examples every rule that declares a
    precondition is skipped somewhere, and its precondition holds on its own bad examples."""
    unmet: Counter = Counter()
    met: Counter = Counter()

    def counting(name, test):
        def counted(ctx, arguments):
            answer = test(ctx, arguments)
            (met if answer else unmet)[(name, *arguments)] += 1
            return answer
        return counted

    with mock.patch.dict(NEEDS, {name: counting(name, test) for name, test in NEEDS.items()}):
        for folder, path in EXAMPLES:
            lint_file(path, test_rules_folders._catalog(folder))
    for rule in all_rules():
        if rule.needs:
            assert unmet[rule.needs] > 0, f"{rule.code}: its precondition never failed"
            assert met[rule.needs] > 0, f"{rule.code}: its precondition never held"
    assert set(NEEDS) == {rule.needs[0] for rule in all_rules() if rule.needs}, \
        "a precondition no rule declares"

