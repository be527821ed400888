"""How comfylint copes with a server whose /object_info is ~100 MB (many custom-node packs).

Generates the file in a temporary directory by replicating the core node definitions under new
class names (never committed), serves it on 127.0.0.1, and measures in fresh processes:
  1. `check --object-info big.json` on one workflow (load + lint), wall time and peak RSS: with
     --no-cache, then the catalog cache's first run (builds the entry) and a cached run (a changed
     workflow, so that the results cache cannot answer and the catalog is really loaded);
  2. the same three for the real object_info.core.json (605 KB);
  3. `snapshot --server URL` (download, parse, compact), wall time, peak RSS and snapshot size;
  4. `check --snapshot` with that snapshot: --no-cache, first and cached run.
The catalog cache lives in the temporary directory (COMFYLINT_CACHE_DIR).
Usage: python benchmarks/big_object_info.py [target MB] [path to object_info.core.json]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORE = HERE.parent.parent / "shared" / "comfyui" / "object_info.core.json"
WORKFLOW = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}},
    "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 20, "cfg": 7.0, "sampler_name": "euler",
                                               "scheduler": "normal", "denoise": 1.0, "model": ["4", 0],
                                               "positive": ["6", 0], "negative": ["6", 0], "latent_image": ["5", 0]}},
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
    "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "ComfyUI"}},
}
SERVER_ROUTES = {"/system_stats": {"system": {"comfyui_version": "0.3.64", "os": "posix"}, "devices": []},
                 "/models": ["checkpoints"], "/models/checkpoints": ["v1-5-pruned-emaonly.safetensors"],
                 "/internal/files/input": [], "/embeddings": [], "/queue": {"queue_running": [], "queue_pending": []}}


def generate(core_path: Path, target_mb: int, out: Path) -> int:
    core = json.loads(core_path.read_text(encoding="utf-8"))
    for node in core.values():  # a real server sends free text: put some back
        node["description"] = "A node description of a typical length, " * 3
    copies = {}
    size, n = 0, 0
    one = len(json.dumps(core))
    while size < target_mb * 1e6:
        for name, node in core.items():
            clone = dict(node, python_module=f"custom_nodes.pack{n}")
            copies[name if n == 0 else f"{name}_pack{n}"] = clone
        size += one
        n += 1
    out.write_text(json.dumps(copies), encoding="utf-8")
    return len(copies)


def measure(args: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """(seconds, peak RSS MB, exit code, stderr tail) of `python -m comfylint ARGS` in a fresh process."""
    # VmHWM, not ru_maxrss: Linux carries the forking parent's peak over exec into ru_maxrss, and
    # this parent holds the generated 100 MB document.
    code = ("import resource, runpy, sys; sys.argv = ['comfylint'] + sys.argv[1:]\n"
            "def peak_kb():\n"
            "    try:\n"
            "        status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
            "        return int(status.split()[0])\n"
            "    except (OSError, IndexError):\n"
            "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "try:\n    runpy.run_module('comfylint', run_name='__main__')\n"
            "finally:\n    print('PEAK_KB', peak_kb(), file=sys.stderr)")
    env = dict(os.environ, COMFYLINT_CACHE_DIR=str(cwd / "user-cache"))
    env.pop("COMFYLINT_NO_CACHE", None)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True,
                          env=env)
    elapsed = time.perf_counter() - started
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK_KB")]
    rest = [line for line in done.stderr.splitlines() if not line.startswith("PEAK_KB")]
    return elapsed, int(peak[-1].split()[1]) / 1024 if peak else float("nan"), done.returncode, \
        " | ".join(rest[-2:])


def serve(directory: Path) -> ThreadingHTTPServer:
    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path in SERVER_ROUTES:
                body = json.dumps(SERVER_ROUTES[self.path]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path == "/object_info":
                self.path = "/big.json"
            super().do_GET()

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(directory)))
    server.handle_error = lambda *args: None  # the --max-mb run hangs up mid-answer on purpose
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def catalog_runs(work: Path, option: str, catalog: str) -> None:
    """`check OPTION CATALOG` without the catalog cache, then its first and its cached run. Each run
    lints a workflow no run has seen (the seed differs): the results cache never answers."""
    for label, extra in (("--no-cache", ["--no-cache"]), ("cache, first run", []),
                         ("cache, cached run", [])):
        workflow = json.loads(json.dumps(WORKFLOW))
        workflow["3"]["inputs"]["seed"] = time.time_ns()
        (work / "wf.json").write_text(json.dumps(workflow), encoding="utf-8")
        seconds, peak, rc, err = measure(["check", *extra, option, catalog, "wf.json"], work)
        print(f"check {option} {catalog} ({label}): {seconds:.2f} s, peak RSS {peak:.0f} MB, "
              f"exit {rc} {err}")


def main() -> None:
    target_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    core_path = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_CORE
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        started = time.perf_counter()
        classes = generate(core_path, target_mb, work / "big.json")
        size_mb = os.path.getsize(work / "big.json") / 1e6
        print(f"generated {size_mb:.0f} MB /object_info with {classes} classes "
              f"in {time.perf_counter() - started:.1f} s")
        (work / "core.json").write_bytes(core_path.read_bytes())
        catalog_runs(work, "--object-info", "big.json")
        catalog_runs(work, "--object-info", "core.json")
        server = serve(work)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        seconds, peak, rc, err = measure(["snapshot", "--server", url, "-o", "snap.json"], work)
        snap_mb = os.path.getsize(work / "snap.json") / 1e6 if (work / "snap.json").exists() else 0
        print(f"snapshot --server (download+parse+compact): {seconds:.2f} s, peak RSS {peak:.0f} MB, "
              f"snapshot {snap_mb:.1f} MB, exit {rc} {err}")
        catalog_runs(work, "--snapshot", "snap.json")
        seconds, peak, rc, err = measure(["snapshot", "--server", url, "--max-mb", "50", "-o", "x.json"], work)
        print(f"snapshot --server --max-mb 50: exit {rc}: {err}")
        server.shutdown()


if __name__ == "__main__":
    main()
