"""The test page through `zadig-proxy`: the page on one origin calls the proxy on another
(bearer token, CORS preflights answered by the proxy), the proxy forwards to the mock, which
sends no CORS headers itself. The page works as against the mock, and the proxy's report
finds nothing wrong on either side."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_harness import REPO, TOKEN, http_json
from helpers import free_port, stop
from test_browser_frontend import (
    WORKFLOW,
    catalogue_entry,
    click,
    error_banner,
    open_page,
    shown_status,
)


@dataclass
class Proxy:
    """`python -m contract_proxy` on 127.0.0.1:port; its origin stands in for the mock's."""

    port: int
    log: Path
    process: subprocess.Popen

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return http_json(method, f"{self.origin}/_mock{path}", body)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture
def proxied(mock_factory, tmp_path: Path) -> Iterator[Proxy]:
    """The proxy in front of a mock without CORS, as a Mock whose origin is the proxy's."""
    upstream = mock_factory("--token", TOKEN, "--no-cors")
    port = free_port()
    log = tmp_path / f"proxy-{port}.log"
    command = [
        sys.executable,
        "-m",
        "contract_proxy",
        "--port",
        str(port),
        "--upstream",
        upstream.origin,
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT)
    proxy = Proxy(port, log, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{proxy.origin}/_proxy/report", timeout=2):
                break
        time.sleep(0.1)
    else:
        proxy.stop()
        pytest.fail(f"the proxy did not start: {proxy.output()}")
    yield proxy
    proxy.stop()


def report(proxy: Proxy) -> dict:
    with urllib.request.urlopen(f"{proxy.origin}/_proxy/report", timeout=10) as answer:
        return json.loads(answer.read())


def test_page_works_through_the_proxy(browser, proxied: Proxy, page_origin: str) -> None:
    open_page(browser, page_origin, proxied)
    created = click(browser, "create")
    assert created["outcome"] == "ok", created
    task_id = int(created["taskId"])
    cancelled = click(browser, "cancel")
    assert (cancelled["outcome"], cancelled["text"]) == ("ok", "cancel: success")
    shown_status(browser, "cancelled")
    restarted = click(browser, "restart")
    assert (restarted["outcome"], restarted["text"]) == ("ok", "restart: success")

    # The mock's admin API is outside the spec: forwarded, not checked.
    status, forced = proxied.admin("PATCH", f"/tasks/{WORKFLOW}/{task_id}", {"status": "passed"})
    assert (status, forced["status"]) == (200, "passed")
    shown_status(browser, "passed")
    refused = click(browser, "restart")
    entry = catalogue_entry(6164)
    assert (refused["outcome"], refused["code"]) == ("error", "6164"), refused
    reason = entry["reasons"]["task_not_restartable"]
    assert error_banner(browser) == f"{entry['message']} (6164): {reason}"

    seen = report(proxied)
    checked = {(c["operation"], c["rule"]) for c in seen["checks"]}
    assert {
        ("createWorkflowTask", "200"),
        ("cancelWorkflowTask", "200"),
        ("restartWorkflowTask", "200"),
        ("restartWorkflowTask", "400/6164"),
    } <= checked, checked
    assert seen["violations"] == []
    assert seen["unchecked"] >= 1  # the page's status polls
