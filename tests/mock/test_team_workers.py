"""`zadig-mock --workers N` on a shared state, and --admin-token for a mock others can reach."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from .support import CATALOGUE, CREATE, PAGE_EXAMPLE, PIPELINE, MockProcess, run_mock
from .team_support import AUTH, RedisServer, create_many, ids_of

N = 400


def workers(proc: MockProcess) -> int:
    """How many worker processes uvicorn started under the mock's process (spawned)."""
    children = Path(f"/proc/{proc.proc.pid}/task/{proc.proc.pid}/children").read_text().split()
    commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children]
    return sum(b"spawn_main" in command for command in commands)


def check_400_creates(proc: MockProcess) -> None:
    assert workers(proc) == 2
    answers = create_many([proc.port], N)
    assert [s for s, _ in answers].count(200) == N, [a for a in answers if a[0] != 200][:3]
    assert ids_of(answers) == list(range(1, N + 1))
    tasks = httpx.get(f"{proc.url}/_mock/tasks", params={"pipeline": PIPELINE}).json()
    assert sorted(t["task_id"] for t in tasks) == list(range(1, N + 1))


def test_two_workers_on_sqlite_hand_out_ids_1_to_400(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    with MockProcess("--workers", "2", "--state", state, "--task-duration", "0", "--quiet") as proc:
        check_400_creates(proc)
        # One forced answer for both workers, used once.
        httpx.post(
            f"{proc.url}/_mock/next",
            json={"operation": "createWorkflowTask", "code": 6542, "times": 2},
        )
        answers = create_many([proc.port], 40)
        assert [body.get("code") for s, body in answers if s == 400] == [6542, 6542]
        assert ids_of(answers) == list(range(N + 1, N + 39))


def test_two_workers_on_redis_hand_out_ids_1_to_400(tmp_path: Path) -> None:
    with (
        RedisServer(tmp_path) as server,
        MockProcess(
            "--workers", "2", "--state", server.url, "--task-duration", "0", "--quiet"
        ) as proc,
    ):
        check_400_creates(proc)


def test_workers_without_a_shared_state_is_a_usage_error() -> None:
    run = run_mock("--workers", "2")
    assert run.returncode == 2
    assert "--workers needs a shared --state" in run.stderr and "Traceback" not in run.stderr


def test_admin_token_guards_the_admin_api() -> None:
    with (
        MockProcess("--admin-token", "s3cret", "--quiet") as proc,
        httpx.Client(base_url=proc.url) as client,
    ):
        for method, path in [
            ("GET", "/_mock/tasks"),
            ("POST", "/_mock/reset"),
            ("GET", "/_mock/requests"),
            ("POST", "/_mock/next"),
        ]:
            for headers in ({}, {"Authorization": "Bearer wrong"}):
                answer = client.request(method, path, headers=headers, json={})
                assert answer.status_code == 401, (method, path, answer.text)
                body = answer.json()
                assert body["code"] == 401 and body["message"] == CATALOGUE["401"]["message"]
        granted = {"Authorization": "Bearer s3cret"}
        assert client.get("/_mock/tasks", headers=granted).status_code == 200
        assert client.get("/_mock/health").status_code == 200  # a probe needs no token
        # The API itself is the gateway's business, not the admin token's.
        assert client.post(CREATE, json=PAGE_EXAMPLE, headers=AUTH).status_code == 200


@pytest.mark.parametrize("state", ["memory", "sqlite"])
def test_health_reports_the_state(tmp_path: Path, state: str) -> None:
    args = ["--state", str(tmp_path / "s.sqlite")] if state == "sqlite" else []
    with MockProcess(*args, "--quiet") as proc:
        health = httpx.get(f"{proc.url}/_mock/health").json()
    assert health == {"status": "ok", "state": state, "reachable": True}


def test_another_seed_than_the_state_file_was_made_with_exits_2(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    with MockProcess("--state", state, "--quiet"):
        pass
    seed = tmp_path / "other.yaml"
    seed.write_text("projects: {other: {envs: [dev]}}\nworkflows: {w: {project: other}}\n")
    run = run_mock("--state", state, "--seed", str(seed))
    assert run.returncode == 2, run.stderr
    assert "made with another seed" in run.stderr and "Traceback" not in run.stderr
