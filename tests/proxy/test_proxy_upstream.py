"""Forwarding as a proxy must: transparent both ways, hop-by-hop headers handled, CORS like
the mock, large bodies, concurrent clients kept apart, and an upstream that is dead, slow,
hanging or breaks off its answer turned into 502/504 in Zadig's envelope, recorded."""

from __future__ import annotations

import gzip
import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import trustme
from gate.fake_zadig import DribblingServer, ServerThread, Switches, build_app
from helpers import free_port
from starlette.middleware.gzip import GZipMiddleware

from contract_proxy.forwarding import Upstream

from .support import CREATE, PAGE_BODY, RawServer, echo_app, proxy_in_process, task_path

TOKEN = "upstream-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def echo() -> ServerThread:
    with ServerThread(echo_app()) as server:
        yield server


def assert_envelope(answer: httpx.Response, code: int) -> dict:
    assert answer.status_code == code, answer.text
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert set(body) == {"code", "description", "extra", "message", "type"}, body
    assert (body["code"], body["type"], body["extra"]) == (code, "error", {})
    return body


def test_request_reaches_the_upstream_unchanged(echo: ServerThread) -> None:
    with proxy_in_process(echo.url) as proxy:
        answer = httpx.post(
            proxy.url + "/some/path%2Fx?b=2&a=1&a=%20",
            content=b'{"x": 1}',
            headers={
                **AUTH,
                "Content-Type": "application/json",
                "X-Custom": "v1",
                "Cookie": "c=1",
                "User-Agent": "ui-test/1",
                "Accept-Encoding": "identity",
            },
        )
    seen = answer.json()
    assert (seen["method"], seen["query"], seen["body"]) == ("POST", "b=2&a=1&a=%20", '{"x": 1}')
    headers = {k: v for k, v in seen["headers"]}
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["x-custom"] == "v1" and headers["cookie"] == "c=1"
    assert headers["host"] == echo.url.removeprefix("http://")
    # The client's own, not those of the proxy's HTTP client.
    assert (headers["user-agent"], headers["accept-encoding"]) == ("ui-test/1", "identity")
    assert answer.headers["x-upstream"] == "echo"


def test_upstream_url_keeps_the_path_and_query_as_sent() -> None:
    """Under the upstream's own path prefix; bytes a URL cannot hold are percent-encoded."""
    upstream = Upstream("https://zadig.example.com/gateway/", 5)
    url = upstream.url("/a%2Fb/任务".encode(), b"token=a%20b&x=1&y=?")
    assert bytes(url) == (
        b"https://zadig.example.com/gateway/a%2Fb/%E4%BB%BB%E5%8A%A1?token=a%20b&x=1&y=?"
    )


@pytest.fixture(scope="module")
def tls_echo(tmp_path_factory: pytest.TempPathFactory) -> tuple[ServerThread, str]:
    """The echo upstream over HTTPS, with a certificate from a private CA (its PEM file)."""
    ca = trustme.CA()
    folder = tmp_path_factory.mktemp("tls")
    server_pem, ca_pem = str(folder / "server.pem"), str(folder / "ca.pem")
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(server_pem)
    ca.cert_pem.write_to_path(ca_pem)
    with ServerThread(echo_app(), ssl_certfile=server_pem, ssl_keyfile=server_pem) as server:
        yield server, ca_pem


def test_https_upstream_with_a_private_ca_named_by_ssl_cert_file(
    tls_echo: tuple[ServerThread, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca_pem = tls_echo
    monkeypatch.setenv("SSL_CERT_FILE", ca_pem)
    with proxy_in_process(server.url) as proxy:
        # Several in a row: the TLS connection is kept and reused, as plain ones are.
        answers = [
            httpx.post(proxy.url + f"/tls/{n}", content=b"abc", headers=AUTH) for n in range(3)
        ]
    for n, answer in enumerate(answers):
        assert answer.status_code == 200, answer.text
        seen = answer.json()
        assert (seen["method"], seen["path"], seen["body"]) == ("POST", f"/tls/{n}", "abc")


def test_https_upstream_with_an_unknown_certificate_is_a_502(
    tls_echo: tuple[ServerThread, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _ = tls_echo
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with proxy_in_process(server.url) as proxy:
        answer = httpx.post(proxy.url + "/tls", content=b"abc", headers=AUTH)
    body = assert_envelope(answer, 502)
    assert "CERTIFICATE_VERIFY_FAILED" in body["description"], body


def test_hop_by_hop_headers_stay_on_their_hop(echo: ServerThread) -> None:
    with proxy_in_process(echo.url) as proxy:
        answer = httpx.get(
            proxy.url + "/x",
            headers={
                "Connection": "keep-alive, X-Hop",
                "X-Hop": "1",
                "Keep-Alive": "timeout=9",
                "TE": "trailers",
                "Proxy-Authorization": "Basic abc",
                "X-End": "2",
            },
        )
    names = {k for k, _ in answer.json()["headers"]}
    assert "x-end" in names
    assert not names & {"x-hop", "keep-alive", "te", "proxy-authorization"}, names
    # The upstream's Keep-Alive is its own connection's business too.
    assert "keep-alive" not in answer.headers


def test_status_headers_and_body_come_back_unchanged() -> None:
    with ServerThread(build_app(Switches(extra_headers=True))) as fake:
        direct = httpx.delete(fake.url + task_path(999999), headers=AUTH)
        with proxy_in_process(fake.url) as proxy:
            proxied = httpx.delete(proxy.url + task_path(999999), headers=AUTH)
    assert proxied.status_code == direct.status_code == 400
    assert proxied.content == direct.content
    for name in ("content-type", "x-request-id", "cache-control"):
        assert proxied.headers[name] == direct.headers[name]


@pytest.mark.parametrize("faulty", [False, True], ids=["faithful", "wrong code"])
def test_compressed_answers_pass_compressed_and_are_judged(faulty: bool) -> None:
    """A gateway may gzip JSON for a browser: the bytes pass as sent, the checks read them."""
    app = GZipMiddleware(build_app(Switches(wrong_code="cancel" if faulty else None)), 0)
    with ServerThread(app) as fake, proxy_in_process(fake.url) as proxy:
        raw = httpx.Client(headers={"Accept-Encoding": "gzip"}).build_request(
            "DELETE", proxy.url + task_path(999999), headers=AUTH
        )
        with httpx.Client() as client:
            answer = client.send(raw, stream=True)
            compressed = b"".join(answer.iter_raw())
        found = proxy.response_violations()
    assert answer.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(compressed))["code"] == (6161 if faulty else 6163)
    assert [v["problems"] for v in found] == (
        [["code 6161, expected 400 or 6163"]] if faulty else []
    )


def test_bodies_of_several_megabytes_pass_both_ways(echo: ServerThread) -> None:
    big = json.dumps({**PAGE_BODY, "note": "x" * (6 * 1024 * 1024)}).encode()
    with proxy_in_process(echo.url) as proxy:
        answer = httpx.post(proxy.url + "/blob?raw=1", content=big, headers=AUTH, timeout=30)
        checked = httpx.post(
            proxy.url + CREATE + "?projectName=proxy",
            content=big,
            headers={**AUTH, "Content-Type": "application/json"},
            timeout=30,
        )
        report = proxy.report()
    assert answer.status_code == 200 and answer.content == big
    assert checked.status_code == 200 and json.loads(checked.json()["body"]) == json.loads(big)
    # The create's answer (the echo, not a created task) is judged like any other.
    assert report["exchanges"] == 2 and report["unchecked"] == 1


def test_32_concurrent_clients_get_their_own_answers(echo: ServerThread) -> None:
    def client(n: int) -> tuple[int, str, str]:
        with httpx.Client(timeout=30) as http:
            answer = http.post(
                f"{proxy.url}/client/{n}?delay=0.2&n={n}",
                content=f"body of client {n}".encode() * (n + 1),
                headers={"X-Client": str(n)},
            )
        seen = answer.json()
        header = dict(seen["headers"])["x-client"]
        return n, seen["path"], seen["body"], header

    with proxy_in_process(echo.url) as proxy:
        started = time.monotonic()
        with ThreadPoolExecutor(32) as pool:
            results = list(pool.map(client, range(32)))
        elapsed = time.monotonic() - started
        report = proxy.report()
    for n, path, body, header in results:
        assert (path, body, header) == (f"/client/{n}", f"body of client {n}" * (n + 1), str(n))
    assert report["exchanges"] == 32
    # Served side by side, not one after another (32 x 0.2 s would be 6.4 s).
    assert elapsed < 5, elapsed


def test_cookies_set_for_one_client_stay_with_it(echo: ServerThread) -> None:
    with proxy_in_process(echo.url) as proxy:
        first = [httpx.get(f"{proxy.url}/login?cookie=client-{n}") for n in range(20)]
        later = httpx.get(proxy.url + "/whoami")
    assert first[0].headers["set-cookie"].startswith("session=client-0")
    assert "cookie" not in dict(later.json()["headers"])


def test_dead_upstream_is_502_in_the_envelope_and_recorded() -> None:
    with proxy_in_process(f"http://127.0.0.1:{free_port()}") as proxy:
        answer = httpx.post(proxy.url + CREATE, json=PAGE_BODY, headers=AUTH)
        report = proxy.report()
    body = assert_envelope(answer, 502)
    assert "refused" in body["description"]
    [violation] = report["violations"]
    assert (violation["side"], violation["operation"], violation["status"]) == (
        "response",
        "createWorkflowTask",
        502,
    )


@pytest.mark.parametrize(
    "upstream",
    [
        pytest.param(lambda: ServerThread(build_app(Switches(latency=3))), id="slow"),
        pytest.param(lambda: ServerThread(build_app(Switches(hang="restart"))), id="hanging"),
        pytest.param(lambda: DribblingServer(headers=True, pause=0.1), id="dribbling body"),
        pytest.param(lambda: DribblingServer(headers=False, pause=0.1), id="dribbling headers"),
    ],
)
def test_upstream_without_a_whole_answer_in_time_is_504(upstream) -> None:
    with upstream() as server, proxy_in_process(server.url, timeout=1) as proxy:
        started = time.monotonic()
        answer = httpx.post(proxy.url + task_path(5, restart=True), headers=AUTH, timeout=30)
        elapsed = time.monotonic() - started
        report = proxy.report()
    assert_envelope(answer, 504)
    assert elapsed < 3, elapsed
    [violation] = report["violations"]
    assert (violation["side"], violation["operation"]) == ("response", "restartWorkflowTask")


def test_upstream_closing_mid_answer_is_502() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    with RawServer(head + b'{"message": "succ') as server, proxy_in_process(server.url) as proxy:
        answer = httpx.delete(proxy.url + task_path(5), headers=AUTH)
        report = proxy.report()
    assert_envelope(answer, 502)
    assert report["violations"][0]["operation"] == "cancelWorkflowTask"


def test_cors_like_the_mock(echo: ServerThread) -> None:
    preflight = {
        "Origin": "http://ui.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    with proxy_in_process(echo.url) as proxy:
        answered = httpx.options(proxy.url + CREATE, headers=preflight)
        simple = httpx.get(proxy.url + "/x", headers={"Origin": "http://ui.example"})
        forwarded = proxy.report()["exchanges"]
    assert answered.status_code == 200
    assert answered.headers["access-control-allow-origin"] == "*"
    assert "POST" in answered.headers["access-control-allow-methods"]
    assert "authorization" in answered.headers["access-control-allow-headers"].lower()
    assert simple.headers["access-control-allow-origin"] == "*"
    assert forwarded == 1  # the preflight was answered by the proxy, not forwarded

    with proxy_in_process(echo.url, cors=False) as proxy:
        answered = httpx.options(proxy.url + CREATE, headers=preflight)
    assert answered.json()["method"] == "OPTIONS"  # forwarded to the upstream
    assert "access-control-allow-origin" not in answered.headers


def test_report_and_reset(echo: ServerThread) -> None:
    with proxy_in_process(echo.url) as proxy:
        httpx.delete(proxy.url + task_path("abc"), headers=AUTH)
        report = proxy.report()
        reset = httpx.post(proxy.url + "/_proxy/reset")
        after = proxy.report()
    assert report["exchanges"] == 1
    sides = sorted(v["side"] for v in report["violations"])
    assert sides == ["request", "response"]  # a non-integer id; the echo is no documented answer
    request_side = next(v for v in report["violations"] if v["side"] == "request")
    assert request_side["operation"] == "cancelWorkflowTask"
    assert "'abc', not an integer" in request_side["problems"][0]
    assert request_side["curl"].startswith("curl ") and "$ZADIG_TOKEN" in request_side["curl"]
    assert reset.status_code == 200
    assert (after["exchanges"], after["violations"]) == (0, [])
