"""What the proxy console stands on: its page and files at the proxy's admin path, and
`/_proxy/exchanges` (the latest exchanges, each with its violations, credentials hidden), in
front of a faulty fake server. The page itself is tried in Chromium (tests/browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gate.fake_zadig import ServerThread, Switches, build_app

from .support import CREATE, InProcessProxy, proxy_in_process, task_path

FILES = Path(__file__).resolve().parents[2] / "contract_proxy" / "console"
TOKEN = "proxy-console-secret"


@pytest.fixture
def proxy() -> Iterator[InProcessProxy]:
    faulty = build_app(Switches(wrong_code="restart", tokens=(TOKEN,)))
    with ServerThread(faulty) as upstream, proxy_in_process(upstream.url) as proxy:
        yield proxy


def test_the_console_page_and_its_files(proxy: InProcessProxy) -> None:
    page = httpx.get(proxy.url + "/_proxy/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text == (FILES / "index.html").read_text(encoding="utf-8")
    for name in ("console.js", "console.css"):
        served = httpx.get(f"{proxy.url}/_proxy/console/{name}")
        assert served.text == (FILES / name).read_text(encoding="utf-8")
    # Nothing else of the package: other paths go upstream (the fake server knows none).
    assert httpx.get(proxy.url + "/_proxy/console/..%2fledger.py").status_code == 404
    assert proxy.ledger.exchanges == 1


def test_exchanges_list_each_with_its_violations_and_no_token(proxy: InProcessProxy) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    missing = task_path(7, restart=True)
    httpx.post(proxy.url + missing, params={"projectName": "proxy"}, headers=auth)
    httpx.post(proxy.url + CREATE, params={"token": TOKEN}, json={"workflow_name": 5})
    seen = httpx.get(proxy.url + "/_proxy/exchanges").json()
    assert TOKEN not in str(seen)
    assert (seen["exchanges"], seen["violations"]) == (2, len(proxy.report()["violations"]))
    restart, create = seen["recent"]
    assert (restart["id"], restart["method"], restart["path"]) == (
        1,
        "POST",
        f"{missing}?projectName=proxy",
    )
    assert restart["operation"] == "restartWorkflowTask"
    (violation,) = restart["violations"]
    assert violation["side"] == "response"
    assert any("6164" in problem for problem in violation["problems"])
    assert violation["curl"].startswith("curl -sS -i -X POST")
    assert '-H "authorization: Bearer $ZADIG_TOKEN"' in violation["curl"]

    assert create["path"] == f"{CREATE}?token=$ZADIG_TOKEN"
    assert "request" in {v["side"] for v in create["violations"]}

    httpx.post(proxy.url + "/_proxy/reset")
    assert httpx.get(proxy.url + "/_proxy/exchanges").json()["recent"] == []
    httpx.post(proxy.url + missing, params={"projectName": "proxy"}, headers=auth)
    (after,) = httpx.get(proxy.url + "/_proxy/exchanges").json()["recent"]
    assert after["id"] == 3  # ids go on: the console tells it from the ones before the reset
