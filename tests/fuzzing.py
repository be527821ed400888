"""The fuzz harness's parts: seeds written for this project, hypothesis strategies, a generic JSON
mutator, damaged bytes, odd paths, odd catalogs, a hostile loopback HTTP server, and the checks
that every run ends cleanly (an exit code 0, 1 or 2, no traceback, no C002, no hang).

Budget: COMFYLINT_FUZZ_EXAMPLES examples per test (default: a small number, so that the suite stays
fast). A local long run:

    COMFYLINT_FUZZ_EXAMPLES=2000 COMFYLINT_FUZZ_REPORT=/tmp/fuzz.json \\
        nice -n 10 python -m pytest tests/test_fuzz.py -q -p no:cacheprovider

COMFYLINT_FUZZ_SEED=N explores other inputs than the derandomized default; COMFYLINT_FUZZ_REPORT
writes how many inputs each category tried, and how many ended in each exit code.
"""
from __future__ import annotations

import atexit
import contextlib
import copy
import faulthandler
import json
import os
import re
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ci_support import comfylint
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = int(os.environ.get("COMFYLINT_FUZZ_EXAMPLES", "0") or 0)
HANG_SECONDS = 60  # no single input may take longer (the deadline of every example)
INPUTS: Counter = Counter()  # category -> inputs tried (hypothesis examples)
RUNS: Counter = Counter()  # category -> command lines run on them
EXITS: Counter = Counter()  # (category, exit code) -> runs


def fuzz(default: int):
    """Settings for one fuzz test: `default` examples in the suite, COMFYLINT_FUZZ_EXAMPLES in a
    long run; derandomized (conftest's profile) unless COMFYLINT_FUZZ_SEED asks for other inputs."""
    examples = EXAMPLES or default

    def decorate(test):
        configured = settings(max_examples=examples, suppress_health_check=[
            HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture,
            HealthCheck.filter_too_much])
        if os.environ.get("COMFYLINT_FUZZ_SEED"):
            configured = settings(configured, derandomize=False)
            test = seed(int(os.environ["COMFYLINT_FUZZ_SEED"]))(test)
        return configured(test)
    return decorate


def _write_report() -> None:
    target = os.environ.get("COMFYLINT_FUZZ_REPORT")
    if target and INPUTS:
        exits: dict[str, dict[str, int]] = {}
        for (category, code), count in sorted(EXITS.items()):
            exits.setdefault(category, {})[str(code)] = count
        Path(target).write_text(json.dumps({"inputs": dict(sorted(INPUTS.items())),
                                            "runs": dict(sorted(RUNS.items())),
                                            "exit_codes": exits}, indent=2) + "\n")


atexit.register(_write_report)


# -- the verdict on one run ------------------------------------------------------------------------
@contextlib.contextmanager
def time_limit(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """A hang ends the run: past `seconds`, every thread's stack is printed and the process
    exits (faulthandler). Never an exception raised into the running code: one raised at an
    arbitrary point (a signal handler's) can leave a lock held and make a hang of its own."""
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def run(category: str, *args: str, cwd: Path | None = None, stdin: bytes | None = None):
    """`comfylint ARGS` in-process; fails on a traceback, an internal error, a rule crash (C002),
    an exit code other than 0, 1, 2, or a hang."""
    RUNS[category] += 1
    with time_limit():
        done = comfylint(*args, cwd=cwd, stdin=stdin)
    EXITS[(category, done.returncode)] += 1
    output = done.stdout + done.stderr
    assert "Traceback (most recent call last)" not in output, output[-3000:]
    assert "internal error" not in output, output[-3000:]
    assert not CRASHED.search(output), output[-3000:]
    assert done.returncode in (0, 1, 2), output[-3000:]
    return done


# What a C002 finding says (a rule, the pipeline or the UI conversion crashed on the input).
CRASHED = re.compile(r"rule [A-Z]\d{3} \([a-z0-9-]+\) failed|comfylint failed on this file|"
                     r"could not be converted to the API format for linting")


def assert_clean(found) -> None:
    """Findings of the Python API: no rule crashed, every finding serialisable."""
    crashes = [d.message for d in found if d.code == "C002"]
    assert not crashes, crashes
    for diag in found:
        json.dumps(diag.to_dict(), allow_nan=True)


# -- seeds (written for this project; no third-party workflow is committed) -----------------------
def load_seed(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def subgraph_seed() -> dict:
    """A UI workflow with one subgraph (its instance host value, an inner link, an output link)."""
    definition = {
        "id": "aaaaaaaa-0000-4000-8000-000000000001", "name": "Latent", "version": 1,
        "inputs": [{"id": "i1", "name": "width", "type": "INT", "linkIds": [1]}],
        "outputs": [{"id": "o1", "name": "LATENT", "type": "LATENT", "linkIds": [2]}],
        "nodes": [{"id": 5, "type": "EmptyLatentImage", "mode": 0, "order": 0,
                   "inputs": [{"name": "width", "type": "INT", "link": 1, "widget": {"name": "width"}}],
                   "outputs": [{"name": "LATENT", "type": "LATENT", "links": [2]}],
                   "widgets_values": [256, 256, 1]}],
        "links": [{"id": 1, "origin_id": -10, "origin_slot": 0, "target_id": 5, "target_slot": 0,
                   "type": "INT"},
                  {"id": 2, "origin_id": 5, "origin_slot": 0, "target_id": -20, "target_slot": 0,
                   "type": "LATENT"}]}
    nodes = [
        {"id": 12, "type": definition["id"], "pos": [0, 0], "size": [100, 100], "flags": {},
         "order": 0, "mode": 0, "inputs": [{"name": "width", "type": "INT", "link": None,
                                            "widget": {"name": "width"}}],
         "outputs": [{"name": "LATENT", "type": "LATENT", "links": [3]}], "properties": {},
         "widgets_values": [640]},
        {"id": 13, "type": "VAEDecode", "pos": [0, 0], "size": [100, 100], "flags": {}, "order": 1,
         "mode": 0, "inputs": [{"name": "samples", "type": "LATENT", "link": 3},
                               {"name": "vae", "type": "VAE", "link": None}],
         "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": []}], "properties": {}},
    ]
    return {"last_node_id": 13, "last_link_id": 3, "nodes": nodes,
            "links": [[3, 12, 0, 13, 0, "LATENT"]], "groups": [], "version": 0.4,
            "definitions": {"subgraphs": [definition]}, "extra": {}}


def envelope_seed() -> dict:
    """A POST /prompt body around the API seed, with the request fields the loader reads."""
    return {"prompt": load_seed("fox.api.json"), "client_id": "fuzz", "extra_data": {"x": 1},
            "partial_execution_targets": ["16"]}


WORKFLOW_SEEDS = {
    "api": lambda: load_seed("fox.api.json"),
    "ui": lambda: load_seed("ui/txt2img.json"),
    "ui-dynamic": lambda: load_seed("ui/dynamic_inputs.json"),
    "ui-subgraph": subgraph_seed,
    "envelope": envelope_seed,
}
CATALOG_SEEDS = {"small": "object_info.small.json", "v3": "object_info.v3_dynamic.json"}


def png_seed() -> bytes:
    return (ROOT / "examples" / "images" / "txt2img.png").read_bytes()


def webp_seed() -> bytes:
    """A WebP whose EXIF carries the API seed as ComfyUI writes it (`prompt:{...}`)."""
    text = b"prompt:" + json.dumps(load_seed("fox.api.json")).encode() + b"\x00"
    ifd = struct.pack("<H", 1) + struct.pack("<HHII", 0x010F, 2, len(text), 8 + 2 + 12 + 4) \
        + struct.pack("<I", 0)
    exif = b"II*\x00" + struct.pack("<I", 8) + ifd + text
    chunk = b"EXIF" + struct.pack("<I", len(exif)) + exif + (b"\x00" if len(exif) & 1 else b"")
    body = b"WEBP" + chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


# -- strategies ------------------------------------------------------------------------------------
SECRET = "sk-proj-" + "Zq9" * 12
odd_strings = st.sampled_from([
    "", " ", "\ud800", "a\udfffb", "\x00", "\n", "../../etc/passwd", "C:\\x\\y.png", "%date:yyyy%",
    "KSampler", "COMBO", "*", "INT,FLOAT", "IMAGE", "__value__", "1", "-1", "1e999", "NaN",
    "sk-proj-Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9", SECRET, "Bearer " + "x" * 30, "x" * 5000, "é" * 50,
    "{{a}}", "<|x|>", "a/b/c.safetensors", "\u202e", "1:2:3"])
odd_numbers = st.sampled_from([0, 1, -1, 2, 255, 2**31, 2**53 + 1, 2**63, 2**64, -2**63, 10**30,
                               0.5, -0.0, 1e308, float("nan"), float("inf"), float("-inf")])
scalars = (st.none() | st.booleans() | odd_numbers | st.integers(-2**70, 2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | odd_strings
           | st.text(max_size=12))
json_keys = st.text(max_size=8) | odd_strings | st.sampled_from([
    "prompt", "class_type", "inputs", "_meta", "title", "workflow", "input", "nodes", "links",
    "widgets_values", "definitions", "subgraphs", "id", "type", "required", "optional", "options",
    "input_order", "output", "output_name", "output_is_list", "api_key", "extra_data", "images",
    "files", "version", "comfylint", "ignore"])
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(json_keys, children, max_size=5)
    | st.tuples(st.sampled_from(["1", "3", "16", "4", 1, "12:5"]), st.integers(-2, 3)).map(list),
    max_leaves=30)


def containers(document: Any) -> list[tuple[tuple, Any]]:
    """(path, container) of every object and array in a document, iteratively."""
    found, stack = [], [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            found.append((path, value))
            stack.extend(((*path, key), child) for key, child in value.items())
        elif isinstance(value, list):
            found.append((path, value))
            stack.extend(((*path, index), child) for index, child in enumerate(value))
    return found


MUTATIONS = ("replace", "delete", "add", "duplicate", "wrap", "stringify", "numberify", "empty",
             "deepen", "swap")
mutation = st.tuples(st.integers(0, 10**9), st.integers(0, 10**9), st.sampled_from(MUTATIONS),
                     json_values, json_keys)


def mutate(document: Any, steps: list) -> Any:
    """Apply generic mutations at places the draws pick: the same draws, the same result."""
    document = copy.deepcopy(document)
    for where, which, kind, drawn, key in steps:
        # A copy each time: the draw inserted as is could be changed by a later step, end up
        # inside itself (a cycle), and change the draws of the next call (the hostile server
        # mutates its answer per request).
        value = copy.deepcopy(drawn)
        places = containers(document)
        if not places:
            return value
        _path, container = places[where % len(places)]
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        if kind == "add" or not keys:
            if isinstance(container, dict):
                container[key] = value
            else:
                container.insert(which % (len(container) + 1), value)
            continue
        slot = keys[which % len(keys)]
        current = container[slot]
        if kind == "replace":
            container[slot] = value
        elif kind == "delete":
            del container[slot]
        elif kind == "duplicate" and isinstance(container, list):
            container.append(copy.deepcopy(current))
        elif kind == "duplicate":
            container[key] = copy.deepcopy(current)
        elif kind == "wrap":
            container[slot] = [current] if which % 2 else {"x": current}
        elif kind == "stringify":
            container[slot] = json.dumps(current, allow_nan=True)
        elif kind == "numberify":
            container[slot] = [2**64, -1, 0, 1.5, float("nan")][which % 5]
        elif kind == "empty":
            container[slot] = type(current)() if isinstance(current, (dict, list, str)) else None
        elif kind == "deepen":
            for _ in range(50 + which % 150):
                current = [current]
            container[slot] = current
        elif kind == "swap" and len(keys) > 1:
            other = keys[(which + 1) % len(keys)]
            container[slot], container[other] = container[other], current
    return document


def dumps(document: Any, style: int = 0) -> bytes:
    """A document as a file would hold it, in one of a few writing styles."""
    if style % 4 == 0:
        return json.dumps(document, indent=2, allow_nan=True).encode()
    if style % 4 == 1:
        return json.dumps(document, separators=(",", ":"), allow_nan=True).encode()
    if style % 4 == 2:
        return json.dumps(document, indent="\t", ensure_ascii=False, allow_nan=True) \
            .encode("utf-8", "surrogatepass")  # raw lone surrogates: not UTF-8 at all
    return b"\xef\xbb\xbf" + json.dumps(document, indent=1, allow_nan=True).encode()


# -- damaged bytes -----------------------------------------------------------------------------------
DAMAGES = ("truncate", "flip", "insert", "delete", "duplicate", "png-chunk", "png-ztxt", "zeros")
damage = st.tuples(st.sampled_from(DAMAGES), st.integers(0, 10**9), st.binary(max_size=64),
                   st.integers(0, 255))


def damaged(data: bytes, steps: list) -> bytes:
    for kind, where, noise, byte in steps:
        position = where % (len(data) + 1)
        if kind == "truncate":
            data = data[:position]
        elif kind == "flip" and data:
            index = where % len(data)
            data = data[:index] + bytes([data[index] ^ (1 << (byte % 8))]) + data[index + 1:]
        elif kind == "insert":
            data = data[:position] + noise + data[position:]
        elif kind == "delete":
            data = data[:position] + data[position + 1 + byte:]
        elif kind == "duplicate":
            data = data[:position] + data[position:position + 1 + byte * 4] + data[position:]
        elif kind == "zeros":
            data = data[:position] + b"\x00" * (byte + 1) + data[position + byte + 1:]
        elif kind == "png-chunk":
            data = data[:8] + png_chunk(noise[:4].ljust(4, b"t"), noise[4:]) + data[8:]
        elif kind == "png-ztxt":
            key = [b"prompt", b"workflow", b"other"][byte % 3]
            body = zlib.compress(noise * (1 + byte * 64)) if byte % 2 else noise
            chunk_type = b"zTXt" if byte % 4 < 2 else b"iTXt"
            payload = key + b"\x00\x00" + body if chunk_type == b"zTXt" \
                else key + b"\x00\x01\x00\x00\x00" + body
            data = data[:8] + png_chunk(chunk_type, payload) + data[8:]
    return data


def png_chunk(chunk_type: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + chunk_type + body + \
        struct.pack(">I", zlib.crc32(chunk_type + body) & 0xFFFFFFFF)


# -- odd paths -------------------------------------------------------------------------------------
PATH_KINDS = ("file", "directory", "fifo", "dangling-link", "link-loop", "through-a-file",
              "too-long", "long-name", "missing", "missing-folder", "bytes-name", "link-to-dir",
              "empty-file")
name_text = st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1,
                    max_size=20) | st.sampled_from(["-x.json", "--help.json", " ", "a b.json",
                                                    "new\nline.json", "..", ".", "~", "-"])


def odd_path(folder: Path, kind: str, name: str, content: bytes) -> str:
    """Create (or not) a path of the given kind in `folder`; return it as the command line gets it."""
    name = name if name not in (".", "..", "-") else f"x{name}"
    target = folder / f"{name}.json"
    if kind == "file":
        target.write_bytes(content)
    elif kind == "empty-file":
        target.write_bytes(b"")
    elif kind == "directory":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "dangling-link":
        target.symlink_to(folder / "nowhere.json")
    elif kind == "link-loop":
        other = folder / f"{name}.loop"
        target.symlink_to(other)
        other.symlink_to(target)
    elif kind == "link-to-dir":
        target.symlink_to(folder)
    elif kind == "through-a-file":
        (folder / "plain.json").write_bytes(content)
        return str(folder / "plain.json" / f"{name}.json")
    elif kind == "too-long":
        return str(folder) + ("/" + "d" * 200) * 30 + "/x.json"
    elif kind == "long-name":
        return str(folder / ("n" * 300 + ".json"))
    elif kind == "missing":
        return str(target)
    elif kind == "missing-folder":
        return str(folder / "no" / "such" / f"{name}.json")
    elif kind == "bytes-name":
        raw = os.fsencode(folder) + b"/bad\xff\xfename.json"
        with open(raw, "wb") as stream:
            stream.write(content)
        return os.fsdecode(raw)
    return str(target)


# -- odd catalogs ----------------------------------------------------------------------------------
def catalog_mutations(document: dict, steps: list) -> dict:
    """Mutations inside node definitions only (the shapes /object_info entries take)."""
    document = copy.deepcopy(document)
    names = sorted(document)
    for pick, *step in steps:
        name = names[pick % len(names)]
        document[name] = mutate(document[name], [(pick // 7, *step)])
    return document


ODD_NODE_FIELDS = st.sampled_from([
    ("input_order", {"required": [None, 5, ["x"], "missing", {"a": 1}]}), ("input_order", 7),
    ("output_name", [2**64]), ("output_name", "x"), ("output_is_list", [-1]), ("output_is_list", 5),
    ("output", [["a", ["nested"]], None]), ("output", "IMAGE"), ("input", []),
    ("input", {"required": {"x": [[["nested"], "combo"], {"options": {"a": 1}}]}}),
    ("input", {"required": {"x": ["COMBO", {"options": [[1, 2], {"k": "v"}, None]}]}}),
    ("input", {"required": {"x": ["COMFY_DYNAMICCOMBO_V3", {"options": [{"key": None, "inputs": 5}]}]}}),
    ("input", {"required": {"x": ["COMFY_AUTOGROW_V3", {"template": 5}]}}),
    ("input", {"hidden": "x", "optional": None}), ("output_node", "yes"), ("deprecated", []),
    ("python_module", 5), ("name", None), ("display_name", ["x"]), ("output_tooltips", 5)])


# -- a hostile loopback server ------------------------------------------------------------------------
ROUTES = ("/system_stats", "/object_info", "/models", "/models/checkpoints", "/internal/files/input",
          "/embeddings", "/queue", "/prompt", "/history")
BEHAVIOURS = ("ok", "mutated", "mutated", "status", "json", "redirect-other", "redirect-same", "redirect-loop",
              "redirect-bad", "huge-declared", "endless", "trickle", "garbage-http", "close", "hang",
              "short-body")
behaviour = st.tuples(st.sampled_from(BEHAVIOURS), st.integers(100, 599), json_values,
                      st.lists(mutation, min_size=1, max_size=4))


class Elsewhere(ThreadingHTTPServer):
    """Another origin: it records what reaches it (credentials must never)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.seen: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Recorder(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen.append(dict(self.headers))  # type: ignore[attr-defined]
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET


class Hostile(ThreadingHTTPServer):
    """A ComfyUI that answers each route as the draw says (recorded answers when "ok")."""

    daemon_threads = True

    def __init__(self, plan: dict, elsewhere: str) -> None:
        super().__init__(("127.0.0.1", 0), _HostileHandler)
        self.plan = plan
        self.elsewhere = elsewhere
        self.stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


RECORDED = json.loads((FIXTURES / "server" / "responses.json").read_text(encoding="utf-8"))


class _HostileHandler(BaseHTTPRequestHandler):
    server: Hostile

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length") or "0"
        self.rfile.read(int(length) if length.isdigit() else 0)
        self._answer("POST")

    def _answer(self, method: str) -> None:
        route = next((r for r in ROUTES if self.path == r or self.path.startswith(r + "/")), self.path)
        kind, status, value, steps = self.server.plan.get(route, ("ok", 200, None, []))
        try:
            self._behave(method, kind, status, value, steps)
        except OSError:
            pass  # the client gave up, as it should

    def _behave(self, method: str, kind: str, status: int, value: Any, steps: list) -> None:
        write = self.wfile.write
        if kind in ("ok", "mutated"):  # the recorded answer, or one of its shape changed
            verdict = "accepted" if status % 2 else "value_not_in_list"
            recorded = RECORDED.get(f"{method} {self.path}") or RECORDED.get(
                f"POST /prompt {verdict}" if method == "POST" else "")
            if recorded is None:
                return self._send(404, b"")
            answer = recorded["json"] if kind == "ok" else mutate(recorded["json"], steps)
            return self._send(recorded.get("status", 200), json.dumps(answer, allow_nan=True).encode())
        if kind == "status":
            return self._send(status, json.dumps(value, allow_nan=True).encode())
        if kind == "json":
            return self._send(200, json.dumps(value, allow_nan=True).encode())
        if kind.startswith("redirect"):
            location = {"redirect-other": self.server.elsewhere + self.path,
                        "redirect-same": self.path + "/again",
                        "redirect-loop": self.path,
                        "redirect-bad": "http://[::1" if status % 2 else "ftp://x/\r\nX: y"}[kind]
            self.send_response(301 + status % 8 if 301 + status % 8 in (301, 302, 303, 307, 308) else 302)
            self.send_header("Location", location.replace("\r\n", ""))
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if kind == "huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(10**12))
            self.end_headers()
            return write(b"{")
        if kind == "short-body":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            return write(b'{"system": {')
        if kind == "endless":
            self.send_response(200)
            self.end_headers()
            write(b"[")
            while not self.server.stop.is_set():
                write(b"0," * 32768)
                time.sleep(0.01)
            return None
        if kind == "trickle":
            write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            while not self.server.stop.is_set():
                write(b"X: 1\r\n")
                self.wfile.flush()
                time.sleep(0.02)
            return None
        if kind == "garbage-http":
            return write(bytes(range(256)) * 4)
        if kind == "close":
            return None
        if kind == "hang":
            self.server.stop.wait(30)
            return None
        return self._send(200, b"{}")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def hostile_server(plan: dict) -> Iterator[tuple[Hostile, Elsewhere]]:
    elsewhere = Elsewhere()
    server = Hostile(plan, elsewhere.url)
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
               for s in (server, elsewhere)]
    for thread in threads:
        thread.start()
    try:
        yield server, elsewhere
    finally:
        server.stop.set()
        for each in (server, elsewhere):
            each.shutdown()
            each.server_close()
