"""`comfylint serve`, the real process on a free port, in front of the recorded ComfyUI on
127.0.0.1 (tests/loopback.py): validate-only, refusing before the upstream, forwarding byte for
byte, the websocket, an upstream that is down or slow, body limits, health and metrics."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from ci_support import comfylint
from loopback import GATE_TOKEN, PREVIEW_FRAME, Behaviour, gateway, serve
from test_probe_cli import VALID, workflow

FIXTURES = Path(__file__).parent / "fixtures"
SMALL_OBJECT_INFO = str(FIXTURES / "object_info.small.json")
MISSING_MODEL = workflow(**{"4": {"ckpt_name": "missing.safetensors"}})
TOKEN = GATE_TOKEN


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 30) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        with error:  # closed now: a connection left open holds the gateway's shutdown up to 5 s
            return error.code, dict(error.headers), error.read()


def post_json(url: str, document, headers: dict | None = None) -> tuple[int, dict]:
    status, _headers, body = http("POST", url, json.dumps(document).encode(),
                                  {"Content-Type": "application/json", **(headers or {})})
    return status, json.loads(body)


def posted_prompts(upstream) -> list:
    return [r for r in upstream.requests if r[0] == "POST" and r[1].split("?")[0] in
            ("/prompt", "/api/prompt", "/api_prompt")]


@pytest.fixture(scope="module")
def validate_only(tmp_path_factory):
    """Validate-only, configured by a project file (its catalog named relative to the file):
    the rules as the project's CI runs them, model presence left to the server here."""
    project = tmp_path_factory.mktemp("project")
    (project / "catalog").mkdir()
    (project / "catalog" / "object_info.json").write_bytes(Path(SMALL_OBJECT_INFO).read_bytes())
    (project / "comfylint.toml").write_text('object-info = "catalog/object_info.json"\n'
                                            'comfyui-version = "0.3.64"\nignore = ["M401"]\n')
    with gateway("--config", str(project / "comfylint.toml")) as running:
        yield running


@pytest.fixture
def fresh(upstream):
    """The upstream's request log, emptied for this test."""
    upstream.requests.clear()
    return upstream


# -- validate-only -----------------------------------------------------------------------------------
def test_validate_only_answers_in_comfyuis_shape(validate_only):
    for path in ("/validate_prompt", "/api/validate_prompt"):
        status, answer = post_json(validate_only.url + path, {"prompt": workflow(**{"3": {"steps": 0}})})
        assert status == 200 and answer["valid"] is False
        [error] = answer["node_errors"]["3"]["errors"]
        assert error == {"type": "value_smaller_than_min", "message": "Value 0 smaller than min of 1",
                         "details": "steps", "extra_info": {
                             "input_name": "steps", "received_value": 0,
                             "input_config": ["INT", {"default": 20, "min": 1, "max": 10000}]}}
        assert answer["error"]["type"] == "prompt_outputs_failed_validation"
        assert "T304" in answer["comfylint"]["blocking"]


def test_validate_only_reads_every_body_comfylint_reads(validate_only):
    graph = workflow(**{"4": {"ckpt_name": "dreamshaper_8.safetensors"}})
    bodies = [graph, {"prompt": graph, "client_id": "c1"},
              {"input": {"workflow": graph}},                      # RunPod
              {"workflow": graph, "inputs": {"3": {"steps": 25}}}]  # workflow + overrides
    for body in bodies:
        status, answer = post_json(validate_only.url + "/validate_prompt", body)
        assert status == 200 and answer["valid"], answer
        assert answer["error"] is None and answer["node_errors"] == {}
    ui = json.loads((Path(__file__).parent.parent / "examples" / "ui" / "txt2img.json").read_text())
    for refused in (ui, None, {}, "a cat"):
        status, answer = post_json(validate_only.url + "/validate_prompt", refused)
        assert status == 200 and answer["valid"] is False and answer["error"]


def test_validate_only_follows_the_project_configuration(validate_only, tmp_path):
    status, answer = post_json(validate_only.url + "/validate_prompt", MISSING_MODEL)
    assert status == 200 and answer["valid"], answer  # ignore = ["M401"]
    assert "configuration" in validate_only.log_once_it_holds("comfylint.toml")
    # A configuration that is wrong stops the gateway before it listens: exit 2, the file named.
    (tmp_path / "comfylint.toml").write_text('ignore = ["Z999"]\n')
    done = comfylint("serve", "--port", "0", cwd=tmp_path)
    assert done.returncode == 2 and "comfylint.toml" in done.stderr and "Z999" in done.stderr


def test_validate_only_never_proxies(validate_only):
    status, _headers, _body = http("GET", validate_only.url + "/prompt")
    assert status == 404
    status, _headers, body = http("POST", validate_only.url + "/validate_prompt", b"{not json")
    assert status == 200 and json.loads(body)["valid"] is False


# -- the gate ----------------------------------------------------------------------------------------
def test_a_prompt_the_server_would_refuse_never_reaches_it(gate, fresh):
    status, answer = post_json(gate.url + "/prompt", {"prompt": MISSING_MODEL, "client_id": "c"},
                               {"Authorization": f"Bearer {TOKEN}"})
    assert status == 400
    assert answer["error"]["type"] == "prompt_outputs_failed_validation"
    [error] = answer["node_errors"]["4"]["errors"]
    assert error["type"] == "value_not_in_list" and error["details"].startswith(
        "ckpt_name: 'missing.safetensors' not in ['SDXL/juggernaut_xl.safetensors'")
    assert answer["node_errors"]["4"]["dependent_outputs"] == ["9"]
    assert set(answer) == {"error", "node_errors"}  # exactly what ComfyUI answers
    assert posted_prompts(fresh) == []  # the upstream saw nothing


def test_a_valid_prompt_is_forwarded_byte_for_byte(gate, fresh):
    # odd spacing, key order, unicode and a NaN-free float: forwarded as sent, not re-encoded
    body = ('{ "client_id":"é-client" ,\n  "prompt": ' + json.dumps(VALID, indent=3)
            + ', "extra_data": {"note": "caf\\u00e9"} }').encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}",
               "X-Request-Id": "r-42"}
    status, answer_headers, answer = http("POST", gate.url + "/prompt?trace=1", body, headers)
    assert status == 200
    [(method, path, seen_headers, seen_body)] = posted_prompts(fresh)
    assert (method, path, seen_body) == ("POST", "/prompt?trace=1", body)
    seen_headers = {name.lower(): value for name, value in seen_headers.items()}
    assert seen_headers["authorization"] == f"Bearer {TOKEN}"
    assert seen_headers["x-request-id"] == "r-42"
    assert json.loads(answer) == {"node_errors": {}, "number": 8,
                                  "prompt_id": "4e8c1b9a-0000-4000-8000-000000000042"}
    assert answer_headers["Content-Type"].startswith("application/json")


def test_pai_eas_api_prompt_is_gated_as_a_bare_graph(gate, fresh):
    status, answer = post_json(gate.url + "/api_prompt?task_id=t-1", MISSING_MODEL,
                               {"Authorization": f"Bearer {TOKEN}"})
    assert status == 400 and answer["node_errors"]["4"]["errors"][0]["type"] == "value_not_in_list"
    assert posted_prompts(fresh) == []


def test_every_other_route_is_proxied_untouched(gate, fresh):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for path in ("/system_stats", "/queue", "/history/4e8c1b9a-0000-4000-8000-000000000042"):
        direct = http("GET", fresh.url + path, headers=auth)
        through = http("GET", gate.url + path, headers=auth)
        assert through[0] == direct[0] == 200 and through[2] == direct[2]
    assert http("GET", gate.url + "/no/such/route", headers=auth)[0] == 404
    assert http("GET", gate.url + "/system_stats")[0] == 401  # the upstream's answer, unchanged


def test_the_websocket_is_proxied(gate, fresh):
    async def talk() -> list:
        async with aiohttp.ClientSession() as session, session.ws_connect(
                gate.url + "/ws?clientId=abc", headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
            first = await ws.receive(timeout=10)
            preview = await ws.receive(timeout=10)
            await ws.send_str("hello")
            echo = await ws.receive(timeout=10)
            await ws.send_bytes(b"\x00\x01binary")
            binary = await ws.receive(timeout=10)
            return [json.loads(first.data), preview.data, echo.data, binary.data]

    status, preview, echo, binary = asyncio.run(talk())
    assert status["type"] == "status" and status["data"]["sid"] == "abc"
    assert preview == PREVIEW_FRAME and echo == "hello" and binary == b"\x00\x01binary"
    assert ("GET", "/ws?clientId=abc") in [(m, p) for m, p, *_ in fresh.requests]


def test_tokens_are_forwarded_but_never_logged(gate, fresh):
    post_json(gate.url + "/prompt?token=" + TOKEN, {"prompt": VALID},
              {"Authorization": f"Bearer {TOKEN}"})
    http("GET", gate.url + "/queue?token=" + TOKEN, headers={"Authorization": f"Bearer {TOKEN}"})
    log = gate.log_once_it_holds("/queue")
    assert "/prompt" in log and "/queue" in log  # the access log is on
    assert TOKEN not in log
    assert [path for _method, path, *_ in posted_prompts(fresh)] == ["/prompt?token=" + TOKEN]


def test_health_and_metrics(gate):
    status, _headers, body = http("GET", gate.url + "/comfylint/health")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok" and health["mode"] == "gate"
    assert health["catalog"]["comfyui_version"] == "0.3.64"
    assert health["catalog"]["refreshed_from_upstream"] is True
    _status, headers, text = http("GET", gate.url + "/comfylint/metrics")
    assert headers["Content-Type"].startswith("text/plain")
    metrics = dict(line.rsplit(" ", 1) for line in text.decode().splitlines()
                   if line and not line.startswith("#"))
    assert float(metrics["comfylint_gate_requests_total"]) >= 1
    assert float(metrics['comfylint_rejections_total{rule="M401"}']) >= 1
    assert float(metrics['comfylint_validation_seconds_bucket{le="+Inf"}']) == float(
        metrics["comfylint_validation_seconds_count"]) >= 1


def test_bodies_are_size_limited(gate, fresh):
    big = json.dumps({"prompt": VALID, "extra_data": {"pad": "x" * 1_200_000}}).encode()
    status, _headers, body = http("POST", gate.url + "/prompt", big, {"Content-Type": "application/json"})
    assert status == 413 and json.loads(body)["error"]["type"] == "request_too_large"
    assert posted_prompts(fresh) == []


# -- a sick upstream -----------------------------------------------------------------------------------
def test_a_slow_upstream_is_a_504_and_a_gone_one_a_502():
    """One gate (its catalog from a file: it never reads the upstream's) before an upstream that
    answers too slowly, then before none at all (the upstream stopped, its port closed)."""
    with serve(Behaviour(delay={"/prompt": 5, "/history": 5})) as slow, \
            gateway("--upstream", slow.url, "--upstream-timeout", "0.5",
                    "--object-info", SMALL_OBJECT_INFO) as running:
        good = workflow(**{"4": {"ckpt_name": "dreamshaper_8.safetensors"}})  # in its catalog
        started = time.monotonic()
        status, answer = post_json(running.url + "/prompt", {"prompt": good})
        assert status == 504 and answer["error"]["type"] == "upstream_timeout"
        assert http("GET", running.url + "/history")[0] == 504
        assert time.monotonic() - started < 5  # answered, not waited out

        slow.shutdown()
        slow.server_close()  # nothing listens on the upstream's port any more
        started = time.monotonic()
        status, answer = post_json(running.url + "/prompt", {"prompt": good})
        assert status == 502 and answer["error"]["type"] == "upstream_unreachable"
        assert http("GET", running.url + "/history")[0] == 502
        assert time.monotonic() - started < 20
        # validation still works without the upstream
        status, answer = post_json(running.url + "/prompt", {"prompt": MISSING_MODEL})
        assert status == 400


def test_a_disagreement_refreshes_the_catalog():
    """The upstream loses a checkpoint after the gate read its catalog: the gate forwards the
    first prompt that uses it, the upstream refuses it, the gate re-reads the catalog and then
    refuses that prompt itself."""
    with serve() as upstream, gateway("--upstream", upstream.url) as running:
        uses = workflow(**{"4": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}})
        upstream.behaviour.checkpoints = ["SDXL/juggernaut_xl.safetensors"]
        status, answer = post_json(running.url + "/prompt", {"prompt": uses})
        assert status == 400 and len(posted_prompts(upstream)) == 1  # the upstream said no
        deadline = time.monotonic() + 30
        metrics = ""
        while "comfylint_catalog_refreshes_total 1" not in metrics and time.monotonic() < deadline:
            time.sleep(0.1)
            metrics = http("GET", running.url + "/comfylint/metrics")[2].decode()
        assert "comfylint_disagreements_total 1" in metrics
        assert "comfylint_catalog_refreshes_total 1" in metrics, metrics
        status, answer = post_json(running.url + "/prompt", {"prompt": uses})
        assert status == 400 and answer["node_errors"]["4"]["errors"][0]["type"] == \
            "value_not_in_list"
        assert len(posted_prompts(upstream)) == 1  # refused by the gate itself this time


def validate_requests(gate) -> float:
    text = http("GET", gate.url + "/comfylint/metrics")[2].decode()
    return float(dict(line.rsplit(" ", 1) for line in text.splitlines()
                      if line and not line.startswith("#"))["comfylint_validate_requests_total"])


def test_several_workers_share_the_port_and_the_metrics(gate):
    """The shared gate runs two workers (conftest.py; it must exit 0 when stopped)."""
    before = validate_requests(gate)
    for _ in range(12):
        status, _answer = post_json(gate.url + "/validate_prompt", {"prompt": VALID})
        assert status == 200
    assert validate_requests(gate) == before + 12  # summed over both workers


def test_settling_the_long_lived_objects_still_frees_a_replaced_catalog():
    # The worker freezes its catalog out of the collector's scans; a catalog replaced on refresh
    # must still be collected, cycles and all (or each refresh would leak the old one). In a
    # fresh interpreter, as in a worker: here it would unfreeze and collect the whole session.
    script = """if True:
        import gc, weakref
        from comfylint.serve.catalogs import settle_long_lived_objects

        class Catalog:  # a stand-in holding a reference cycle, as object graphs may
            pass

        old = Catalog()
        old.itself = old
        gone = weakref.ref(old)
        settle_long_lived_objects()
        assert gc.get_freeze_count() > 0 and gone() is not None
        del old
        settle_long_lived_objects()  # (after the refresh)
        assert gone() is None
    """
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
