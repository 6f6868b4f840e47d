"""Which web pages may drive the mock and the proxy, and by which Host name, on the real
commands: a form post from another origin resets nothing, curl and the servers' own pages
still do; the journal and the report are readable cross-origin only by allowed origins; a
server bound to 127.0.0.1 answers only local Host names unless told more (DNS rebinding)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "bench"))  # after tests/: bench has a proxy.py of its own
from attacks import HOST, server  # noqa: E402

CREATE = "/api/aslan/workflow/workflowtask?projectName=proxy"
BODY = {
    "workflow_name": "proxy-workflow-dev",
    "product_tmpl_name": "proxy",
    "namespace": "dev",
    "targets": [{"name": "proxy", "service_name": "proxy", "product_name": "proxy"}],
}
# What a browser sends for <form method=post action=.../_mock/reset> on another site's page.
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"}
ENVELOPE = {"code", "description", "extra", "message", "type"}


@contextlib.contextmanager
def mock(*options: str) -> Iterator[str]:
    with server("mock_server", "--no-auth", *options) as port:
        yield f"http://{HOST}:{port}"


@contextlib.contextmanager
def proxy(*options: str) -> Iterator[tuple[str, str]]:
    with mock() as upstream, server("contract_proxy", "--upstream", upstream, *options) as port:
        yield f"http://{HOST}:{port}", upstream


def tasks(url: str) -> list:
    return httpx.get(url + "/_mock/tasks").json()


def test_a_form_post_from_another_origin_resets_nothing_on_the_mock() -> None:
    with mock() as url:
        assert httpx.post(url + CREATE, json=BODY).status_code == 200
        refused = httpx.post(url + "/_mock/reset", content=b"x=1", headers=FORM)
        local_page = httpx.post(
            url + "/_mock/reset", headers={"Origin": "http://localhost:3000"}
        )  # another program's page on this machine: refused too
        left = tasks(url)
        own_page = httpx.post(url + "/_mock/reset", headers={"Origin": url})  # its console
        curl = httpx.post(url + "/_mock/reset")  # no Origin: as the guides show
    assert refused.status_code == 403 and set(refused.json()) == ENVELOPE
    assert "--allow-origin http://evil.example" in refused.json()["description"]
    assert local_page.status_code == 403
    assert [t["task_id"] for t in left] == [1]
    assert own_page.status_code == 200 and curl.status_code == 200


def test_allow_origin_lets_that_page_call_and_read_the_admin_api() -> None:
    ui = "http://localhost:3000"
    with mock("--allow-origin", ui) as url:
        allowed = httpx.post(url + "/_mock/reset", headers={"Origin": ui})
        read = httpx.get(url + "/_mock/requests", headers={"Origin": ui})
        foreign = httpx.get(url + "/_mock/requests", headers={"Origin": "http://evil.example"})
        preflight = httpx.options(
            url + "/_mock/reset",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
        api = httpx.get(url + "/api/x", headers={"Origin": "http://evil.example"})
    assert allowed.status_code == 200
    assert read.headers["access-control-allow-origin"] == ui
    # The journal is served, but without CORS headers a page of another origin cannot read it.
    assert "access-control-allow-origin" not in foreign.headers
    assert "access-control-allow-origin" not in preflight.headers
    assert api.headers["access-control-allow-origin"] == "*"  # the API: any frontend


def test_a_form_post_from_another_origin_resets_nothing_on_the_proxy() -> None:
    with proxy() as (url, upstream):
        httpx.delete(url + "/api/aslan/workflow/workflowtask/id/1/pipelines/p")
        refused = httpx.post(url + "/_proxy/reset", content=b"x=1", headers=FORM)
        through = httpx.post(url + "/_mock/reset", content=b"x=1", headers=FORM)
        report = httpx.get(url + "/_proxy/report", headers={"Origin": "http://evil.example"})
        curl = httpx.post(url + "/_proxy/reset")
    assert refused.status_code == 403 and set(refused.json()) == ENVELOPE
    assert report.json()["exchanges"] == 2  # not reset (the refused mock reset went through)
    assert "access-control-allow-origin" not in report.headers
    assert through.status_code == 403  # forwarded, and the mock behind refuses it itself
    assert curl.status_code == 200


@pytest.mark.parametrize("kind", ["mock", "proxy"])
def test_bound_to_localhost_only_local_host_names_are_answered(kind: str) -> None:
    started = mock() if kind == "mock" else proxy()
    with started as where:
        url = where if kind == "mock" else where[0]
        port = url.rsplit(":", 1)[1]
        path = "/_mock/tasks"
        rebound = httpx.get(url + path, headers={"Host": f"evil.example:{port}"})
        names = [
            httpx.get(url + path, headers={"Host": host}).status_code
            for host in (f"localhost:{port}", f"127.0.0.1:{port}", "localhost")
        ]
    assert rebound.status_code == 400 and set(rebound.json()) == ENVELOPE
    assert "--allow-host" in rebound.json()["description"]
    assert names == [200, 200, 200]


def test_allow_host_names_a_team_mock() -> None:
    with mock("--allow-host", "mock.team.example") as url:
        port = url.rsplit(":", 1)[1]
        named = httpx.get(url + "/_mock/tasks", headers={"Host": f"mock.team.example:{port}"})
        other = httpx.get(url + "/_mock/tasks", headers={"Host": f"evil.example:{port}"})
    assert named.status_code == 200 and json.loads(named.text) == []
    assert other.status_code == 400
