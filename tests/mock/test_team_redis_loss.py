"""A Redis that loses the group's state (restarted without persistence, or come back with a
counter behind): said at start and by /_mock/health, logged loudly when it happens, and no id
the group acknowledged is ever handed out again (creates are refused until an operator
resets the mock)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from .support import CREATE, PAGE_EXAMPLE, PIPELINE, MockProcess
from .team_support import AUTH, RedisServer, create_many, ids_of

OPTIONS = ("--task-duration", "0")


def mocks(url: str, tmp_path: Path, size: int) -> list[MockProcess]:
    procs = []
    for i in range(size):
        proc = MockProcess("--state", url, *OPTIONS, log=tmp_path / f"mock-{i}.log")
        proc.start()
        procs.append(proc)
    return procs


def health(proc: MockProcess) -> dict:
    return httpx.get(f"{proc.url}/_mock/health").json()


def test_redis_without_persistence_is_said_at_start_and_by_health(tmp_path: Path) -> None:
    with RedisServer(tmp_path) as server:  # --save "" and no append-only file
        (mock,) = mocks(server.url, tmp_path, 1)
        try:
            found = health(mock)
        finally:
            mock.stop()
    log = (tmp_path / "mock-0.log").read_text()
    assert "WARNING" in log and "in memory only" in log and "--appendonly yes" in log
    assert found["status"] == "ok" and found["persistence"] == "none"
    assert "in memory only" in found["warning"]


def test_redis_with_an_append_only_file_gets_no_warning(tmp_path: Path) -> None:
    with RedisServer(tmp_path, durable=True) as server:
        (mock,) = mocks(server.url, tmp_path, 1)
        try:
            found = health(mock)
        finally:
            mock.stop()
    assert "in memory only" not in (tmp_path / "mock-0.log").read_text()
    assert found["persistence"] == "aof" and "warning" not in found


def test_a_restart_without_persistence_never_hands_out_an_acknowledged_id(tmp_path: Path) -> None:
    server = RedisServer(tmp_path)
    server.start()
    group = mocks(server.url, tmp_path, 2)
    ports = [proc.port for proc in group]
    try:
        before = ids_of(create_many(ports, 60))
        assert before == list(range(1, 61))
        server.kill()
        server.start()  # empty: nothing was written to disk
        deadline = time.monotonic() + 10
        after: list[tuple[int, object]] = []
        while time.monotonic() < deadline:  # until both processes are back on Redis
            after = create_many(ports, 40)
            if all(status != 503 or "lost" in str(body) for status, body in after):
                break
            time.sleep(0.2)
        statuses = {status for status, _ in after}
        found = [health(proc) for proc in group]
        reset = httpx.post(f"{group[0].url}/_mock/reset")
        confirmed = ids_of(create_many(ports, 10))
    finally:
        for proc in group:
            proc.stop()
        server.kill()
    assert ids_of(after) == [] and statuses == {503}, after[:3]
    assert all("lost its tasks and id counters" in body["description"] for _, body in after)
    assert all("lost" in h and h["status"] == "degraded" for h in found), found
    logs = [(tmp_path / f"mock-{i}.log").read_text() for i in range(2)]
    assert any("!!!" in log and "came back empty" in log for log in logs), logs
    # The operator's reset is the confirmation: ids start again from the seed.
    assert reset.status_code == 200 and confirmed == list(range(1, 11))


def test_a_counter_behind_the_ids_handed_out_is_a_loss(tmp_path: Path) -> None:
    """Redis came back from an old snapshot: the counter is behind, the rest is there."""
    with RedisServer(tmp_path) as server:
        (mock,) = mocks(server.url, tmp_path, 1)
        try:
            with httpx.Client(base_url=mock.url, headers=AUTH) as client:
                ids = [client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"] for _ in range(20)]
                server.integer("HSET", "zadig-mock:counters", PIPELINE, "5")
                behind = client.post(CREATE, json=PAGE_EXAMPLE)
                again = client.post(CREATE, json=PAGE_EXAMPLE)
        finally:
            mock.stop()
    assert ids == list(range(1, 21))
    assert behind.status_code == 503 and again.status_code == 503
    assert "went back to 5 while ids up to 20 had been handed out" in behind.json()["description"]


def test_a_reset_through_another_process_is_no_loss(tmp_path: Path) -> None:
    with RedisServer(tmp_path) as server:
        one, other = mocks(server.url, tmp_path, 2)
        try:
            first = ids_of(create_many([one.port], 10))
            assert httpx.post(f"{other.url}/_mock/reset").status_code == 200
            again = ids_of(create_many([one.port], 5))
        finally:
            one.stop()
            other.stop()
    assert first == list(range(1, 11)) and again == list(range(1, 6))
