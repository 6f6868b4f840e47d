"""Tasks move created -> queued -> running -> outcome with the clock; seeds shape the world."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.domain import INT64_MAX
from mock_server.options import MockOptions
from mock_server.seed import SeedError, build_world, default_seed, load_seed

from .support import (
    CREATE,
    PAGE_EXAMPLE,
    PIPELINE,
    FakeClock,
    api_client,
    assert_error,
    restart_path,
)

EXAMPLE_SEED = Path(__file__).resolve().parents[2] / "mock_server" / "seed-example.yaml"


def statuses(client: TestClient) -> dict[tuple[str, int], str]:
    return {
        (t["pipeline_name"], t["task_id"]): t["status"] for t in client.get("/_mock/tasks").json()
    }


def test_lifecycle_follows_the_clock(clock: FakeClock) -> None:
    with api_client(create_app(MockOptions(task_duration=30, clock=clock))) as client:
        client.post(CREATE, json=PAGE_EXAMPLE)
        seen = []
        for _ in range(4):
            seen.append(statuses(client)[(PIPELINE, 1)])
            clock.advance(10)
        assert seen == ["created", "queued", "running", "passed"]
        # Restart is refused while running or passed, as the clock says.
        assert_error(client.post(restart_path(1)), 6164, "task_not_restartable")


def test_restart_starts_the_lifecycle_again(clock: FakeClock) -> None:
    seed = {**default_seed(PAGE_EXAMPLE), "lifecycle": {"task_duration": 30, "failure_rate": 1.0}}
    with api_client(create_app(MockOptions(seed, clock=clock))) as client:
        client.post(CREATE, json=PAGE_EXAMPLE)
        clock.advance(30)
        assert statuses(client)[(PIPELINE, 1)] == "failed"
        assert client.post(restart_path(1)).status_code == 200
        assert statuses(client)[(PIPELINE, 1)] == "created"
        clock.advance(20)
        assert statuses(client)[(PIPELINE, 1)] == "running"


def test_forced_status_moves_on_from_there(clock: FakeClock) -> None:
    with api_client(create_app(MockOptions(task_duration=30, clock=clock))) as client:
        client.post(CREATE, json=PAGE_EXAMPLE)
        client.patch(f"/_mock/tasks/{PIPELINE}/1", json={"status": "running"})
        clock.advance(10)
        assert statuses(client)[(PIPELINE, 1)] == "passed"
        client.patch(f"/_mock/tasks/{PIPELINE}/1", json={"status": "blocked"})
        clock.advance(1000)
        assert statuses(client)[(PIPELINE, 1)] == "blocked"


def test_zero_duration_freezes_tasks(clock: FakeClock) -> None:
    with api_client(create_app(MockOptions(task_duration=0, clock=clock))) as client:
        client.post(CREATE, json=PAGE_EXAMPLE)
        clock.advance(10_000)
        assert statuses(client)[(PIPELINE, 1)] == "created"


def test_example_seed(clock: FakeClock) -> None:
    with api_client(create_app(MockOptions(load_seed(EXAMPLE_SEED), clock=clock))) as client:
        auth = {"Authorization": "Bearer admin-token"}
        assert statuses(client) == {
            (PIPELINE, 14): "passed",
            (PIPELINE, 15): "running",
            ("shop-nightly", 1): "failed",
        }
        answer = client.post(CREATE, json=PAGE_EXAMPLE, headers=auth)
        assert answer.json() == {"pipeline_name": PIPELINE, "task_id": 16}
        shop = {
            "workflow_name": "shop-nightly",
            "product_tmpl_name": "shop",
            "namespace": "staging",
            "targets": [{"name": "cart", "service_name": "cart", "product_name": "shop"}],
        }
        assert client.post(CREATE, json=shop, headers=auth).json()["task_id"] == 2
        clock.advance(30)
        assert statuses(client)[("shop-nightly", 2)] == "failed"  # the workflow's outcome
        assert statuses(client)[(PIPELINE, 16)] == "passed"
        client.post("/_mock/reset")
        assert ("shop-nightly", 2) not in statuses(client)


WORLD = {"projects": {"p": {"envs": ["dev"]}}, "workflows": {"w": {"project": "p"}}}


@pytest.mark.parametrize(
    ("seed", "says"),
    [
        (
            {"workflows": {"w": {"project": "missing"}}},
            "at workflows/w/project: unknown project 'missing'",
        ),
        (
            {**WORLD, "tasks": [{"pipeline": "w", "task_id": 1, "status": "done"}]},
            "at tasks/0/status: ",
        ),
        ({**WORLD, "tasks": [{"pipeline": "x", "task_id": 1}]}, "names unknown workflow 'x'"),
        ({"tokens": [{"projects": ["p"]}]}, '"token" is a required property'),
        ({"projects": ["p"]}, 'at projects: ["p"] is not of type "object"'),
        (
            {"projects": {"proxy": {"envs": "dev"}}},
            'at projects/proxy/envs: "dev" is not of type "array"',
        ),
        (
            {**WORLD, "tokens": [{"token": "t", "projects": "shop"}]},
            'at tokens/0/projects: "shop" is not of type "array"',
        ),
        (
            {"projects": {"p": {}}, "workflows": {"w": {"project": "p", "outcome": "running"}}},
            "at workflows/w/outcome: ",
        ),
        (
            {"projects": {"p": {}}, "workflows": {"w": {"project": "p", "next_task_id": 0}}},
            "at workflows/w/next_task_id: 0 is less than the minimum of 1",
        ),
        (
            {**WORLD, "tasks": [{"pipeline": "w", "task_id": INT64_MAX + 1}]},
            "at tasks/0/task_id: 9223372036854775808 is greater than the maximum",
        ),
        (
            {"projekts": {"p": {}}},
            "at the top level: Additional properties are not allowed ('projekts' was unexpected)",
        ),
        ({"projects": {1: {}}}, "names must be strings"),
        ({"lifecycle": {"failure_rate": 2}}, "at lifecycle/failure_rate: 2 is greater than"),
    ],
)
def test_bad_seed_is_refused(seed: dict, says: str) -> None:
    with pytest.raises(SeedError) as refused:
        build_world(seed)
    assert says in str(refused.value)


@pytest.mark.parametrize("state", [False, True])
def test_id_counter_stops_at_int64(tmp_path: Path, state: bool) -> None:
    """A seed can put a task at int64's maximum: the next create is refused in the envelope,
    and the counter does not move (aslan's counter is an int64)."""
    seed = {**default_seed(PAGE_EXAMPLE), "tasks": [{"pipeline": PIPELINE, "task_id": INT64_MAX}]}
    state_file = tmp_path / "state.sqlite" if state else None
    with api_client(
        create_app(MockOptions(seed, state_file=state_file, task_duration=0)),
        raise_server_exceptions=False,
    ) as client:
        for _ in range(2):
            answer = client.post(CREATE, json=PAGE_EXAMPLE)
            assert_error(answer, 500)
            assert "int64" in answer.json()["description"]
        assert [t["task_id"] for t in client.get("/_mock/tasks").json()] == [INT64_MAX]
    if state:
        with api_client(
            create_app(MockOptions(seed, state_file=state_file, task_duration=0)),
            raise_server_exceptions=False,
        ) as client:
            assert_error(client.post(CREATE, json=PAGE_EXAMPLE), 500)


def test_unreadable_seed_file(tmp_path: Path) -> None:
    bad = tmp_path / "seed.yaml"
    bad.write_text("projects: [unclosed\n")
    with pytest.raises(SeedError):
        load_seed(bad)
