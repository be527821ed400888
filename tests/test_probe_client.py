"""The HTTP client against a real loopback server: every failure is a clear ProbeError."""
from __future__ import annotations

import json

import pytest

from comfylint.probe.client import ProbeError, ServerClient, auth_header, parse_header
from comfylint.probe.state import read_state
from loopback import Behaviour, closed_port_url, serve


def client(url: str, **kwargs) -> ServerClient:
    kwargs.setdefault("retry_delay", 0.01)
    return ServerClient(url, **kwargs)


def test_reads_the_whole_state_of_a_recorded_server():
    with serve() as server:
        state = read_state(client(server.url))
    assert state.comfyui_version == "0.3.64"
    assert state.manifest.models["checkpoints"] == ["SDXL/juggernaut_xl.safetensors",
                                                   "v1-5-pruned-emaonly.safetensors"]
    assert state.manifest.models["text_encoders"] == []  # empty is known, not unknown
    assert "custom_nodes" not in state.manifest.models and "configs" not in state.manifest.models
    assert state.manifest.input_files == ["cat.png", "example.png"]
    assert state.manifest.embeddings == ["easynegative"]
    assert state.queue["queue_pending"]
    assert state.system_summary()["devices"][0]["type"] == "cuda"
    assert "argv" not in state.system_summary()  # may hold secrets: never copied


def test_only_gets_are_sent_while_reading_state():
    with serve() as server:
        read_state(client(server.url))
    assert {method for method, *_ in server.requests} == {"GET"}


def test_server_down_is_a_clear_error():
    with pytest.raises(ProbeError, match="connection refused .*is ComfyUI running"):
        client(closed_port_url(), retries=1).get_json("/system_stats")


def test_401_names_the_credentials_options():
    with serve(Behaviour(token="secret-token")) as server:
        with pytest.raises(ProbeError, match=r"HTTP 401 .*--token or --header"):
            client(server.url).get_json("/system_stats")


def test_token_is_sent_bare_to_pai_eas_and_as_bearer_elsewhere():
    assert auth_header("https://123.cn-hangzhou.pai-eas.aliyuncs.com/api/x", "T0K") == \
        ("Authorization", "T0K")
    assert auth_header("https://api.example.com", "T0K") == ("Authorization", "Bearer T0K")
    assert auth_header("https://api.example.com", "Bearer T0K") == ("Authorization", "Bearer T0K")


def test_headers_reach_the_server():
    with serve(Behaviour(token="Bearer abc")) as server:
        name, value = parse_header("Authorization: Bearer abc")
        assert client(server.url, headers={name: value}).get_json("/system_stats")["system"]


def test_url_credentials_become_a_header_and_never_show():
    with serve() as server:
        probe = client(server.url.replace("http://", "http://user:pw@"))
        probe.get_json("/system_stats")
    assert "pw" not in probe.display_url
    assert server.requests[0][2]["Authorization"].startswith("Basic ")


def test_404_says_the_url_may_be_wrong():
    with serve() as server:
        with pytest.raises(ProbeError, match="HTTP 404 .*root of a ComfyUI server"):
            client(server.url).get_json("/no/such/route")


def test_500_is_retried_then_reported():
    with serve(Behaviour(fail={"/object_info": 500})) as server:
        with pytest.raises(ProbeError, match=r"HTTP 500 \(server error\).*after 3 attempts"):
            client(server.url, retries=2).get_json("/object_info")
    assert sum(path == "/object_info" for _, path, *_ in server.requests) == 3


def test_a_non_comfyui_server_is_named_so():
    with serve(Behaviour(html=True)) as server:
        with pytest.raises(ProbeError, match="not JSON .*text/html.*is this a ComfyUI server"):
            read_state(client(server.url))


def test_json_without_system_stats_shape_is_not_comfyui():
    with serve(Behaviour(body={"/system_stats": b'{"status": "ok"}'})) as server:
        with pytest.raises(ProbeError, match="does not look like a ComfyUI server"):
            read_state(client(server.url))


def test_a_slow_answer_times_out():
    with serve(Behaviour(delay={"/object_info": 2})) as server:
        with pytest.raises(ProbeError, match=r"no answer within 0.3 s.*--timeout"):
            client(server.url, timeout=0.3, retries=0).get_json("/object_info")


def test_an_answer_larger_than_allowed_is_refused():
    big = json.dumps({f"Node{i}": {"input": {}, "output": []} for i in range(20000)}).encode()
    with serve(Behaviour(body={"/object_info": big})) as server:
        with pytest.raises(ProbeError, match="MB allowed .*--max-mb"):
            client(server.url).get_json("/object_info", max_bytes=len(big) // 2)


def test_post_is_never_retried():
    with serve(Behaviour(fail={"/prompt": 500})) as server:
        with pytest.raises(ProbeError, match="HTTP 500"):
            client(server.url, retries=3).post_json("/prompt", {"prompt": {}})
    assert sum(method == "POST" for method, *_ in server.requests) == 1


def test_bad_server_url_and_header_are_usage_errors():
    with pytest.raises(ProbeError, match="expected an http"):
        ServerClient("localhost:8188")
    with pytest.raises(ProbeError, match="expected 'Name: value'"):
        parse_header("Authorization")


# -- credentials never leave for another origin; hostile answers end within --timeout ------------
def test_a_redirect_to_another_origin_never_receives_the_credentials():
    with serve() as elsewhere, serve(Behaviour(redirect={
            "/system_stats": (302, elsewhere.url + "/system_stats")})) as server:
        with pytest.raises(ProbeError, match=r"redirects to another origin .*127\.0\.0\.1.*--server"):
            client(server.url, headers={"Authorization": "Bearer s3cret-t0ken"}, retries=0) \
                .get_json("/system_stats")
        assert elsewhere.requests == []
        # Without credentials the redirect is followed (nothing to leak).
        assert client(server.url, retries=0).get_json("/system_stats")["system"]
    assert [path for _m, path, *_ in elsewhere.requests] == ["/system_stats"]


def test_a_redirect_within_the_origin_keeps_the_credentials():
    with serve(Behaviour(token="Bearer abc", redirect={"/old/system_stats": (301, "/system_stats")})) \
            as server:
        answer = client(server.url + "/old", headers={"Authorization": "Bearer abc"}) \
            .get_json("/system_stats")
    assert answer["system"]


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_server_trickling_its_answer_is_cut_at_the_timeout(part):
    with serve(Behaviour(trickle={"/system_stats": part})) as server:
        with pytest.raises(ProbeError, match="within 0.3 s|within the timeout"):
            client(server.url, timeout=0.3, retries=0).get_json("/system_stats")


@pytest.mark.parametrize("header", ["Authorization Bearer s3cret-t0ken", "Author ization: s3cret-t0ken",
                                    "Authorization: s3cret-t0ken\r\nX-Evil: 1",
                                    "Authorization: s3cret-t0ken\u2603"])
def test_a_malformed_header_is_an_error_that_never_shows_the_value(header):
    with pytest.raises(ProbeError) as error:
        parse_header(header)
    assert "s3cret" not in str(error.value)


@pytest.mark.parametrize("url", ["http://[::1", "http://local host:8188", "http://h:99999",
                                 "http://h\n:8188", "ftp://h", "http://", "http://héllo:8188"])
def test_a_bad_server_url_is_a_clear_error(url):
    with pytest.raises(ProbeError, match="--server"):
        ServerClient(url)


def test_retry_back_off_is_configured_by_the_environment(monkeypatch):
    monkeypatch.setenv("COMFYLINT_RETRY_DELAY", "2.5")
    assert ServerClient("http://127.0.0.1:1").retry_delay == 2.5
    monkeypatch.setenv("COMFYLINT_RETRY_DELAY", "")
    assert ServerClient("http://127.0.0.1:1").retry_delay == 0.5
    for bad in ("soon", "-1", "nan"):
        monkeypatch.setenv("COMFYLINT_RETRY_DELAY", bad)
        with pytest.raises(ProbeError, match="COMFYLINT_RETRY_DELAY"):
            ServerClient("http://127.0.0.1:1")


def test_retries_happen_without_sleeping_when_the_back_off_is_zero(monkeypatch):
    """The suite's setting (conftest): three attempts reach the server, none waits."""
    monkeypatch.setenv("COMFYLINT_RETRY_DELAY", "0")
    with serve(Behaviour(fail={"/object_info": 503})) as server:
        with pytest.raises(ProbeError, match="after 3 attempts"):
            ServerClient(server.url, retries=2).get_json("/object_info")
    assert [path for _method, path, *_ in server.requests].count("/object_info") == 3


def test_a_server_echoing_the_credentials_never_gets_them_printed():
    token = "s3cret-t0ken-1234567890"
    with serve(Behaviour(token="Bearer right-one-abcdef", echo_auth=True)) as server:
        with pytest.raises(ProbeError) as refused:
            client(server.url, headers={"Authorization": f"Bearer {token}"}).get_json("/system_stats")
    with serve(Behaviour(echo_auth=True)) as server:
        with pytest.raises(ProbeError) as not_json:
            client(server.url, headers={"Authorization": f"Bearer {token}"}).get_json("/system_stats")
    for error in (refused, not_json):
        assert "****" in str(error.value) and "s3cret" not in str(error.value), str(error.value)
