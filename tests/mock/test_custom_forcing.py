"""Today's workflow-task OpenAPI bound through the rule sets (by method and path, whatever the
served spec calls its operations) and its forced answers (`Prefer: code=`, `/_mock/next`), each
answered as the behavior file's section 7 writes the row: the envelope, aslan's plain 500 or an
empty body. Expected values are the behavior file's, written out here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_server.app import create_app, spec_document
from mock_server.options import MockOptions
from openapi import CUSTOM_SPEC_PATH

from .support import FakeClock, api_client
from .today_bodies import MONGO, P, envelope, plain

PROJECT, WORKFLOW = "helm", "test-openapi"
PAGE = Path(__file__).resolve().parents[1] / "data" / "pages" / "custom-workflow-api.md"
TRIGGER = {
    "project_key": PROJECT,
    "workflow_key": WORKFLOW,
    "inputs": [{"job_name": "build-myapps", "job_type": "zadig-build", "parameters": {}}],
}


def body_of(response: Any) -> Any:
    return response.json() if response.content else None


@pytest.fixture
def client():
    with api_client(create_app(MockOptions(clock=FakeClock(), task_duration=30.0))) as c:
        yield c


# (operation, method, path, query, Prefer, HTTP status, body; None = empty): section 7's rows
QUERY = {"workflowKey": "wf", "taskId": "3"}
ROWS = [
    ("trigger", "POST", "/task", {}, "code=401", 401, None),
    ("trigger", "POST", "/task", {}, "code=403", 403, None),
    ("trigger", "POST", "/task", {}, "code=6542", 400, envelope(6542, "查询workflow失败", MONGO)),
    (
        "trigger",
        "POST",
        "/task",
        {},
        "code=6160; example=disabled",
        400,
        envelope(6160, "创建工作流任务失败", "workflow is disabled"),
    ),
    ("detail", "GET", "/task", QUERY, "code=500", 500, plain(MONGO)),
    ("detail", "GET", "/task", QUERY, "code=400", 400, None),
    ("detail", "GET", "/task", QUERY, "code=401", 401, None),
    (
        "cancel",
        "DELETE",
        "/task",
        QUERY,
        "code=6163; example=task_passed",
        400,
        envelope(6163, "取消工作流任务失败", "task: wf:3 is passed, cannot cancel"),
    ),
    ("cancel", "DELETE", "/task", QUERY, "code=400", 400, None),
    ("list", "GET", "/wf/tasks", {"projectKey": PROJECT}, "code=400", 400, None),
    (
        "retry",
        "POST",
        "/wf/task/3",
        {},
        "code=400; example=bad_path_id",
        400,
        envelope(400, "Bad Request", "taksID is invalid"),
    ),
    (
        "retry",
        "POST",
        "/wf/task/3",
        {},
        "code=6161",
        400,
        envelope(6161, "获取工作流任务失败", MONGO),
    ),
    ("retry", "POST", "/wf/task/3", {}, "code=500", 500, plain("工作流任务状态无法重试")),
    (
        "approve",
        "POST",
        "/task/approve",
        {},
        "code=6169; example=not_found_approval",
        400,
        envelope(6169, "批准工作流任务失败", "not found approval"),
    ),
]


@pytest.mark.parametrize(
    "method, path, query, preference, status, answer",
    [row[1:] for row in ROWS],
    ids=[f"{row[0]} {row[4]}" for row in ROWS],
)
def test_prefer_answers_each_row_as_written(
    client, method, path, query, preference, status, answer
) -> None:
    got = client.request(method, P + path, params=query, headers={"Prefer": preference})
    assert (got.status_code, body_of(got)) == (status, answer)


@pytest.mark.parametrize(
    ("method", "path", "query", "answer"),
    [
        ("GET", "/task", QUERY, (500, plain(MONGO))),
        ("POST", "/wf/task/3", {}, (400, envelope(6161, "获取工作流任务失败", MONGO))),
        ("DELETE", "/task", QUERY, (400, envelope(6163, "取消工作流任务失败", MONGO))),
    ],
)
def test_a_reason_alone_is_the_code_this_operation_answers_it_with(
    client, method, path, query, answer
) -> None:
    got = client.request(
        method, P + path, params=query, headers={"Prefer": "example=task_not_found"}
    )
    assert (got.status_code, got.json()) == answer


def test_a_reason_the_operation_does_not_answer_is_refused(client) -> None:
    got = client.get(f"{P}/task", params=QUERY, headers={"Prefer": "example=not_approver"})
    assert got.status_code == 400
    assert "needs code=" in got.json()["description"]


def test_a_forced_trigger_creates_nothing(client) -> None:
    refused = client.post(f"{P}/task", json=TRIGGER, headers={"Prefer": "code=6542"})
    assert refused.json()["code"] == 6542
    assert client.post(f"{P}/task", json=TRIGGER).json()["task_id"] == 1


def test_the_queue_answers_the_next_calls_of_one_operation(client) -> None:
    queued = client.post(
        "/_mock/next",
        json={"operation": "cancelCustomWorkflowTask", "code": 6163, "example": "task_passed"},
    )
    assert queued.status_code == 200, queued.text
    task = client.post(f"{P}/task", json=TRIGGER).json()["task_id"]  # not the queued operation
    query = {"workflowKey": WORKFLOW, "taskId": task}
    forced = client.delete(f"{P}/task", params=query)
    passed = f"task: {WORKFLOW}:{task} is passed, cannot cancel"
    assert (forced.status_code, forced.json()) == (
        400,
        envelope(6163, "取消工作流任务失败", passed),
    )
    assert client.delete(f"{P}/task", params=query).json() == {"message": "success"}
    journal = client.get("/_mock/requests").json()
    cancels = [e for e in journal if e["operation"] == "cancelCustomWorkflowTask"]
    assert [e["forced"] for e in cancels] == [
        {
            "operation": "cancelCustomWorkflowTask",
            "code": 6163,
            "example": "task_passed",
            "delay_ms": 0,
        },
        None,
    ]


def test_a_code_the_catalogue_lacks_is_refused(client) -> None:
    refused = client.post(
        "/_mock/next", json={"operation": "listCustomWorkflowTasks", "code": 6164}
    )
    assert refused.status_code == 400
    assert "6164 is not in the catalogue" in refused.json()["description"]
    assert client.get(f"{P}/task", headers={"Prefer": "code=6164"}).status_code == 400


def test_answers_lists_todays_operations_and_each_answers_as_listed(client) -> None:
    listed = {o["operation"]: o for o in client.get("/_mock/answers").json()}
    today = {
        "createCustomWorkflowTask": {401, 403, 400, 6542, 6160, 500},
        "getCustomWorkflowTask": {400, 401, 500},
        "cancelCustomWorkflowTask": {400, 401, 6163},
        "listCustomWorkflowTasks": {400, 401},
        "retryCustomWorkflowTask": {400, 401, 6161, 500},
        "approveCustomWorkflowTask": {401, 500, 6169},
    }
    calls = {
        "createCustomWorkflowTask": ("POST", f"{P}/task", {}),
        "getCustomWorkflowTask": ("GET", f"{P}/task", QUERY),
        "cancelCustomWorkflowTask": ("DELETE", f"{P}/task", QUERY),
        "listCustomWorkflowTasks": ("GET", f"{P}/wf/tasks", {}),
        "retryCustomWorkflowTask": ("POST", f"{P}/wf/task/3", {}),
        "approveCustomWorkflowTask": ("POST", f"{P}/task/approve", {}),
    }
    for operation, codes in today.items():
        answers = listed[operation]["answers"]
        assert {a["code"] for a in answers} == {200} | codes
        for answer in answers:
            if answer["code"] == 200:
                continue
            client.post(
                "/_mock/next",
                json={"operation": operation, "code": answer["code"], "example": answer["example"]},
            )
            method, path, query = calls[operation]
            got = client.request(method, path, params=query)
            assert got.status_code == answer["status"], (operation, answer)
            if answer["empty"]:
                assert got.content == b"", (operation, answer)
            else:
                assert got.json()["message"] == answer["message"], (operation, answer)
    # The rows whose bodies are empty, as section 7 writes them.
    empty = {(o, a["code"]) for o in today for a in listed[o]["answers"] if a.get("empty") is True}
    assert empty == {
        *((o, 401) for o in today),
        ("createCustomWorkflowTask", 403),
        ("getCustomWorkflowTask", 400),
        ("cancelCustomWorkflowTask", 400),
        ("listCustomWorkflowTasks", 400),
    }
    reasons = {a["example"] for a in listed["approveCustomWorkflowTask"]["answers"]}
    assert {"not_found_approval", "not_approver", "already_decided"} <= reasons


# -- the rule set bound by method and path ---------------------------------------------------


def scenario(client) -> list[tuple[int, Any]]:
    """A lifecycle on the mock's clock: the answers, in order."""
    clock = client.app.mock.clock
    got = []

    def keep(response) -> None:
        got.append((response.status_code, body_of(response)))

    for _ in range(2):
        keep(client.post(f"{P}/task", json=TRIGGER))
    keep(client.get(f"{P}/task", params={"taskId": 2, "workflowKey": WORKFLOW}))
    clock.advance(31)
    keep(client.get(f"{P}/{WORKFLOW}/tasks", params={"projectKey": PROJECT}))
    keep(client.delete(f"{P}/task", params={"taskId": 1, "workflowKey": WORKFLOW}))
    keep(client.post(f"{P}/{WORKFLOW}/task/2"))
    keep(client.get(f"{P}/task", params={"taskId": "x", "workflowKey": WORKFLOW}))
    keep(client.get(f"{P}/task", params={"taskId": 9, "workflowKey": WORKFLOW}))
    keep(client.post(f"{P}/{WORKFLOW}/task/abc"))
    keep(client.get(f"{P}/task", headers={"Prefer": "code=6542"}))
    keep(client.post(f"{P}/task", headers={"Prefer": "code=500"}))
    return got


# One world for both specs: each spec's own examples make its default world.
SEED = {
    "custom_workflows": {
        WORKFLOW: {
            "project": PROJECT,
            "stages": [
                {"name": "build", "jobs": [{"name": "build-myapps", "type": "zadig-build"}]}
            ],
        }
    }
}


def served(spec: dict[str, Any] | None) -> Any:
    options = MockOptions(spec=spec, seed=SEED, clock=FakeClock(), task_duration=30.0)
    return api_client(create_app(options))


def test_a_page_in_the_v41_layout_gets_todays_rules_as_the_committed_spec() -> None:
    page = spec_document(None, [str(PAGE)], warn=False)
    with served(None) as beside, served(page) as fresh:
        expected = scenario(beside)
        assert [status for status, _ in expected[:2]] == [200, 200]
        assert expected[2][1]["status"] == "waiting"  # stateful, not the page's example
        assert expected[3][1]["workflow_tasks"][0]["status"] == "passed"
        assert scenario(fresh) == expected
        # Today's operations are the served spec's: no v1.7.1 page beside them.
        assert fresh.post("/api/aslan/workflow/workflowtask", json={}).status_code == 404
        assert fresh.get("/_mock/answers").json()[0]["operation"] == "listCustomWorkflowTasks"


def renamed_today_spec() -> dict[str, Any]:
    """The committed spec of today's OpenAPI, other operationIds and path parameter names."""
    text = CUSTOM_SPEC_PATH.read_text(encoding="utf-8")
    for old, new in (("CustomWorkflowTask", "Run"), ("{workflowKey}", "{name}")):
        text = text.replace(old, new)
    text = text.replace("{taskID}", "{id}")
    spec = yaml.safe_load(text)
    for item in spec["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path":
                    parameter["name"] = {"workflowKey": "name", "taskID": "id"}.get(
                        parameter["name"], parameter["name"]
                    )
    return spec


def test_todays_rules_found_by_method_and_path_not_operation_id() -> None:
    spec = renamed_today_spec()
    assert "CustomWorkflowTask" not in str(spec["paths"])
    with served(None) as beside, served(spec) as renamed:
        assert scenario(renamed) == scenario(beside)
        queued = renamed.post("/_mock/next", json={"operation": "retryRun", "code": 6161})
        assert queued.status_code == 200, queued.text
        forced = renamed.post(f"{P}/{WORKFLOW}/task/1")
        assert forced.json() == envelope(6161, "获取工作流任务失败", MONGO)
