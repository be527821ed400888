"""Custom-node packs from an extension-node-map.json the user provides (never the network)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from comfylint import Catalog, lint
from comfylint.catalog.packs import PackIndex, PackMapError, find_map
from comfylint.catalog.sources import CatalogSources, build_catalog
from comfylint.cli import cli

# Our own small map in the Manager's shape (pack URL -> [names, metadata]).
NODE_MAP = {
    "https://github.com/example/impact-like-pack": [["ImpactSampler", "SharedNode", "ImpactDetailer"],
                                                     {"title_aux": "Impact-like Pack"}],
    "https://github.com/example/other-pack": [["SharedNode", "OtherThing"], {"title_aux": "Other Pack"}],
    "https://github.com/example/pattern-pack": [[], {"title_aux": "Pattern Pack",
                                                     "nodename_pattern": "^PP_"}],
    "https://github.com/example/broken-pattern": [["X"], {"nodename_pattern": "(["}],
    "https://github.com/comfyanonymous/ComfyUI": [["KSampler", "BrandNewCoreNode"],
                                                  {"title_aux": "ComfyUI"}],
}


@pytest.fixture
def node_map(write_json):
    return write_json("extension-node-map.json", NODE_MAP)


def unknown(class_type, **meta):
    node = {"class_type": class_type, "inputs": {}}
    if meta:
        node["_meta"] = meta
    return {"1": node, "2": {"class_type": "ImpactDetailer", "inputs": {}}}


def help_for(workflow, catalog, node_id="1"):
    [diag] = [d for d in lint(workflow, catalog) if d.code == "N201" and d.node_id == node_id]
    return diag.help


def test_lookup_by_name_pattern_and_rank(node_map):
    index = PackIndex.from_file(node_map)
    assert [m.pack.title for m in index.lookup("PP_Resize")] == ["Pattern Pack"]
    assert index.lookup("PP_Resize")[0].by_pattern
    # both packs are listed; the one providing the workflow's other nodes first
    ranked = index.lookup("SharedNode", context={"OtherThing"})
    assert [m.pack.title for m in ranked] == ["Other Pack", "Impact-like Pack"]
    ranked = index.lookup("SharedNode", context={"ImpactDetailer"})
    assert [m.pack.title for m in ranked] == ["Impact-like Pack", "Other Pack"]


def test_n201_names_the_pack(node_map):
    catalog = build_catalog(CatalogSources(extension_node_map=str(node_map)))
    assert "provided by Impact-like Pack <https://github.com/example/impact-like-pack>" in \
        help_for(unknown("ImpactSampler"), catalog)
    shared = help_for(unknown("SharedNode"), catalog)
    assert shared.startswith("2 packs claim it (most likely first): 1. Impact-like Pack")
    assert "no pack in extension-node-map.json provides it" in help_for(unknown("Nope"), catalog)


def test_a_core_node_missing_from_an_older_catalog_is_said_to_be_that(node_map):
    catalog = build_catalog(CatalogSources(extension_node_map=str(node_map)))
    assert "is a core ComfyUI node" in help_for(unknown("BrandNewCoreNode"), catalog)
    # the workflow's own record says so too, without any map
    hint = help_for(unknown("NewerCore", cnr_id="comfy-core", ver="0.3.70"), Catalog.stock())
    assert "core ComfyUI 0.3.70 node" in hint and "ComfyUI 0.26.0)" in hint


def test_a_server_lacking_a_bundled_core_node_is_older(write_json):
    server = Catalog.from_object_info({"PreviewImage": {"input": {"required": {}}, "output": []}})
    assert "core ComfyUI node" in help_for(unknown("KSampler"), server)


def test_registry_ids_recorded_by_the_frontend(write_json):
    hint = help_for(unknown("Foo", cnr_id="comfyui-foo", ver="1.2.0"), Catalog.stock())
    assert "`comfy node install comfyui-foo`" in hint and "1.2.0" in hint
    hint = help_for(unknown("Bar", aux_id="someone/bar-nodes"), Catalog.stock())
    assert "https://github.com/someone/bar-nodes" in hint


def test_map_is_found_only_where_the_user_put_it(tmp_path, monkeypatch, node_map):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("COMFYLINT_EXTENSION_NODE_MAP", raising=False)
    assert find_map() is None
    manager = tmp_path / "ComfyUI" / "custom_nodes" / "ComfyUI-Manager"
    manager.mkdir(parents=True)
    (manager / "extension-node-map.json").write_text(node_map.read_text())
    assert find_map(comfyui_dir=str(tmp_path / "ComfyUI")) == manager / "extension-node-map.json"
    monkeypatch.setenv("COMFYLINT_EXTENSION_NODE_MAP", str(node_map))
    assert find_map() == node_map


def test_bad_map_is_a_usage_error(write_json):
    with pytest.raises(PackMapError, match="expected an object"):
        PackIndex.from_file(write_json("m.json", [1, 2]))
    wf = write_json("wf.json", unknown("Foo"))
    result = CliRunner().invoke(cli, ["check", "--extension-node-map", str(wf.parent / "no.json"),
                                      str(wf)])
    assert result.exit_code == 2 and "cannot read extension node map" in result.output


def test_packs_which_command(node_map):
    result = CliRunner().invoke(cli, ["packs", "which", "SharedNode", "OtherThing",
                                      "--extension-node-map", str(node_map)])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == ("SharedNode: Other Pack "
                                             "<https://github.com/example/other-pack> (by name)")


def test_packs_update_downloads_only_when_asked(tmp_path, monkeypatch, node_map):
    from loopback import Behaviour, serve

    monkeypatch.setenv("COMFYLINT_CACHE_DIR", str(tmp_path / "cache" / "comfylint"))
    with serve(Behaviour(body={"/map.json": node_map.read_bytes()})) as server:
        result = CliRunner().invoke(cli, ["packs", "update", "--url", server.url + "/map.json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cache" / "comfylint" / "extension-node-map.json").is_file()
    assert find_map() == tmp_path / "cache" / "comfylint" / "extension-node-map.json"


@pytest.mark.parametrize("class_type, meant", [
    ("VAEDecod", "VAEDecode"), ("KSamplerAdvnaced", "KSamplerAdvanced"), ("saveimage", "SaveImage"),
    ("SeargePreviewImage", None), ("VHS_LoadVideo", None), ("DualCLIPLoaderGGUF", None),
    ("ImageInvertV2", None), ("Vidu4ImageToVideoNode", None)])  # versions of a node, no typos
def test_did_you_mean_only_for_a_typo_sized_change(class_type, meant):
    [diag] = [d for d in lint(unknown(class_type)) if d.node_id == "1"]
    assert (f"did you mean {meant!r}?" in diag.message) if meant else "did you mean" not in diag.message


def test_no_did_you_mean_for_a_node_whose_pack_is_known(write_json):
    # one edit from core ImageInvert, but the workflow (aux_id) or the map says whose node it is
    def message(workflow, catalog=None):
        return next(d.message for d in lint(workflow, catalog) if d.node_id == "1")

    assert "did you mean 'ImageInvert'" in message(unknown("ImageInvertt"))
    assert "did you mean" not in message(unknown("ImageInvertt", aux_id="someone/pack"))
    node_map = write_json("extension-node-map.json", {
        "https://github.com/example/invert-pack": [["ImageInvertt"], {"title_aux": "Invert Pack"}]})
    catalog = build_catalog(CatalogSources(extension_node_map=str(node_map)))
    assert "did you mean" not in message(unknown("ImageInvertt"), catalog)
