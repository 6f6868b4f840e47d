"""The proxy in front of the faulty fake servers of tests/gate (written from the behavior
file, not from the mock): each fault is a response-side violation on the operation that
showed it, and a faithful server's variations are none."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from gate.fake_zadig import ServerThread, Switches, build_app

from .support import CREATE, PAGE_BODY, proxy_in_process, task_path

TOKEN = "fake-zadig-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUERY = {"projectName": "proxy"}
NO_TARGETS = {k: v for k, v in PAGE_BODY.items() if k != "targets"}
NO_NAMESPACE = {k: v for k, v in PAGE_BODY.items() if k != "namespace"}
UNKNOWN = {**PAGE_BODY, "workflow_name": "no-such-workflow", "product_tmpl_name": "no-such"}


@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    content: bytes | None = None
    query: dict[str, str] = field(default_factory=lambda: dict(QUERY))


CREATE_OK = Call("POST", CREATE, PAGE_BODY)
CREATE_UNKNOWN = Call("POST", CREATE, UNKNOWN)
RESTART_MISSING = Call("POST", task_path(999999, restart=True))
CANCEL_MISSING = Call("DELETE", task_path(999999))
CANCEL_FIRST = Call("DELETE", task_path(1))


def send(client: httpx.Client, base: str, call: Call) -> httpx.Response:
    return client.request(
        call.method,
        base + call.path,
        params=call.query,
        json=call.json,
        content=call.content,
        headers=AUTH,
    )


# (fault, switches, the calls, the operation that must be named, a phrase of the problem)
FAULTS = [
    (
        "wrong code on restart",
        Switches(wrong_code="restart"),
        [RESTART_MISSING],
        "restartWorkflowTask",
        "code 6161",
    ),
    (
        "wrong code on cancel",
        Switches(wrong_code="cancel"),
        [CANCEL_MISSING],
        "cancelWorkflowTask",
        "code 6161",
    ),
    (
        "wrong code on create",
        Switches(wrong_code="create"),
        [CREATE_UNKNOWN],
        "createWorkflowTask",
        "code 6161",
    ),
    (
        "envelope without extra",
        Switches(drop_field="extra"),
        [CANCEL_MISSING],
        "cancelWorkflowTask",
        "'extra' is a required property",
    ),
    (
        "type is not error",
        Switches(error_type="failure"),
        [RESTART_MISSING],
        "restartWorkflowTask",
        "'failure' is not one of ['error']",
    ),
    (
        "errors sent with HTTP 200",
        Switches(error_status=200),
        [RESTART_MISSING],
        "restartWorkflowTask",
        "success body",
    ),
    (
        "errors sent with HTTP 500",
        Switches(error_status=500),
        [CREATE_UNKNOWN],
        "createWorkflowTask",
        "HTTP status 500",
    ),
    (
        "500 on malformed JSON",
        Switches(malformed_json_500=True),
        [Call("POST", CREATE, content=b'{"workflow_name": ')],
        "createWorkflowTask",
        "HTTP status 500",
    ),
    (
        "text/plain errors",
        Switches(error_media_type="text/plain"),
        [Call("DELETE", task_path("abc"))],
        "cancelWorkflowTask",
        "text/plain",
    ),
    (
        "success with the wrong message",
        Switches(success_message="ok"),
        [CREATE_OK, CANCEL_FIRST],
        "cancelWorkflowTask",
        "'ok' is not one of ['success']",
    ),
    (
        "task_id as a string",
        Switches(task_id_as_string=True),
        [CREATE_OK],
        "createWorkflowTask",
        "'1' is not of type 'integer'",
    ),
    (
        "pipeline_name is not the workflow",
        Switches(pipeline_name="proxy"),
        [CREATE_OK],
        "createWorkflowTask",
        "pipeline_name 'proxy' is not the workflow_name sent",
    ),
    (
        "500 on an unknown query parameter",
        Switches(crash_on_unknown_query=True),
        [Call("POST", task_path(5, restart=True), query={**QUERY, "x": "1"})],
        "restartWorkflowTask",
        "HTTP status 500",
    ),
    (
        "create without targets accepted",
        Switches(accept_no_targets=True),
        [Call("POST", CREATE, {**PAGE_BODY, "targets": []}), Call("POST", CREATE, NO_TARGETS)],
        "createWorkflowTask",
        "accepted a create without `targets`",
    ),
    (
        "null body answered 500 (v1.7.1's defect)",
        Switches(null_body_500=True),
        [Call("POST", CREATE, content=b"null")],
        "createWorkflowTask",
        "HTTP status 500",
    ),
    (
        "another message for a code",
        Switches(wrong_message=6163),
        [CANCEL_MISSING],
        "cancelWorkflowTask",
        "the catalogue says",
    ),
]


@pytest.mark.parametrize(
    ("switches", "calls", "operation", "phrase"),
    [pytest.param(*fault[1:], id=fault[0]) for fault in FAULTS],
)
def test_fault_is_named_on_its_operation(
    switches: Switches, calls: list[Call], operation: str, phrase: str
) -> None:
    with ServerThread(build_app(switches)) as fake, proxy_in_process(fake.url) as proxy:
        with httpx.Client(timeout=10) as client:
            for call in calls:
                send(client, proxy.url, call)
        found = proxy.response_violations()
    assert found, f"no response-side violation; expected one on {operation} ({phrase})"
    assert {v["operation"] for v in found} == {operation}, found
    problems = [p for v in found for p in v["problems"]]
    assert any(phrase in p for p in problems), problems


FAITHFUL_SESSION = [
    CREATE_OK,
    CREATE_OK,
    CANCEL_FIRST,
    CANCEL_FIRST,  # cancel of a cancelled task: success again
    Call("POST", task_path(1, restart=True)),
    CREATE_UNKNOWN,
    Call("POST", CREATE, {**PAGE_BODY, "namespace": "prod"}),  # 6160, unknown env
    Call("POST", CREATE, {**PAGE_BODY, "targets": []}),  # 6160, no stages
    Call("POST", CREATE, NO_TARGETS),  # 6160 as well
    Call("POST", CREATE, NO_NAMESPACE),  # 200 (build without deploy): a request finding only
    Call("POST", CREATE, content=b"not json"),
    RESTART_MISSING,
    CANCEL_MISSING,
    Call("DELETE", task_path("abc")),
    Call("GET", "/api/aslan/elsewhere"),  # outside the spec: forwarded, not checked
]


@pytest.mark.parametrize(
    "switches",
    [
        pytest.param(Switches(), id="as documented"),
        pytest.param(Switches(extra_fields=True), id="extra fields"),
        pytest.param(Switches(strict=True), id="stricter: incomplete bodies refused"),
        pytest.param(Switches(extra_headers=True), id="extra headers, charset"),
        pytest.param(Switches(description="other text"), id="other descriptions"),
        pytest.param(Switches(first_id=1000, id_step=7), id="other ids"),
        pytest.param(Switches(tokens=("another-token",)), id="gateway refuses, text/plain 401"),
    ],
)
def test_faithful_server_has_no_response_violation(switches: Switches) -> None:
    with ServerThread(build_app(switches)) as fake, proxy_in_process(fake.url) as proxy:
        with httpx.Client(timeout=10) as client:
            answers = [send(client, proxy.url, call).status_code for call in FAITHFUL_SESSION]
        report = proxy.report()
    assert report["exchanges"] == len(FAITHFUL_SESSION)
    assert report["unchecked"] == 1
    assert [v for v in report["violations"] if v["side"] == "response"] == [], answers
