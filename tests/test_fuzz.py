"""The fuzz harness: every input ends in findings or a clear error, with exit code 0, 1 or 2:
never a traceback, a crashed rule (C002) or a hang. Six categories: random JSON, mutated workflows,
damaged files, odd paths, odd catalogs and a hostile HTTP server. A small derandomized budget runs
with the suite; tests/fuzzing.py says how to run a long one. What a long run found is kept in
tests/fixtures/fuzz/ and replayed by test_fuzz_regressions.py.
"""
from __future__ import annotations

import json
import os
import stat

from fuzzing import (
    CATALOG_SEEDS,
    FIXTURES,
    INPUTS,
    ODD_NODE_FIELDS,
    PATH_KINDS,
    ROUTES,
    SECRET,
    WORKFLOW_SEEDS,
    assert_clean,
    behaviour,
    catalog_mutations,
    damage,
    damaged,
    dumps,
    fuzz,
    hostile_server,
    json_values,
    load_seed,
    mutate,
    mutation,
    name_text,
    odd_path,
    png_seed,
    run,
    time_limit,
    webp_seed,
)
from hypothesis import given
from hypothesis import strategies as st

from comfylint import Catalog, lint
from comfylint.catalog import CatalogError

OUTPUT_FORMATS = ("full", "concise", "json", "sarif", "github", "junit", "gitlab")
CHECK_OPTIONS = st.sampled_from([
    [], ["--fix"], ["--diff"], ["--fix", "--unsafe-fixes"], ["--select", "P501,T306,U003"],
    ["--ignore", "P501"], ["--require-format", "api"], ["--envelope", "runpod"],
    ["--envelope", "comfyui-prompt"], ["--statistics"], ["--fail-on", "info"], ["--no-cache"]])
SERVER = Catalog.from_object_info(FIXTURES / "object_info.small.json")


def check_file(category: str, folder, data: bytes, fmt: str, options: list, name: str = "fuzz.json"):
    path = folder / name
    path.write_bytes(data)
    run(category, "check", "--output-format", fmt, *options, str(path), cwd=folder)
    if path.exists():
        path.write_bytes(data)  # --fix may have changed it
        run(category, "convert", str(path), "-o", str(folder / "converted.json"), cwd=folder)


@fuzz(12)
@given(json_values, st.integers(0, 3), st.sampled_from(OUTPUT_FORMATS), CHECK_OPTIONS)
def test_random_json(tmp_path_factory, document, style, fmt, options):
    folder = tmp_path_factory.mktemp("json")
    INPUTS["random JSON"] += 1
    with time_limit():
        assert_clean(lint(document))
    check_file("random JSON", folder, dumps(document, style), fmt, options)


@fuzz(12)
@given(st.sampled_from(sorted(WORKFLOW_SEEDS)), st.lists(mutation, min_size=1, max_size=6),
       st.integers(0, 3), st.sampled_from(OUTPUT_FORMATS), CHECK_OPTIONS)
def test_mutated_workflows(tmp_path_factory, seed_name, steps, style, fmt, options):
    folder = tmp_path_factory.mktemp("mutated")
    INPUTS["mutated workflows"] += 1
    document = mutate(WORKFLOW_SEEDS[seed_name](), steps)
    with time_limit():
        assert_clean(lint(document))
        assert_clean(lint(document, SERVER))
    check_file("mutated workflows", folder, dumps(document, style), fmt, options)


SOURCES = {
    "api-json": lambda: dumps(load_seed("fox.api.json")),
    "ui-json": lambda: dumps(load_seed("ui/txt2img.json")),
    "subgraph-json": lambda: dumps(WORKFLOW_SEEDS["ui-subgraph"]()),
    "png": png_seed,
    "webp": webp_seed,
}


@fuzz(12)
@given(st.sampled_from(sorted(SOURCES)), st.lists(damage, min_size=1, max_size=4),
       st.sampled_from([".json", ".png", ".webp"]), st.sampled_from(OUTPUT_FORMATS))
def test_damaged_files(tmp_path_factory, source, steps, suffix, fmt):
    folder = tmp_path_factory.mktemp("damaged")
    INPUTS["damaged files"] += 1
    check_file("damaged files", folder, damaged(SOURCES[source](), steps), fmt, [],
               name=f"damaged{suffix}")


PATH_COMMANDS = (
    ("check", "{path}"), ("check", "--fix", "{path}"), ("check", "-o", "{path}", "{wf}"),
    ("convert", "{path}"), ("convert", "{ui}", "-o", "{path}"), ("check", "--config", "{path}", "{wf}"),
    ("check", "--object-info", "{path}", "{wf}"), ("check", "--snapshot", "{path}", "{wf}"),
    ("check", "--baseline", "{path}", "{wf}"), ("baseline", "write", "--baseline", "{path}", "{wf}"),
    ("snapshot", "--object-info", "{oi}", "-o", "{path}"), ("check", "--manifest", "{path}", "{wf}"),
    ("check", "--extension-node-map", "{path}", "{wf}"), ("check", "--models-dir", "{path}", "{wf}"),
    ("check", "--stdin-filename", "{path}", "-"), ("check", "{folder}"),
)


@fuzz(12)
@given(st.sampled_from(PATH_KINDS), name_text, st.sampled_from(PATH_COMMANDS),
       st.sampled_from(["api", "ui", "catalog", "garbage"]))
def test_odd_paths(tmp_path_factory, kind, name, command, content):
    folder = tmp_path_factory.mktemp("paths")
    INPUTS["odd paths"] += 1
    contents = {"api": dumps(load_seed("fox.api.json")), "ui": dumps(load_seed("ui/txt2img.json")),
                "catalog": (FIXTURES / "object_info.small.json").read_bytes(),
                "garbage": b"\x00\xff{["}
    path = odd_path(folder, kind, name, contents[content])
    files = {"wf": folder / "wf.json", "ui": folder / "ui.json", "oi": folder / "oi.json"}
    files["wf"].write_bytes(contents["api"])
    files["ui"].write_bytes(contents["ui"])
    files["oi"].write_bytes(contents["catalog"])
    args = [part.format(path=path, folder=folder, **{k: str(v) for k, v in files.items()})
            for part in command]
    run("odd paths", *args, cwd=folder, stdin=contents["api"])
    if kind == "fifo":  # never replaced by a regular file
        assert stat.S_ISFIFO(os.lstat(path).st_mode)


@fuzz(12)
@given(st.sampled_from(sorted(CATALOG_SEEDS)),
       st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**9), st.sampled_from(
           ["replace", "delete", "add", "wrap", "numberify", "empty", "swap"]), json_values,
           st.sampled_from(["input", "required", "optional", "output", "output_name", "options",
                            "input_order", "output_is_list", "hidden", "x"])), max_size=6),
       st.lists(st.tuples(st.integers(0, 10**9), ODD_NODE_FIELDS), max_size=3))
def test_odd_catalogs(tmp_path_factory, seed_name, steps, fields):
    folder = tmp_path_factory.mktemp("catalogs")
    INPUTS["odd catalogs"] += 1
    document = json.loads((FIXTURES / CATALOG_SEEDS[seed_name]).read_text())
    document = catalog_mutations(document, steps)
    names = sorted(document)
    for pick, (field, value) in fields:
        if names and isinstance(document[names[pick % len(names)]], dict):
            document[names[pick % len(names)]][field] = value
    info = folder / "object_info.json"
    info.write_bytes(dumps(document))
    with time_limit():
        try:
            catalog = Catalog.from_object_info(document)
        except CatalogError:
            catalog = None
        if catalog is not None:
            for make in WORKFLOW_SEEDS.values():
                assert_clean(lint(make(), catalog))
            from comfylint.ui import to_api

            for ui_seed in ("ui", "ui-dynamic", "ui-subgraph"):
                to_api(WORKFLOW_SEEDS[ui_seed](), catalog)
    seeds = []
    for name, make in sorted(WORKFLOW_SEEDS.items()):
        seeds.append(folder / f"{name}.json")
        seeds[-1].write_bytes(dumps(make()))
    run("odd catalogs", "check", "--no-cache", "--object-info", str(info), *map(str, seeds), cwd=folder)
    run("odd catalogs", "check", "--object-info", str(info), "--output-format", "json",
        *map(str, seeds), cwd=folder)
    run("odd catalogs", "convert", "--object-info", str(info), str(folder / "ui-subgraph.json"),
        cwd=folder)
    snapshot = folder / "snapshot.json"
    run("odd catalogs", "snapshot", "--object-info", str(info), "-o", str(snapshot), cwd=folder)
    if snapshot.exists():
        run("odd catalogs", "check", "--snapshot", str(snapshot), *map(str, seeds), cwd=folder)


SERVER_COMMANDS = (
    ("check", "--server", "{url}", "--timeout", "0.3", "{wf}"),
    ("check", "--server", "{url}", "--timeout", "0.3", "--output-format", "json", "{ui}"),
    ("probe", "--server", "{url}", "--timeout", "0.3", "--submit", "--wait", "--wait-timeout", "1",
     "--poll-interval", "0.1", "{wf}"),
    ("probe", "--server", "{url}", "--timeout", "0.3", "--output-format", "json", "--max-mb", "1"),
    ("snapshot", "--server", "{url}", "--timeout", "0.3", "-o", "{out}"),
)


@fuzz(6)
@given(st.dictionaries(st.sampled_from(ROUTES), behaviour, max_size=4),
       st.sampled_from(SERVER_COMMANDS), st.booleans())
def test_hostile_server(tmp_path_factory, plan, command, with_token):
    folder = tmp_path_factory.mktemp("server")
    INPUTS["hostile HTTP server"] += 1
    workflow, ui = folder / "wf.json", folder / "ui.json"
    workflow.write_bytes(dumps(load_seed("fox.api.json")))
    ui.write_bytes(dumps(load_seed("ui/txt2img.json")))
    with hostile_server(plan) as (server, elsewhere):
        args = [part.format(url=server.url, wf=workflow, ui=ui, out=folder / "snap.json")
                for part in command]
        if with_token:
            args[1:1] = ["--token", SECRET]
        done = run("hostile HTTP server", *args, cwd=folder)
        if with_token:  # our credential (the server's own text may quote anything else)
            assert SECRET not in done.stdout + done.stderr
    leaked = [headers for headers in elsewhere.seen
              if any(SECRET in str(value) for value in headers.values())]
    assert not leaked, leaked
