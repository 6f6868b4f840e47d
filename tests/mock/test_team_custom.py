"""Today's workflow-task OpenAPI on a team mock: two processes on one redis-server (each test
starts its own) or one SQLite file, and each store's custom-task methods on their own. The
expected values are the behavior file's (per-workflow ids from 1, cancel any status but passed,
retry from cancelled with the same id, approvers from the world)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server.app import open_store
from mock_server.custom_workflow import COUNTER_PREFIX, CustomTask
from mock_server.seed import build_world
from mock_server.store import seed_fingerprint

from .support import MockProcess
from .team_support import AUTH, RedisServer, raw_request

P = "/openapi/workflows/custom"
PROJECT, WORKFLOW = "helm", "test-openapi"
APPROVAL_WORKFLOW, APPROVAL_JOB = "infra-dev-workflow", "deploy"
N = 120
TRIGGER = {
    "project_key": PROJECT,
    "workflow_key": WORKFLOW,
    "inputs": [{"job_name": "build-myapps", "job_type": "zadig-build", "parameters": {}}],
}


@pytest.fixture(params=["redis", "sqlite"])
def state(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "state.db")
        return
    with RedisServer(tmp_path) as server:
        yield server.url


def trigger_many(ports: list[int], count: int, body: dict) -> list[tuple[int, object]]:
    async def run() -> list[tuple[int, object]]:
        calls = (raw_request(ports[i % 2], "POST", f"{P}/task", body) for i in range(count))
        return await asyncio.gather(*calls)

    return asyncio.run(run())


def detail(url: str, task_id: int, workflow: str = WORKFLOW) -> dict:
    query = {"taskId": task_id, "workflowKey": workflow}
    return httpx.get(f"{url}{P}/task", params=query, headers=AUTH).json()


def test_two_processes_one_todays_api(state: str) -> None:
    procs = [MockProcess("--state", state, "--task-duration", "0", "--quiet") for _ in range(2)]
    first, second = procs
    try:
        for proc in procs:
            proc.start()
        answers = trigger_many([first.port, second.port], N, TRIGGER)
        assert {status for status, _ in answers} == {200}, answers[:3]
        assert sorted(body["task_id"] for _, body in answers) == list(range(1, N + 1))
        # Reads from either process: the same tasks, the same total.
        for proc in procs:
            listed = httpx.get(
                f"{proc.url}{P}/{WORKFLOW}/tasks",
                params={"projectKey": PROJECT, "pageSize": 500},
                headers=AUTH,
            ).json()
            assert listed["total"] == N
            assert sorted(t["task_id"] for t in listed["workflow_tasks"]) == list(range(1, N + 1))
        assert detail(first.url, 7) == detail(second.url, 7)
        assert detail(second.url, 7)["status"] == "waiting"
        # Cancel through one, seen by the other; retry through the other, seen by the first.
        cancel = httpx.delete(
            f"{first.url}{P}/task", params={"taskId": 7, "workflowKey": WORKFLOW}, headers=AUTH
        )
        assert cancel.json() == {"message": "success"}
        assert detail(second.url, 7)["status"] == "cancelled"
        retried = httpx.post(f"{second.url}{P}/{WORKFLOW}/task/7", headers=AUTH)
        assert retried.json() == {"message": "success"}
        assert detail(first.url, 7)["status"] == "waiting"
        # A status forced through one process's admin API, approved through the other.
        made = httpx.post(
            f"{first.url}{P}/task",
            json={
                "project_key": PROJECT,
                "workflow_key": APPROVAL_WORKFLOW,
                "inputs": [{"job_name": APPROVAL_JOB, "job_type": "approval", "parameters": {}}],
            },
            headers=AUTH,
        ).json()
        task_id = made["task_id"]
        forced = httpx.patch(
            f"{first.url}/_mock/custom-tasks/{APPROVAL_WORKFLOW}/{task_id}",
            json={"status": "wait_for_approval", "job": APPROVAL_JOB},
        )
        assert forced.status_code == 200, forced.text
        approval = {
            "workflow_key": APPROVAL_WORKFLOW,
            "task_id": task_id,
            "stage_name": APPROVAL_JOB,
            "approve": True,
        }
        approved = httpx.post(f"{second.url}{P}/task/approve", json=approval, headers=AUTH)
        assert approved.json() == {"message": "success"}, approved.text
        again = httpx.post(f"{first.url}{P}/task/approve", json=approval, headers=AUTH)
        assert again.status_code == 400 and again.json()["code"] == 6169
        jobs = detail(first.url, task_id, APPROVAL_WORKFLOW)["stages"][0]["jobs"]
        assert [(j["name"], j["status"]) for j in jobs] == [(APPROVAL_JOB, "passed")]
        # A forced answer queued through one is taken once, by whichever process is called.
        queued = httpx.post(
            f"{first.url}/_mock/next",
            json={"operation": "getCustomWorkflowTask", "code": 500},
        )
        assert queued.status_code == 200, queued.text
        assert httpx.get(f"{second.url}{P}/task", params={"taskId": 1}, headers=AUTH).json() == {
            "code": 500,
            "description": "mongo: no documents in result",
            "message": "Internal Error: ",
        }
        assert detail(first.url, 1)["task_id"] == 1
        # Reset through one: both are back to no task, the counters from 1.
        assert httpx.post(f"{second.url}/_mock/reset").status_code == 200
        assert trigger_many([first.port, second.port], 2, TRIGGER)[0][0] == 200
        assert {detail(first.url, 1)["task_id"], detail(second.url, 2)["task_id"]} == {1, 2}
    finally:
        for proc in procs:
            proc.stop()


# -- each store's custom-task methods on their own ----------------------------------------------


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request, tmp_path: Path):
    server = None
    if request.param == "redis":
        server = RedisServer(tmp_path).__enter__()
        where = server.url
    else:
        where = None if request.param == "memory" else tmp_path / "state.db"
    opened = open_store(where)
    seed: dict = {}
    opened.attach(build_world(seed, 0), seed_fingerprint(seed))
    yield opened
    if server is not None:
        server.__exit__()


def task(key: str, task_id: int, status: str = "waiting") -> CustomTask:
    return CustomTask(
        key, task_id, PROJECT, "admin", status, 1.0, 1, 1, jobs=(("build-myapps", ""),)
    )


def test_store_custom_task_methods(store) -> None:
    async def run() -> None:
        assert await store.get_custom(WORKFLOW, 1) is None
        assert await store.custom_tasks(WORKFLOW) == []
        for made in (task(WORKFLOW, 2), task("other", 1), task(WORKFLOW, 1)):
            await store.put_custom(made)
        assert await store.get_custom(WORKFLOW, 2) == task(WORKFLOW, 2)
        assert await store.get_custom("other", 2) is None
        # One workflow's tasks, by id; another workflow's are not among them.
        assert await store.custom_tasks(WORKFLOW) == [task(WORKFLOW, 1), task(WORKFLOW, 2)]
        # A put replaces the task of that workflow and id.
        await store.put_custom(task(WORKFLOW, 2, "cancelled"))
        assert (await store.get_custom(WORKFLOW, 2)).status == "cancelled"
        assert len(await store.custom_tasks(WORKFLOW)) == 2
        # Counters per workflow, each from 1, atomic under concurrent calls.
        counter = COUNTER_PREFIX + WORKFLOW
        ids = await asyncio.gather(*(store.next_id(counter) for _ in range(50)))
        assert sorted(ids) == list(range(1, 51))
        assert await store.next_id(COUNTER_PREFIX + "other") == 1
        # Reset forgets today's tasks and counters too.
        await store.reset(build_world({}, 0))
        assert await store.custom_tasks(WORKFLOW) == []
        assert await store.get_custom("other", 1) is None
        assert await store.next_id(counter) == 1

    asyncio.run(run())
