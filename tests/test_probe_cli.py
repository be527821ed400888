"""`comfylint probe`, `snapshot --server` and `check --server` against the loopback server."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from comfylint.cli import cli
from loopback import Behaviour, closed_port_url, serve

VALID = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
    "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 20, "cfg": 7.0, "sampler_name": "euler",
                                               "scheduler": "normal", "denoise": 1.0, "model": ["4", 0],
                                               "positive": ["6", 0], "negative": ["7", 0],
                                               "latent_image": ["5", 0]}},
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
    "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "ComfyUI"}},
}


def workflow(**changes) -> dict:
    document = json.loads(json.dumps(VALID))
    for node_id, inputs in changes.items():
        document[node_id]["inputs"].update(inputs)
    return document


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_probe_reports_the_server_and_executes_nothing(write_json):
    path = write_json("wf.json", VALID)
    with serve() as server:
        result = run("probe", "--server", server.url, str(path))
    assert result.exit_code == 0, result.output
    assert "ComfyUI 0.3.64" in result.output and "NVIDIA L4" in result.output
    assert "VRAM 22.0 GiB total" in result.output and "0 running, 1 pending" in result.output
    assert "1 custom-node modules" in result.output and "empty: controlnet" in result.output
    assert all(method == "GET" for method, *_ in server.requests)


def test_probe_lints_with_the_servers_models(write_json):
    path = write_json("wf.json", workflow(**{"4": {"ckpt_name": "juggernaut_xl.safetensors"}}))
    with serve() as server:
        result = run("probe", "--server", server.url, "--output-format", "concise", str(path))
    assert result.exit_code == 1
    assert "M401" in result.output and "'SDXL/juggernaut_xl.safetensors'" in result.output


def test_submit_prints_the_servers_verdict_beside_ours(write_json):
    path = write_json("wf.json", workflow(**{"4": {"ckpt_name": "missing.safetensors"}}))
    with serve() as server:
        result = run("probe", "--server", server.url, "--submit", str(path))
    assert result.exit_code == 1
    assert "comfylint: M401" in result.output
    assert "HTTP 400 prompt_outputs_failed_validation: #4 value_not_in_list" in result.output
    [(_, _, _, body)] = [r for r in server.requests if r[0] == "POST"]
    assert json.loads(body)["prompt"]["4"]["inputs"]["ckpt_name"] == "missing.safetensors"


def test_submit_and_wait_follow_the_history(write_json):
    path = write_json("wf.json", VALID)
    with serve(Behaviour(history_after=1)) as server:
        result = run("probe", "--server", server.url, "--submit", "--wait", "--poll-interval", "0",
                     "--output-format", "json", str(path))
    report = json.loads(result.output)
    [submission] = report["submissions"]
    assert submission["status"] == 200 and submission["comfylint_errors"] == []
    assert submission["execution"]["status"] == "error"
    assert "SafetensorError" in submission["execution"]["error"]
    assert result.exit_code == 1
    assert server.history_polls == 2


@pytest.mark.parametrize("behaviour,message", [
    (Behaviour(token="t"), "HTTP 401"),
    (Behaviour(html=True), "is this a ComfyUI server"),
    (Behaviour(fail={"/object_info": 500}), "HTTP 500"),
])
def test_probe_failures_exit_2_without_traceback(behaviour, message):
    with serve(behaviour) as server:
        result = CliRunner().invoke(cli, ["probe", "--server", server.url, "--timeout", "2"])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_probe_of_a_down_server_exits_2():
    result = CliRunner().invoke(cli, ["probe", "--server", closed_port_url()])
    assert result.exit_code == 2 and "connection refused" in result.output


def test_check_with_server_judges_models_and_exits_2_when_down(write_json):
    path = write_json("wf.json", workflow(**{"4": {"ckpt_name": "V1-5-pruned-emaonly.safetensors"}}))
    with serve() as server:
        result = run("check", "--server", server.url, "--output-format", "json", str(path))
    codes = [d["code"] for d in json.loads(result.output)["diagnostics"]]
    assert codes == ["M401"] and result.exit_code == 1
    down = CliRunner().invoke(cli, ["check", "--server", closed_port_url(), str(path)])
    assert down.exit_code == 2 and "connection refused" in down.output


def test_check_sends_the_token_header(write_json):
    path = write_json("wf.json", VALID)
    with serve(Behaviour(token="Bearer s3cret")) as server:
        result = run("check", "--server", server.url, "--token", "s3cret", str(path))
    assert result.exit_code == 0, result.output
