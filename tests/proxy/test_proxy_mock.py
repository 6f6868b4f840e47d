"""The proxy in front of the project's mock: the gate's full profile run through it finds
the mock conforming, and the proxy agrees (no response-side violation), while it names the
gate's deliberately bad requests on the request side."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from gate.runner import checked_rules, run_gate

from .support import CREATE, PAGE_BODY, InProcessProxy, mock_process, proxy_in_process

TOKEN = "proxy-mock-token"


@pytest.fixture(scope="module")
def proxy() -> Iterator[InProcessProxy]:
    with mock_process("--token", TOKEN) as url, proxy_in_process(url) as proxy:
        yield proxy


def test_gate_full_profile_through_the_proxy(proxy: InProcessProxy) -> None:
    httpx.post(proxy.url + "/_proxy/reset")
    run = run_gate(proxy.url, "--profile", "full", "--token", TOKEN)
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(checked_rules("full", auth=True, states=True)) == []
    report = proxy.report()
    assert report["exchanges"] > 50, report["exchanges"]
    response_side = [v for v in report["violations"] if v["side"] == "response"]
    assert response_side == []
    # The gate sends incomplete and mistyped bodies and non-integer ids on purpose.
    request_side = {v["operation"] for v in report["violations"] if v["side"] == "request"}
    assert {"createWorkflowTask", "cancelWorkflowTask"} <= request_side
    # Every operation's answers were checked, on several rows of the summary.
    checked = {(c["operation"], c["rule"]) for c in report["checks"]}
    for operation in ("createWorkflowTask", "restartWorkflowTask", "cancelWorkflowTask"):
        assert (operation, "200") in checked, checked


def test_create_without_namespace_is_a_request_finding_only(proxy: InProcessProxy) -> None:
    """Behavior file: no `namespace`, the rest valid -> 200 (a task is created). The mock
    answers as aslan does or refuses the body as incomplete: neither is a response-side
    violation, and the request is named for the field it lacks."""
    httpx.post(proxy.url + "/_proxy/reset")
    body = {k: v for k, v in PAGE_BODY.items() if k != "namespace"}
    answer = httpx.post(
        proxy.url + CREATE,
        params={"projectName": "proxy"},
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code in (200, 400), answer.text
    report = proxy.report()
    assert [v["side"] for v in report["violations"]] == ["request"]
    assert "'namespace' is a required property" in report["violations"][0]["problems"][0]
