"""Today's OpenAPI on the mock: the list lower-cases a task's status, the detail gives it as
stored (the behavior file, sections 5.2 and 5.3). aslan's statuses include a mixed-case one,
`notRun` (section 4, config/consts.go), forced here through the admin API."""

from __future__ import annotations

from mock_server.app import create_app
from mock_server.options import MockOptions

from .support import FakeClock, api_client

P = "/openapi/workflows/custom"
PROJECT, WORKFLOW = "helm", "test-openapi"  # the page's trigger example


def test_the_list_lower_cases_the_status_and_the_detail_keeps_it() -> None:
    client = api_client(create_app(MockOptions(clock=FakeClock(), task_duration=30.0)))
    body = {
        "project_key": PROJECT,
        "workflow_key": WORKFLOW,
        "inputs": [{"job_name": "build-myapps", "job_type": "zadig-build", "parameters": {}}],
    }
    assert client.post(f"{P}/task", json=body).status_code == 200
    forced = client.patch(f"/_mock/custom-tasks/{WORKFLOW}/1", json={"status": "notRun"})
    assert forced.status_code == 200, forced.text

    detail = client.get(f"{P}/task", params={"taskId": 1, "workflowKey": WORKFLOW})
    listed = client.get(f"{P}/{WORKFLOW}/tasks", params={"projectKey": PROJECT})

    assert detail.json()["status"] == "notRun"
    assert [row["status"] for row in listed.json()["workflow_tasks"]] == ["notrun"]
