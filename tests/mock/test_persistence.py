"""--state FILE: every acknowledged change survives kill -9; ids continue after a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from mock_server.app import create_app
from mock_server.domain import Task, World
from mock_server.options import MockOptions
from mock_server.sqlite_store import SqliteStore

from .support import (
    CREATE,
    PAGE_EXAMPLE,
    PIPELINE,
    MockProcess,
    api_client,
    cancel_path,
    http_client,
    restart_path,
)


def tasks(client: httpx.Client) -> dict[int, str]:
    return {t["task_id"]: t["status"] for t in client.get("/_mock/tasks").json()}


def test_state_file_survives_kill_9(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    args = ("--state", state, "--task-duration", "0", "--quiet")
    first = MockProcess(*args)
    first.start()
    try:
        with http_client(first.url) as client:
            ids = [client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"] for _ in range(20)]
            gap = client.post(CREATE, json={**PAGE_EXAMPLE, "targets": []})
            assert gap.json()["code"] == 6160
            assert client.delete(cancel_path(3)).status_code == 200
            assert client.patch(f"/_mock/tasks/{PIPELINE}/4", json={"status": "failed"}).is_success
            assert client.post(restart_path(4)).status_code == 200
            before = tasks(client)
    finally:
        first.kill()
    assert ids == list(range(1, 21))
    with MockProcess(*args) as second, http_client(second.url) as client:
        assert tasks(client) == before
        assert before[3] == "cancelled" and before[4] == "created"
        # Id 21 went to the refused create (the gap survives too).
        assert client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"] == 22


def test_reset_clears_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with api_client(create_app(MockOptions(state_file=state))) as client:
        client.post(CREATE, json=PAGE_EXAMPLE)
        client.post("/_mock/reset")
    with api_client(create_app(MockOptions(state_file=state))) as client:
        assert tasks(client) == {}
        assert client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"] == 1


def test_seeded_tasks_are_written_once(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    seed = {
        "projects": {"proxy": {"envs": ["dev"]}},
        "workflows": {PIPELINE: {"project": "proxy"}},
        "tasks": [{"pipeline": PIPELINE, "task_id": 5, "status": "passed"}],
    }
    with api_client(create_app(MockOptions(seed, state_file=state, task_duration=0))) as client:
        client.delete(cancel_path(5))  # refused: passed
        client.patch(f"/_mock/tasks/{PIPELINE}/5", json={"status": "failed"})
    with api_client(create_app(MockOptions(seed, state_file=state, task_duration=0))) as client:
        assert tasks(client) == {5: "failed"}  # the state file wins over the seed
        assert client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"] == 6


def test_a_failed_write_to_the_state_file_changes_nothing(tmp_path: Path) -> None:
    """A reset that fails half-way (here: a task the file cannot encode) is rolled back
    whole: the tasks and counters written before stay, and the file takes writes again."""
    store = SqliteStore(tmp_path / "state.sqlite")
    kept = Task(PIPELINE, 7, "proxy", "created", 1.0, 1.0, ({"name": "proxy"},))
    store.attach(World(tasks=[kept]), "seed")
    broken = Task(PIPELINE, 8, "proxy", "created", 1.0, 1.0, ({"name": object()},))

    async def run() -> tuple[list[Task], int]:
        with pytest.raises(TypeError):
            await store.reset(World(tasks=[broken]))
        return await store.all(), await store.next_id(PIPELINE)

    assert asyncio.run(run()) == ([kept], 8)
