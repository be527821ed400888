"""`comfylint serve` speed: prints numbers, asserts nothing (see DESIGN.md, Speed).

    python benchmarks/serve_speed.py [--seconds 8] [--concurrency 8]

1. POST /validate_prompt with the public corpus's API workflows and request bodies (raw bytes,
   round robin), against the real gateway process with 1 and then 2 workers: requests/s with
   `--concurrency` requests in flight, and latency (p50/p99) with 1 and with `--concurrency` in
   flight. The catalog is the captured ComfyUI 0.3.64 /object_info (605 KB).
2. The gate's added latency on a forwarded POST /prompt: the same valid prompts sent one at a time
   to a stub ComfyUI directly and through the gate (1 worker); the difference of the percentiles.
   The stub (aiohttp, its own process) answers /prompt at once, as ComfyUI does before queueing.

The load generator (aiohttp client) runs in this process: on a 2-core machine it competes with
the workers for CPU, so the 2-worker figure understates what two cores give a gateway alone. The
workers' own CPU time per request (from /proc) is printed too: it does not depend on what else
the machine runs, and 1 / (CPU per request) is what one worker sustains on a core of its own.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = next((up / "shared" for up in ROOT.parents if (up / "shared" / "comfyui").is_dir()),
              ROOT.parent / "shared")
CORPUS = Path(os.environ.get("COMFYLINT_CORPUS", SHARED / "corpus"))
OBJECT_INFO = ROOT / "tests" / "fixtures" / "prompt_cases" / "object_info.json"
ACCEPTED = json.dumps({"prompt_id": "4e8c1b9a-0000-4000-8000-000000000042", "number": 1,
                       "node_errors": {}}).encode()


def corpus_bodies() -> list[bytes]:
    """The corpus's API workflows and API request envelopes, as the bytes on disk."""
    bodies = []
    for line in (CORPUS / "index.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["format"] in ("api", "api-envelope"):
            bodies.append((CORPUS / entry["path"]).read_bytes())
    return bodies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


# -- the processes ----------------------------------------------------------------------------------
def stub_comfyui(port_queue) -> None:
    """A ComfyUI stand-in that accepts every prompt at once (its own process)."""
    from aiohttp import web

    async def prompt(request):
        await request.read()
        return web.Response(body=ACCEPTED, content_type="application/json")

    async def main():
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/prompt", prompt)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_queue.put(site._server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


def start_gateway(*args: str) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "comfylint", "serve", "--port", "0", "--object-info",
               str(OBJECT_INFO), "--comfyui-version", "0.3.64", *args]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env)
    line = process.stdout.readline()
    match = re.search(r"listening on (\S+)", line)
    if not match:
        process.kill()
        raise SystemExit(f"the gateway did not start: {line}")
    return process, match.group(1)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=20)


# -- the load ---------------------------------------------------------------------------------------
async def load(url: str, bodies: list[bytes], concurrency: int, seconds: float
               ) -> tuple[int, list[float]]:
    import aiohttp

    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**12))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def client() -> None:
            while time.perf_counter() < deadline:
                body = bodies[next(counter) % len(bodies)]
                started = time.perf_counter()
                async with session.post(url, data=body) as answer:
                    await answer.read()
                    if answer.status >= 500:
                        raise SystemExit(f"{url}: HTTP {answer.status}")
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(client() for _ in range(concurrency)))
    return len(latencies), latencies


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes (Linux /proc), in seconds."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def worker_pids(process: subprocess.Popen, workers: int) -> list[int]:
    if workers == 1:
        return [process.pid]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        if len(children) >= workers:
            return [int(pid) for pid in children]
        time.sleep(0.05)
    raise SystemExit("the workers did not start")


def throughput(url: str, bodies: list[bytes], concurrency: int, seconds: float,
               pids: list[int]) -> None:
    asyncio.run(load(url, bodies, concurrency, min(2.0, seconds)))  # warm the workers
    cpu_before = cpu_seconds(pids)
    count, busy = asyncio.run(load(url, bodies, concurrency, seconds))
    cpu = cpu_seconds(pids) - cpu_before
    _count, idle = asyncio.run(load(url, bodies, 1, seconds / 2))
    print(f"  {count / seconds:7.0f} requests/s with {concurrency} in flight; latency p50 "
          f"{ms(percentile(busy, 0.5))}, p99 {ms(percentile(busy, 0.99))} "
          f"(1 in flight: p50 {ms(percentile(idle, 0.5))}, p99 {ms(percentile(idle, 0.99))})")
    print(f"  worker CPU per request {ms(cpu / count)}: {count / cpu:.0f} requests per "
          "CPU-second of a worker (the rate one worker sustains on a core of its own)")


def server_side(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url + "/comfylint/metrics") as answer:
        text = answer.read().decode()
    values = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and line[0] != "#")
    count = float(values["comfylint_validation_seconds_count"])
    total = float(values["comfylint_validation_seconds_sum"])
    return f"server-side validation: mean {ms(total / count)} over {count:.0f} prompts"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    if not (CORPUS / "index.jsonl").is_file():
        raise SystemExit(f"no corpus at {CORPUS} (set COMFYLINT_CORPUS)")
    bodies = corpus_bodies()
    sizes = [len(b) for b in bodies]
    print(f"corpus: {len(bodies)} API workflows and request bodies, median "
          f"{statistics.median(sizes) / 1024:.1f} KB; catalog: ComfyUI 0.3.64 /object_info; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")

    ports: multiprocessing.Queue = multiprocessing.Queue()
    stub = multiprocessing.Process(target=stub_comfyui, args=(ports,), daemon=True)
    stub.start()
    upstream = f"http://127.0.0.1:{ports.get(timeout=30)}"
    try:
        for workers in (1, 2):
            process, url = start_gateway("--workers", str(workers), "--upstream", upstream)
            try:
                print(f"POST /validate_prompt, {workers} worker{'s' * (workers > 1)}:")
                throughput(url + "/validate_prompt", bodies, args.concurrency, args.seconds,
                           worker_pids(process, workers))
                print(f"  {server_side(url)}")
            finally:
                stop(process)
        gate_overhead(upstream, args.seconds)
    finally:
        stub.terminate()


def gate_overhead(upstream: str, seconds: float) -> None:
    """Valid prompts one at a time, direct and through the gate: the gate's added latency."""
    from comfylint import Validator, load_catalog

    validator = Validator(load_catalog(object_info=OBJECT_INFO, comfyui_version="0.3.64"))
    candidates = corpus_bodies() + [(ROOT / "examples" / "requests" / "prompt_body.json")
                                    .read_bytes()]
    valid = []
    for body in candidates:
        try:
            document = json.loads(body)
        except ValueError:
            continue
        if not isinstance(document, dict):
            continue
        request = document if "prompt" in document else {"prompt": document}
        encoded = json.dumps(request).encode()
        if validator.validate(encoded, envelope="comfyui-prompt").ok:
            valid.append(encoded)
    process, url = start_gateway("--upstream", upstream)
    try:
        asyncio.run(load(url + "/prompt", valid, 1, 1.0))
        _n, direct = asyncio.run(load(upstream + "/prompt", valid, 1, seconds / 2))
        _n, gated = asyncio.run(load(url + "/prompt", valid, 1, seconds / 2))
    finally:
        stop(process)
    print(f"gate on a forwarded POST /prompt ({len(valid)} valid prompts, 1 in flight, 1 worker):")
    for label, share in (("p50", 0.5), ("p99", 0.99)):
        print(f"  {label}: direct {ms(percentile(direct, share))}, through the gate "
              f"{ms(percentile(gated, share))}, added "
              f"{ms(percentile(gated, share) - percentile(direct, share))}")


if __name__ == "__main__":
    main()
