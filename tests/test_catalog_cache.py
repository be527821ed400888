"""The catalog cache (comfylint/catalog/cache.py): same catalog as an uncached read, never a stale
or damaged one, safe with concurrent runs, and off when asked.

The big /object_info here is the bundled core catalog's node definitions replicated under new
class names with free text put back (~3 MB), written to tmp_path; the cache lives in tmp_path too.
Tests of the cache's bookkeeping (stat records, damage, versions, switches), where the size plays
no part, read a small one built the same way from the few core nodes the checks below name.
"""
from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from comfylint import Catalog, lint
from comfylint.catalog import CatalogError
from comfylint.catalog import cache as catalog_cache
from comfylint.catalog.manifest import Manifest
from comfylint.catalog.snapshot import build_snapshot, catalog_from_snapshot, dumps
from comfylint.catalog.sources import CatalogSources, build_catalog

WORKFLOW = {
    "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
    "2": {"class_type": "CLIPTextEncode_pack3", "inputs": {"text": 5, "clip": ["1", 1]}},
    "3": {"class_type": "KSampler", "inputs": {"seed": -1, "steps": 20, "cfg": 8.0, "sampler_name": "eulr",
                                               "scheduler": "normal", "denoise": 1.0, "model": ["1", 0],
                                               "positive": ["2", 0], "negative": ["2", 0],
                                               "latent_image": ["1", 2]}},
    "4": {"class_type": "PreviewAny", "inputs": {"source": ["3", 0]}},
    "5": {"class_type": "NoSuchNode_pack3", "inputs": {}},
}


# The core nodes WORKFLOW and assert_same_catalog name: all the small /object_info holds
NAMED = ("CheckpointLoaderSimple", "CLIPTextEncode", "KSampler", "PreviewAny", "LoadImage")


def server_object_info(copies: int, only: tuple[str, ...] | None = None) -> dict:
    """A server-shaped /object_info: core nodes (`only` these, if given), free text, copies under
    pack names, a model list."""
    core = json.loads(json.dumps(Catalog.stock("0.3.64").definitions()))  # ~3 MB as 6 copies
    if only is not None:
        core = {name: core[name] for name in only}
    core["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0] = ["sd_xl_base_1.0.safetensors"]
    for node in core.values():
        node["description"] = "What this node does, in words a translation may change."
        for spec in node.get("input", {}).get("required", {}).values():
            if isinstance(spec, list) and len(spec) > 1 and isinstance(spec[1], dict):
                spec[1]["tooltip"] = "A tooltip."
    info = {}
    for n in range(copies):
        for name, node in core.items():
            info[name if n == 0 else f"{name}_pack{n}"] = dict(node, python_module=f"custom_nodes.pack{n}")
    return info


@pytest.fixture(scope="module")
def big_info() -> dict:
    return server_object_info(6)


@pytest.fixture(scope="module")
def big_text(big_info) -> str:
    """big_info as its file holds it, encoded once for the module."""
    return json.dumps(big_info)


@pytest.fixture(scope="module")
def small_info() -> dict:
    return server_object_info(6, only=NAMED)


@pytest.fixture(scope="module")
def small_text(small_info) -> str:
    return json.dumps(small_info)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("COMFYLINT_CACHE_DIR", str(tmp_path / "user-cache"))
    monkeypatch.delenv("COMFYLINT_NO_CACHE", raising=False)
    return tmp_path / "user-cache" / "catalogs"


def write_info(path: Path, info: dict | str) -> Path:
    path.write_text(info if isinstance(info, str) else json.dumps(info), encoding="utf-8")
    return path


def entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*.entry"))


def findings(catalog) -> list:
    return [d.to_dict() for d in lint(WORKFLOW, catalog=catalog)]


def assert_same_catalog(cached: Catalog, plain: Catalog) -> None:
    assert list(cached.names()) == list(plain.names()) and len(cached) == len(plain)
    assert cached.output_types == plain.output_types
    assert (cached.custom_validation, cached.release, cached.server_lists) == \
        (plain.custom_validation, plain.release, plain.server_lists)
    for name in ("KSampler", "CheckpointLoaderSimple_pack5", "LoadImage_pack2", "PreviewAny"):
        mine, theirs = cached.get(name), plain.get(name)
        assert mine.inputs.keys() == theirs.inputs.keys()
        for key, spec in theirs.inputs.items():
            assert (mine.inputs[key].type, mine.inputs[key].required) == (spec.type, spec.required)
            assert mine.inputs[key].options == spec.options
        assert (mine.outputs, mine.input_order, mine.python_module, mine.display_name) == \
            (theirs.outputs, theirs.input_order, theirs.python_module, theirs.display_name)
        assert mine.raw == theirs.raw  # the entry keeps each definition as the source has it
    assert findings(cached) == findings(plain) != []


def test_cached_catalog_is_the_uncached_one(tmp_path, cache_dir, big_text):
    path = write_info(tmp_path / "object_info.json", big_text)
    plain = Catalog.from_object_info(path)
    first = catalog_cache.load_object_info(path)
    assert len(entries(cache_dir)) == 1
    again = catalog_cache.load_object_info(path)
    assert first.source == again.source == plain.source == str(path)
    assert_same_catalog(first, plain)
    assert_same_catalog(again, plain)


def test_without_a_cache_the_catalog_is_read_the_same_way_into_memory(tmp_path, cache_dir,
                                                                      big_text):
    path = write_info(tmp_path / "object_info.json", big_text)
    unstored = catalog_cache.load_object_info(path, use_cache=False)
    assert_same_catalog(unstored, Catalog.from_object_info(path))
    assert not cache_dir.exists()


def test_unchanged_file_is_not_even_hashed(tmp_path, cache_dir, small_text, monkeypatch):
    monkeypatch.setattr(catalog_cache, "RACY_SECONDS", 0)  # utime just set ctime to now
    path = write_info(tmp_path / "object_info.json", small_text)
    catalog_cache.load_object_info(path)
    store = catalog_cache.CatalogStore(cache_dir)
    digest = store.recorded_digest(path)
    assert digest is not None and store.read("object_info", digest) is not None


def test_a_file_written_just_now_is_hashed_next_time(tmp_path, cache_dir, small_text):
    path = write_info(tmp_path / "object_info.json", small_text)  # mtime and ctime: now
    catalog_cache.load_object_info(path)
    assert catalog_cache.CatalogStore(cache_dir).recorded_digest(path) is None
    assert len(entries(cache_dir)) == 1


def test_same_size_same_mtime_rewrite_is_seen(tmp_path, cache_dir, small_info, monkeypatch):
    monkeypatch.setattr(catalog_cache, "RACY_SECONDS", 0)  # the stat record is written
    path = write_info(tmp_path / "object_info.json", {**small_info, "Marker": {"output": ["AAAA"]}})
    assert catalog_cache.load_object_info(path).get("Marker").outputs == ["AAAA"]
    assert catalog_cache.CatalogStore(cache_dir).recorded_digest(path) is not None
    stat = path.stat()
    time.sleep(0.05)  # past the kernel's timestamp tick: the rewrite gets a new ctime
    path.write_text(path.read_text(encoding="utf-8").replace('"AAAA"', '"BBBB"'), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, old mtime restored
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert catalog_cache.load_object_info(path).get("Marker").outputs == ["BBBB"]
    assert len(entries(cache_dir)) == 2


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_damaged_entry_is_ignored_and_rewritten(tmp_path, cache_dir, small_text, damage):
    path = write_info(tmp_path / "object_info.json", small_text)
    expected = findings(catalog_cache.load_object_info(path))
    [entry] = entries(cache_dir)
    whole = entry.read_bytes()
    damaged = {"truncate": whole[: len(whole) // 2], "empty": b"",
               "flip": whole[:-100] + bytes([whole[-100] ^ 0x01]) + whole[-99:],
               "garbage": b"COMFYLINT-CATALOG 1 00000000\n{]\n" + os.urandom(64)}[damage]
    entry.write_bytes(damaged)
    assert findings(catalog_cache.load_object_info(path)) == expected
    assert entry.read_bytes() == whole


def test_entry_from_another_comfylint_version_is_not_used(tmp_path, cache_dir, small_text, monkeypatch):
    path = write_info(tmp_path / "object_info.json", small_text)
    catalog_cache.load_object_info(path)
    monkeypatch.setattr(catalog_cache, "__version__", "999.0")
    catalog_cache.load_object_info(path)
    assert len(entries(cache_dir)) == 2


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="chown needs root")
def test_entry_owned_by_someone_else_is_not_read(tmp_path, cache_dir, small_text):
    path = write_info(tmp_path / "object_info.json", small_text)
    catalog_cache.load_object_info(path)
    [entry] = entries(cache_dir)
    os.chown(entry, 4242, -1)
    store = catalog_cache.CatalogStore(cache_dir)
    assert store.read("object_info", store.recorded_digest(path)) is None


def test_turned_off_by_environment_or_argument(tmp_path, cache_dir, small_text, monkeypatch):
    path = write_info(tmp_path / "object_info.json", small_text)
    catalog_cache.load_object_info(path, use_cache=False)
    build_catalog(CatalogSources(object_info=str(path), cache=False))
    monkeypatch.setenv("COMFYLINT_NO_CACHE", "1")
    catalog_cache.load_object_info(path)
    assert not cache_dir.exists()


def test_cli_no_cache_flag_leaves_the_catalog_cache_alone(tmp_path, cache_dir, small_text,
                                                         monkeypatch):
    from click.testing import CliRunner

    from comfylint.cli import cli

    monkeypatch.chdir(tmp_path)  # the results cache of the cached run goes here
    path = write_info(tmp_path / "object_info.json", small_text)
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps(WORKFLOW), encoding="utf-8")
    args = ["check", "--isolated", "--object-info", str(path), str(workflow), "--output-format", "json"]
    uncached = CliRunner().invoke(cli, ["check", "--no-cache", *args[1:]])
    assert uncached.exit_code == 1 and not cache_dir.exists()
    cached = CliRunner().invoke(cli, args)
    assert cached.exit_code == 1 and len(entries(cache_dir)) == 1
    assert json.loads(cached.output)["diagnostics"] == json.loads(uncached.output)["diagnostics"]


@pytest.mark.parametrize("text,message", [
    ("{not json", "is not valid JSON"),
    ("[1, 2]", "is not /object_info data"),
    ("{}", "is not /object_info data"),
    ('{"A": 1}', "entries need 'input' and 'output'"),
    ('{"A": {"output": []}} trailing', "is not valid JSON"),
])
def test_bad_object_info_gets_the_uncached_verdict_and_no_entry(tmp_path, cache_dir, text, message):
    path = tmp_path / "object_info.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=message) as cached_error:
        catalog_cache.load_object_info(path)
    with pytest.raises(CatalogError) as plain_error:
        Catalog.from_object_info(path)
    assert str(cached_error.value) == str(plain_error.value)
    assert entries(cache_dir) == []


def test_repeated_class_name_keeps_json_semantics(tmp_path, cache_dir):
    path = tmp_path / "object_info.json"
    path.write_text('{"A": {"output": ["X"]}, "B": {"output": []}, "A": {"output": ["Y"]}}')
    catalog = catalog_cache.load_object_info(path)
    assert list(catalog.names()) == ["A", "B"] and catalog.get("A").outputs == ["Y"]


def test_top_level_items_match_json_loads():
    for text in ['{}', ' { "a" : [1, {"b": null}] , "c":"\\u00e9\\"" }\n', '{"a":1,"a":2}']:
        items = list(catalog_cache._top_level_items(text))
        assert {key: value for key, value, _start, _end in items} == json.loads(text)
        # each value's own text, which the entry keeps, decodes to the value
        assert all(json.loads(text[start:end]) == value for _key, value, start, end in items)
    for text in ['{"a":1,}', '{"a" 1}', '{"a":1} x', '{"a":1']:
        with pytest.raises(ValueError):
            list(catalog_cache._top_level_items(text))


def test_snapshot_is_cached_too(tmp_path, cache_dir, big_info):
    manifest = Manifest(models={"checkpoints": ["sd_xl_base_1.0.safetensors"]}, input_files=["a.png"],
                        embeddings=[], source="test")
    document = build_snapshot(big_info, manifest, comfyui_version="0.3.64", captured_at="2025-01-01T00:00:00Z")
    path = tmp_path / "comfyui.snapshot.json"
    path.write_text(dumps(document), encoding="utf-8")
    plain = catalog_from_snapshot(json.loads(path.read_text()), source=str(path))
    for _ in range(2):
        via_sources = build_catalog(CatalogSources(snapshot=str(path)))
        assert_same_catalog(via_sources, plain)
        assert via_sources.manifest.models == plain.manifest.models
        assert via_sources.manifest.input_files == ["a.png"] and via_sources.comfyui_version == "0.3.64"
    assert len(entries(cache_dir)) == 1
    bad = tmp_path / "broken.snapshot.json"
    bad.write_text('{"comfylint_snapshot": 1, "nodes": ', encoding="utf-8")
    with pytest.raises(CatalogError, match="is not valid JSON"):
        catalog_cache.load_snapshot(bad)


def _load_in_worker(path: str) -> list:
    return findings(catalog_cache.load_object_info(path))


def test_concurrent_runs_build_one_good_entry(tmp_path, cache_dir, big_text):
    path = write_info(tmp_path / "object_info.json", big_text)
    with ProcessPoolExecutor(4) as pool:
        results = list(pool.map(_load_in_worker, [str(path)] * 8))
    assert all(result == results[0] for result in results)
    assert len(entries(cache_dir)) == 1 and not list(cache_dir.glob(".*.tmp"))
    assert findings(catalog_cache.load_object_info(path)) == results[0]


def test_old_entries_are_pruned(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setattr(catalog_cache, "KEEP_ENTRIES", 3)
    for n in range(5):
        path = write_info(tmp_path / f"info{n}.json", {f"Node{n}": {"input": {}, "output": ["X"]}})
        catalog_cache.load_object_info(path)
    assert len(entries(cache_dir)) == 3
    assert catalog_cache.load_object_info(tmp_path / "info4.json").get("Node4").outputs == ["X"]
