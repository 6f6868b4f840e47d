"""The mock serves today's workflow-task OpenAPI (`/openapi/workflows/custom/...`) beside the
v1.7.1 page: every row of the behavior file's error catalogue (section 7) over HTTP, with the
exact status and body (the envelope, aslan's plain 500, empty bodies), the lifecycle on the
mock's clock, on each store. Expected values are the behavior file's, written out here."""

from __future__ import annotations

import pytest

from mock_server.app import create_app
from mock_server.options import MockOptions

from .support import AUTH, FakeClock, api_client
from .today_bodies import MONGO, P, envelope, plain

# Out of the box: the world of the spec's examples (the page's trigger and approve examples).
PROJECT, WORKFLOW, APPROVAL = "helm", "test-openapi", "infra-dev-workflow"
DURATION = 30.0


@pytest.fixture(params=["memory", "sqlite"])
def setup(request, tmp_path):
    clock = FakeClock()
    state = None if request.param == "memory" else tmp_path / "state.db"
    app = create_app(MockOptions(clock=clock, task_duration=DURATION, state_file=state))
    return api_client(app), clock


def trigger(client, workflow=WORKFLOW, jobs=("build-myapps",), **more):
    body = {"project_key": PROJECT, "workflow_key": workflow, **more}
    body["inputs"] = [{"job_name": j, "job_type": "zadig-build", "parameters": {}} for j in jobs]
    return client.post(f"{P}/task", json=body)


def detail(client, task_id, workflow=WORKFLOW):
    return client.get(f"{P}/task", params={"taskId": task_id, "workflowKey": workflow})


# (situation, method, path, body or raw bytes, HTTP status, body; None = empty)
ROWS = [
    (
        "trigger: bad JSON",
        "POST",
        "/task",
        b"",
        400,
        envelope(400, "Bad Request", "unexpected end of JSON input"),
    ),
    (
        "trigger: unknown workflow",
        "POST",
        "/task",
        {"project_key": PROJECT, "workflow_key": "nope"},
        400,
        envelope(6542, "查询workflow失败", MONGO),
    ),
    (
        "trigger: no jobs selected",
        "POST",
        "/task",
        {"project_key": PROJECT, "workflow_key": WORKFLOW},
        400,
        envelope(
            6160, "创建工作流任务失败", "no stage found in workflow task: test-openapi,taskID: 1"
        ),
    ),
    (
        "trigger: bad param",
        "POST",
        "/task",
        {
            "project_key": PROJECT,
            "workflow_key": WORKFLOW,
            "parameters": [{"name": "nope", "type": "string", "value": "x"}],
        },
        500,
        plain("param nope not found in workflow"),
    ),
    (
        "detail: unknown task",
        "GET",
        "/task?taskId=9&workflowKey=test-openapi",
        None,
        500,
        plain(MONGO),
    ),
    ("detail: non-numeric id", "GET", "/task?taskId=abc&workflowKey=test-openapi", None, 400, None),
    (
        "cancel: non-numeric id",
        "DELETE",
        "/task?taskId=abc&workflowKey=test-openapi",
        None,
        400,
        None,
    ),
    (
        "list: non-numeric page",
        "GET",
        "/test-openapi/tasks?projectKey=helm&pageNum=x",
        None,
        400,
        None,
    ),
    (
        "cancel: unknown task",
        "DELETE",
        "/task?taskId=9&workflowKey=test-openapi",
        None,
        400,
        envelope(6163, "取消工作流任务失败", MONGO),
    ),
    (
        "retry: bad path id",
        "POST",
        "/test-openapi/task/abc",
        None,
        400,
        envelope(400, "Bad Request", "taksID is invalid"),
    ),
    (
        "retry: unknown task",
        "POST",
        "/test-openapi/task/9",
        None,
        400,
        envelope(6161, "获取工作流任务失败", MONGO),
    ),
    ("approve: bad JSON", "POST", "/task/approve", b"{", 500, None),
    (
        "approve: missing fields",
        "POST",
        "/task/approve",
        {"workflow_key": APPROVAL, "stage_name": "deploy"},
        400,
        envelope(
            6169,
            "批准工作流任务失败",
            "can not find approved workflow: infra-dev-workflow, taskID: 0,jobName: deploy",
        ),
    ),
    (
        "approve: no pending approval",
        "POST",
        "/task/approve",
        {"workflow_key": APPROVAL, "stage_name": "deploy", "task_id": 5},
        400,
        envelope(6169, "批准工作流任务失败", "not found approval"),
    ),
    (
        "list: unknown workflow",
        "GET",
        "/nope/tasks?projectKey=helm",
        None,
        200,
        {"total": 0, "workflow_tasks": []},
    ),
    (
        "list: wrong project",
        "GET",
        "/test-openapi/tasks?projectKey=nope",
        None,
        200,
        {"total": 0, "workflow_tasks": []},
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "answer"), [pytest.param(*r[1:], id=r[0]) for r in ROWS]
)
def test_catalogue_rows(setup, method, path, body, status, answer) -> None:
    client, _ = setup
    kwargs = {"content": body} if isinstance(body, bytes) else {"json": body}
    response = client.request(method, P + path, **({} if body is None else kwargs))
    assert response.status_code == status, response.text
    if answer is None and status == 400:
        assert response.content == b""
    elif answer is None:  # approve's bad JSON: the plain 500 with Go's error after the prefix
        got = response.json()
        assert (set(got), got["message"], got["code"]) == (set(plain("")), "Internal Error: ", 500)
        assert got["description"].startswith("failed to unmarshal request data, error: ")
    else:
        assert response.json() == answer


def test_no_token_is_401_with_an_empty_body(setup) -> None:
    client, _ = setup
    response = client.get(f"{P}/task", params={"taskId": 1}, headers={"Authorization": ""})
    assert (response.status_code, response.content) == (401, b"")


def test_unknown_paths_and_methods_as_gin_answers_them(setup) -> None:
    client, _ = setup
    assert client.get("/openapi/nope").text == "Invalid path: /openapi/nope"
    response = client.put(f"{P}/task")
    assert (response.status_code, response.text) == (405, f"Method not allowed: PUT {P}/task")


def test_lifecycle_ids_list_cancel_retry(setup) -> None:
    client, clock = setup
    first = trigger(client).json()
    assert first == {"project_name": PROJECT, "workflow_name": WORKFLOW, "task_id": 1}
    assert trigger(client).json()["task_id"] == 2
    assert detail(client, 1).json()["status"] == "waiting"
    clock.advance(DURATION / 3)
    assert detail(client, 1).json()["status"] == "running"
    listed = client.get(f"{P}/{WORKFLOW}/tasks", params={"projectKey": PROJECT}).json()
    assert [row["task_id"] for row in listed["workflow_tasks"]] == [2, 1]  # newest first
    assert [row["status"] for row in listed["workflow_tasks"]] == ["running", "running"]
    assert {row["project_key"] for row in listed["workflow_tasks"]} == {PROJECT}
    assert client.delete(f"{P}/task", params={"taskId": 2, "workflowKey": WORKFLOW}).json() == {
        "message": "success"
    }
    cancelled = detail(client, 2).json()
    assert (cancelled["status"], cancelled["task_revoker"]) == ("cancelled", "admin")
    assert client.post(f"{P}/{WORKFLOW}/task/2").json() == {"message": "success"}
    assert detail(client, 2).json()["status"] == "waiting"  # same id, again
    clock.advance(DURATION)
    assert detail(client, 1).json()["status"] == "passed"
    refused = client.delete(f"{P}/task", params={"taskId": 1, "workflowKey": WORKFLOW})
    assert refused.json() == envelope(
        6163, "取消工作流任务失败", "task: test-openapi:1 is passed, cannot cancel"
    )


def test_list_pages_with_the_code_defaults(setup) -> None:
    client, clock = setup
    for _ in range(12):
        trigger(client)
        clock.advance(1)
    listed = client.get(f"{P}/{WORKFLOW}/tasks", params={"projectKey": PROJECT}).json()
    assert listed["total"] == 12
    assert [r["task_id"] for r in listed["workflow_tasks"]] == list(range(12, 2, -1))  # 10
    second = client.get(f"{P}/{WORKFLOW}/tasks", params={"projectKey": PROJECT, "pageNum": 2})
    assert [r["task_id"] for r in second.json()["workflow_tasks"]] == [2, 1]


def test_approve_the_page_example_out_of_the_box(setup) -> None:
    client, clock = setup
    task = trigger(client, APPROVAL, jobs=("deploy",)).json()
    clock.advance(DURATION / 3)
    job = detail(client, task["task_id"], APPROVAL).json()["stages"][0]["jobs"][0]
    assert job["status"] == "wait_for_approval"
    body = {"task_id": task["task_id"], "workflow_key": APPROVAL, "stage_name": "deploy"}
    assert client.post(f"{P}/task/approve", json={**body, "approve": True}).json() == {
        "message": "success"
    }
    clock.advance(DURATION)
    assert detail(client, task["task_id"], APPROVAL).json()["status"] == "passed"


def test_admin_forces_a_status_and_reset_forgets_the_tasks(setup) -> None:
    client, _ = setup
    trigger(client)
    forced = client.patch(f"/_mock/custom-tasks/{WORKFLOW}/1", json={"status": "failed"})
    assert forced.status_code == 200, forced.text
    assert detail(client, 1).json()["status"] == "failed"
    waiting = client.patch(
        f"/_mock/custom-tasks/{WORKFLOW}/1", json={"status": "wait_for_approval", "job": "x"}
    )
    assert waiting.status_code == 404
    assert client.post("/_mock/reset").status_code == 200
    assert detail(client, 1).status_code == 500


def test_the_v171_page_is_still_served(setup) -> None:
    client, _ = setup
    response = client.post(
        "/api/aslan/workflow/workflowtask/id/99/pipelines/proxy-workflow-dev/restart",
        headers=AUTH,
    )
    assert response.json()["code"] == 6164
