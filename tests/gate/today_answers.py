"""Answers of today's workflow-task OpenAPI written from the behavior file
(`zadig-openapi-workflow-behavior.md`), one at a time, for the tests of the per-answer checks
the gate (`contract_tests.custom_checks`) and the proxy (`api_contract.today_checks`) make."""

from __future__ import annotations

import json

from api_contract.exchange import Exchange

MONGO = "mongo: no documents in result"
# §5.4 and §7: cancel of an unknown task, in §1's envelope.
CANCEL_UNKNOWN = {
    "type": "error",
    "message": "取消工作流任务失败",
    "code": 6163,
    "description": MONGO,
    "extra": {},
}

# §5.2: a task whose stage holds a nil slice of jobs, which Go writes as null.
NIL_JOBS_TASK = {
    "task_id": 1,
    "workflow_key": "wf",
    "workflow_name": "wf",
    "status": "running",
    "stages": [{"name": "build", "status": "running", "jobs": None}],
}


def answer(status: int, body: object) -> Exchange:
    """An answer with `body` (JSON, or the text itself when a string; "" is no body)."""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    headers = {"content-type": "application/json"} if text else {}
    return Exchange("GET", "http://x", {}, None, status, headers, text)


def row(task_id: int, create_time: int, project: str = "demo", status: str = "passed") -> dict:
    """A row of the list (§5.3's fields)."""
    return {
        "workflow_key": "wf",
        "workflow_name": "wf",
        "project_key": project,
        "task_id": task_id,
        "create_time": create_time,
        "task_creator": "admin",
        "start_time": create_time,
        "end_time": create_time + 1,
        "status": status,
    }


def listing(rows: list[dict]) -> Exchange:
    return answer(200, {"total": len(rows), "workflow_tasks": rows})
