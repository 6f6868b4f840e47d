"""The proxy on today's workflow-task OpenAPI (`zadig-proxy --api custom-workflow`): in front of
the stand-ins of tests/gate/fake_today.py (written from the behavior file, not from the mock)
each fault is a response-side violation on the operation that showed it, and the faithful
forms' traffic is none; in front of the mock, its answers (forced ones too) pass."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from gate.fake_today import Switches, build_app
from gate.fake_zadig import ServerThread

from api_contract.rule_sets import attached, rule_set
from api_contract.spec import load_contract
from contract_proxy.app import build_app as build_proxy
from contract_proxy.forwarding import Upstream
from contract_proxy.ledger import Ledger
from openapi import CUSTOM_SPEC_PATH

from .support import InProcessProxy, mock_process, start_proxy

P = "/openapi/workflows/custom"
CONTRACT = load_contract(CUSTOM_SPEC_PATH)
TODAY = {
    op.operation_id: role
    for role, op in attached(CONTRACT, [rule_set("custom-workflow", CONTRACT)])[
        "custom-workflow"
    ].items()
}
TRIGGER = {
    "project_key": "helm",
    "workflow_key": "test-openapi",
    "inputs": [{"job_name": "build-myapps", "job_type": "zadig-build", "parameters": {}}],
}


@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    query: dict[str, Any] = field(default_factory=dict)
    content: bytes | None = None
    token: str | None = "admin-token"


def detail(task_id: Any, key: str = "test-openapi") -> Call:
    return Call("GET", f"{P}/task", query={"taskId": task_id, "workflowKey": key})


TRIGGERED = Call("POST", f"{P}/task", TRIGGER)
LIST = Call("GET", f"{P}/test-openapi/tasks", query={"projectKey": "helm"})
CANCEL_FIRST = Call("DELETE", f"{P}/task", query={"taskId": 1, "workflowKey": "test-openapi"})
RETRY_FIRST = Call("POST", f"{P}/test-openapi/task/1")
CANCEL_MISSING = Call("DELETE", f"{P}/task", query={"taskId": 999, "workflowKey": "test-openapi"})
RETRY_MISSING = Call("POST", f"{P}/test-openapi/task/999")
UNKNOWN_WORKFLOW = Call("POST", f"{P}/task", {**TRIGGER, "workflow_key": "no-such"})
APPROVE_MISSING = Call(
    "POST",
    f"{P}/task/approve",
    {"workflow_key": "test-openapi", "task_id": 999, "stage_name": "approval", "approve": True},
)
# Faithful traffic: every operation, successes and the catalogue's errors in their forms.
TRAFFIC = [
    TRIGGERED,
    TRIGGERED,
    detail(1),
    LIST,
    CANCEL_FIRST,
    RETRY_FIRST,
    detail(999),  # plain 500
    detail("abc"),  # gin's empty 400
    CANCEL_MISSING,
    RETRY_MISSING,
    Call("POST", f"{P}/test-openapi/task/abc"),  # taksID is invalid
    UNKNOWN_WORKFLOW,
    Call("POST", f"{P}/task", content=b'{"workflow_key": '),  # bad JSON
    APPROVE_MISSING,
    Call("POST", f"{P}/task/approve", content=b"{"),  # plain 500
    Call("GET", f"{P}/no-such/tasks", query={"projectKey": "x"}),  # 200, no tasks
    Call("GET", f"{P}/task", query={"taskId": 1}, token=None),  # 401
]


PAUSE = Call("", "")  # a second between two calls


def send(client: httpx.Client, base: str, call: Call) -> httpx.Response | None:
    if call is PAUSE:
        time.sleep(1.1)
        return None
    headers = {"Authorization": f"Bearer {call.token}"} if call.token else {}
    return client.request(
        call.method,
        base + call.path,
        params=call.query,
        json=call.json,
        content=call.content,
        headers=headers,
    )


@contextmanager
def proxy_of(upstream: str) -> Iterator[InProcessProxy]:
    ledger = Ledger()
    app = build_proxy(CONTRACT, Upstream(upstream, 10), ledger=ledger, log=None, today=dict(TODAY))
    with ServerThread(app) as server:
        yield InProcessProxy(server.url, ledger)


def through(switches: Switches, calls: list[Call]) -> list[dict[str, Any]]:
    with ServerThread(build_app(switches)) as fake, proxy_of(fake.url) as proxy:
        with httpx.Client(timeout=10) as client:
            for call in calls:
                send(client, proxy.url, call)
        return proxy.response_violations()


FAITHFUL = [
    ("as the source", Switches()),
    ("more keys in answers", Switches(extra_fields=True)),
    ("the page's default page size", Switches(page_size_50=True)),
]


@pytest.mark.parametrize(("why", "switches"), FAITHFUL, ids=[f[0] for f in FAITHFUL])
def test_faithful_traffic_is_no_violation(why: str, switches: Switches) -> None:
    assert through(switches, TRAFFIC) == []


# (fault, switches, calls, the operation named, a phrase of the problem)
FAULTS = [
    (
        "an absent task is 404",
        Switches(detail_missing_status=404),
        [detail(999)],
        "getCustomWorkflowTask",
        "with HTTP 404",
    ),
    (
        "the plain 500 in the envelope",
        Switches(plain_error_with_type=True),
        [detail(999)],
        "getCustomWorkflowTask",
        "plain form has no type nor extra",
    ),
    (
        "another message on the plain 500",
        Switches(plain_message="Internal Error"),
        [detail(999)],
        "getCustomWorkflowTask",
        "message 'Internal Error'",
    ),
    (
        "a wrong code on cancel",
        Switches(cancel_code=6161),
        [CANCEL_MISSING],
        "cancelCustomWorkflowTask",
        "code 6161 is not an answer of cancelCustomWorkflowTask",
    ),
    (
        "an unknown code on trigger",
        Switches(trigger_code=6163),
        [UNKNOWN_WORKFLOW],
        "createCustomWorkflowTask",
        "code 6163 is not an answer of createCustomWorkflowTask",
    ),
    (
        "a wrong code on retry",
        Switches(retry_code=6163),
        [RETRY_MISSING],
        "retryCustomWorkflowTask",
        "code 6163 is not an answer of retryCustomWorkflowTask",
    ),
    (
        "a wrong code on approve",
        Switches(approve_code=6163),
        [APPROVE_MISSING],
        "approveCustomWorkflowTask",
        "code 6163 is not an answer of approveCustomWorkflowTask",
    ),
    (
        "the envelope without extra",
        Switches(drop_field="extra"),
        [CANCEL_MISSING],
        "cancelCustomWorkflowTask",
        "lacks extra",
    ),
    (
        "the list oldest first",
        Switches(list_oldest_first=True),
        [TRIGGERED, PAUSE, TRIGGERED, LIST],  # create_time is in seconds
        "listCustomWorkflowTasks",
        "not newest first",
    ),
    (
        "upper-case statuses in the list",
        Switches(list_upper_status=True),
        [TRIGGERED, LIST],
        "listCustomWorkflowTasks",
        "is not lower-cased",
    ),
    (
        "an unknown workflow's list is 404",
        Switches(list_unknown_404=True),
        [Call("GET", f"{P}/no-such/tasks", query={"projectKey": "helm"})],
        "listCustomWorkflowTasks",
        "HTTP 404",
    ),
    (
        "success with another message",
        Switches(success_message="ok"),
        [TRIGGERED, CANCEL_FIRST],
        "cancelCustomWorkflowTask",
        "expected aslan's {'message': 'success'}",
    ),
    (
        "no token accepted",
        Switches(ignore_auth=True),
        [Call("GET", f"{P}/test-openapi/tasks", query={"projectKey": "helm"}, token=None)],
        "listCustomWorkflowTasks",
        "without a token",
    ),
    (
        "a non-numeric id answered 500",
        Switches(non_numeric_status=500),
        [detail("abc")],
        "getCustomWorkflowTask",
        "HTTP 500",
    ),
]


@pytest.mark.parametrize(
    ("fault", "switches", "calls", "operation", "phrase"), FAULTS, ids=[f[0] for f in FAULTS]
)
def test_each_fault_is_a_violation_on_its_operation(
    fault: str, switches: Switches, calls: list[Call], operation: str, phrase: str
) -> None:
    violations = through(switches, calls)
    assert violations, f"{fault}: no violation"
    assert {v["operation"] for v in violations} == {operation}, violations
    said = " ".join(p for v in violations for p in v["problems"])
    assert phrase in said, said


def test_in_front_of_the_mock_its_answers_pass() -> None:
    calls = {
        "createCustomWorkflowTask": TRIGGERED,
        "getCustomWorkflowTask": detail(1),
        "listCustomWorkflowTasks": LIST,
        "cancelCustomWorkflowTask": CANCEL_FIRST,
        "retryCustomWorkflowTask": RETRY_FIRST,
        "approveCustomWorkflowTask": APPROVE_MISSING,
    }
    with mock_process("--token", "admin-token") as mock, proxy_of(mock) as proxy:
        with httpx.Client(timeout=10) as client:
            for call in TRAFFIC:
                send(client, proxy.url, call)
            # Every answer the mock documents for today's operations, forced through the queue.
            forced = 0
            for listed in client.get(f"{mock}/_mock/answers").json():
                call = calls.get(listed["operation"])
                for answer in listed["answers"] if call else ():
                    queued = {"operation": listed["operation"], "code": answer["code"]}
                    client.post(f"{mock}/_mock/next", json={**queued, "example": answer["example"]})
                    got = send(client, proxy.url, call)
                    assert got is not None
                    if answer["code"] != 200:  # 200: the rules' own answer
                        assert got.status_code == answer["status"], answer
                    forced += 1
        assert forced >= 25
        assert proxy.response_violations() == []
        assert proxy.report()["exchanges"] == len(TRAFFIC) + forced


def test_the_command_picks_todays_api(tmp_path: Path) -> None:
    with ServerThread(build_app(Switches(detail_missing_status=404))) as fake:
        proxy = start_proxy(tmp_path, "--upstream", fake.url, "--api", "custom-workflow")
        try:
            with httpx.Client(timeout=10) as client:
                send(client, proxy.url, detail(999))
                send(client, proxy.url, TRIGGERED)
            report = httpx.get(proxy.url + "/_proxy/report").json()
        finally:
            assert proxy.stop(signal.SIGTERM) == 0
    [violation] = [v for v in report["violations"] if v["side"] == "response"]
    assert violation["operation"] == "getCustomWorkflowTask"
    assert "getCustomWorkflowTask" in proxy.output()
