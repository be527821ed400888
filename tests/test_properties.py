"""No input makes comfylint raise: random JSON, mutated workflows, hostile bytes, garbage files.

Hypothesis runs derandomized with bounded examples, so the suite stays fast and every run tests the
same inputs. "Never raises" also means no rule crashes (C002 is a finding only for real bugs).
"""
from __future__ import annotations

import copy
import json
import math
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ci_support import comfylint
from comfylint import Catalog, lint
from comfylint.diagnostics import Diagnostic
from comfylint.engine import Options, lint_document
from comfylint.load import load_bytes

FIXTURES = Path(__file__).parent / "fixtures"
FOX = json.loads((FIXTURES / "fox.api.json").read_text())
SERVER = Catalog.from_object_info(FIXTURES / "object_info.small.json")
BUNDLED = Catalog.stock()

SETTINGS = settings(max_examples=100)  # on conftest's profile

scalars = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(["1", "2", "10", "16", "KSampler", "IMAGE", "*", "__value__"]))
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.sampled_from(["prompt", "class_type", "inputs",
                                                              "workflow", "input", "nodes",
                                                              "links", "_meta"]),
                      children, max_size=4),
    max_leaves=25)


def assert_clean(found: list[Diagnostic]) -> None:
    assert all(isinstance(d, Diagnostic) for d in found)
    crashes = [d.message for d in found if d.code == "C002"]
    assert not crashes, crashes
    for diag in found:
        json.dumps(diag.to_dict(), allow_nan=True)  # the output contract stays serialisable


def lint_bytes(data: bytes, catalog: Catalog = BUNDLED, envelope: str = "auto"):
    loaded = load_bytes(data, "fuzz.json", envelope=envelope)
    return lint_document(loaded, catalog, Options(envelope=envelope)).diagnostics


@SETTINGS
@given(json_values)
def test_random_json_values(value):
    assert_clean(lint(value))
    assert_clean(lint({"prompt": value}, envelope="comfyui-prompt"))
    assert_clean(lint({"input": {"workflow": value, "images": value}}))


@SETTINGS
@given(st.dictionaries(st.sampled_from(["1", "2", "3", "16"]), json_values, max_size=4))
def test_random_nodes_in_a_graph(nodes):
    assert_clean(lint(nodes, SERVER))
    assert_clean(lint(dict(FOX, **nodes)))


mutation = st.tuples(
    st.sampled_from(sorted(FOX)),
    st.sampled_from(["drop-node", "drop-key", "swap-type", "random-link", "set-input",
                     "drop-inputs"]),
    st.sampled_from(["class_type", "inputs", "_meta", "seed", "steps", "images", "clip", "vae",
                     "text", "ckpt_name", "samples"]),
    json_values,
    st.sampled_from(sorted(FOX) + ["99", ""]),
    st.integers(min_value=-3, max_value=5) | st.sampled_from([True, "0", 1.5, None]))


def mutate(workflow: dict, steps) -> dict:
    result = copy.deepcopy(workflow)
    for node_id, kind, key, value, source, slot in steps:
        node = result.get(node_id)
        if not isinstance(node, dict):
            continue
        inputs = node.get("inputs") if isinstance(node.get("inputs"), dict) else None
        if kind == "drop-node":
            result.pop(node_id, None)
        elif kind == "drop-key":
            node.pop(key, None)
            if inputs is not None:
                inputs.pop(key, None)
        elif kind == "swap-type":
            node[key] = value
        elif kind == "random-link" and inputs is not None:
            inputs[key] = [source, slot]
        elif kind == "set-input" and inputs is not None:
            inputs[key] = value
        elif kind == "drop-inputs":
            node.pop("inputs", None)
    return result


@SETTINGS
@given(st.lists(mutation, min_size=1, max_size=5), st.sampled_from(["16", ["16"], [], "1", 5]))
def test_mutated_valid_workflows(steps, targets):
    broken = mutate(FOX, steps)
    assert_clean(lint(broken))
    assert_clean(lint(broken, SERVER))
    assert_clean(lint({"prompt": broken, "partial_execution_targets": targets}, SERVER))
    assert_clean(lint({"workflow": broken, "inputs": {"14": {"seed": 1}, "99": {}}}))


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes(data):
    assert_clean(lint_bytes(data))
    assert_clean(lint_bytes(data, SERVER, envelope="comfyui-prompt"))


@SETTINGS
@given(st.binary(max_size=40), st.integers(min_value=0, max_value=1200))
def test_corrupted_workflow_text(noise, position):
    text = json.dumps(FOX, indent=1).encode()
    cut = min(position, len(text))
    assert_clean(lint_bytes(text[:cut] + noise + text[cut:]))


def test_deep_nesting():
    for depth in (1_000, 10_000, 100_000):
        assert_clean(lint_bytes(b"[" * depth + b"]" * depth))
        assert_clean(lint_bytes(b'{"a":' * depth + b"1" + b"}" * depth))
        assert_clean(lint_bytes(b'{"prompt": ' + b"[" * depth + b"]" * depth + b"}"))
    nested: list = []
    for _ in range(10_000):
        nested = [nested]
    assert_clean(lint({"1": {"class_type": "ImageInvert", "inputs": {"image": nested}}}))


def test_huge_numbers_and_non_finite_values():
    huge = b'{"14": {"class_type": "KSampler", "inputs": {"seed": 1' + b"0" * 5000 + b"}}}"
    assert_clean(lint_bytes(huge))
    for value in (2**200, -2**200, math.nan, math.inf, -math.inf, 1e308):
        workflow = copy.deepcopy(FOX)
        for name in ("seed", "steps", "cfg", "denoise"):
            workflow["14"]["inputs"][name] = value
        assert_clean(lint(workflow))
    assert_clean(lint_bytes(b'{"1": {"class_type": "EmptyImage", "inputs": {"width": NaN, '
                            b'"height": Infinity, "batch_size": -Infinity, "color": 0}}}'))


def test_non_string_things_in_envelopes():
    odd = [{1: 2}, {(1, 2): "x"}, {None: []}, {True: {}}, {1.5: {"class_type": "X"}}]
    for value in odd:
        assert_clean(lint(value))
        assert_clean(lint({"prompt": value, "partial_execution_targets": value}))
        assert_clean(lint({"workflow_id": value, "prompt": FOX, "files": value,
                           "webhook": value, "accelerator": value}))
        assert_clean(lint({"workflow": FOX, "inputs": value}))
        assert_clean(lint({"input": {"workflow": FOX, "images": [value]}}))
    assert_clean(lint({"1": {"class_type": "EmptyImage", "inputs": {"width": {1, 2}}}}))
    looped: dict = {}
    looped["self"] = looped
    assert_clean(lint(looped))


def test_cli_on_garbage_files_exits_cleanly(tmp_path):
    """Walked and named, garbage files end in a report and exit code 0, 1 or 2, never a traceback."""
    rng = random.Random(2024)
    blobs = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))) for _ in range(6)]
    blobs += [b"", b"\xef\xbb\xbf", b"{", b'{"prompt": {"1": 5}}', b"[" * 20_000, b"\x00" * 64]
    named = []
    for index, data in enumerate(blobs):
        for suffix, header in ((".json", b""), (".png", b"\x89PNG\r\n\x1a\n"),
                               (".webp", b"RIFF\x00\x00\x00\x00WEBP")):
            path = tmp_path / f"garbage{index}{suffix}"
            path.write_bytes(header + data)
            named.append(str(path))
    for args in ([str(tmp_path)], named, named + ["--output-format", "json"]):
        done = comfylint("check", *args)
        assert done.returncode in (0, 1, 2), done.stderr
        assert "Traceback" not in done.stderr + done.stdout
