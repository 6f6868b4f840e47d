"""One mock for a team: several zadig-mock processes on one Redis (redis-server started by each
test on a free port), driven as a black box over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from .support import CREATE, PAGE_EXAMPLE, PIPELINE, MockProcess, restart_path, run_mock
from .team_support import AUTH, RedisServer, create_many, ids_of, raw_request

N = 400
OPTIONS = ("--task-duration", "0", "--quiet")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path) as server:
        yield server


def group(url: str, size: int = 2, *extra: str) -> list[MockProcess]:
    """`size` mock processes on one state, started one after the other."""
    procs = []
    try:
        for _ in range(size):
            proc = MockProcess("--state", url, *OPTIONS, *extra)
            proc.start()
            procs.append(proc)
    except BaseException:
        for proc in procs:
            proc.stop()
        raise
    return procs


def listed(proc: MockProcess) -> dict[int, str]:
    tasks = httpx.get(f"{proc.url}/_mock/tasks", params={"pipeline": PIPELINE}).json()
    return {t["task_id"]: t["status"] for t in tasks}


def test_two_processes_hand_out_ids_1_to_400(redis_server: RedisServer) -> None:
    procs = group(redis_server.url)
    try:
        answers = create_many([p.port for p in procs], N)
        assert [s for s, _ in answers].count(200) == N, answers[:3]
        assert ids_of(answers) == list(range(1, N + 1))
        assert sorted(listed(procs[0])) == sorted(listed(procs[1])) == list(range(1, N + 1))
        # One journal for the group, bounded: 554 requests (2 start probes, 550 creates, the 2
        # listings above), of which neither process answered 500; the latest 500 are kept.
        assert ids_of(create_many([p.port for p in procs], 150)) == list(range(N + 1, N + 151))
        time.sleep(0.5)  # each process sends its entries just after answering
        journal = httpx.get(f"{procs[0].url}/_mock/requests", params={"limit": 1000}).json()
        assert len(journal) == 500
        assert [e["path"] for e in journal if e["path"] != CREATE] == ["/_mock/tasks"] * 2
        assert redis_server.integer("LLEN", "zadig-mock:journal") == 500  # Redis keeps no more
    finally:
        for proc in procs:
            proc.stop()


def test_forced_answer_is_used_once_by_the_group(redis_server: RedisServer) -> None:
    first, second = group(redis_server.url)
    try:
        forced = {"operation": "createWorkflowTask", "code": 6542, "times": 3}
        queue = httpx.post(f"{first.url}/_mock/next", json=forced).json()
        assert [f["times"] for f in queue] == [3]
        assert httpx.get(f"{second.url}/_mock/next").json() == queue  # one queue for both
        answers = create_many([first.port, second.port], 60)
        codes = [body.get("code") for status, body in answers if status == 400]
        assert codes == [6542] * 3, answers
        assert [s for s, _ in answers].count(200) == 57
        assert httpx.get(f"{first.url}/_mock/next").json() == []
        # A forced answer moves no counter: the 57 others got 1..57.
        assert ids_of(answers) == list(range(1, 58))
        # Queued through one, the very next call through the other gets it, every time.
        once = {"operation": "createWorkflowTask", "code": 6160, "example": "no_stages"}
        with httpx.Client(headers=AUTH) as client:
            for _ in range(20):
                assert client.post(f"{second.url}{CREATE}", json=PAGE_EXAMPLE).status_code == 200
                client.post(f"{first.url}/_mock/next", json=once)
                forced = client.post(f"{second.url}{CREATE}", json=PAGE_EXAMPLE)
                assert forced.status_code == 400 and forced.json()["code"] == 6160, forced.text
    finally:
        first.stop()
        second.stop()


def test_status_forced_on_one_is_seen_by_the_other(redis_server: RedisServer) -> None:
    first, second = group(redis_server.url)
    try:
        made = httpx.post(f"{first.url}{CREATE}", json=PAGE_EXAMPLE, headers=AUTH).json()
        task_id = made["task_id"]
        # Frozen in `created`: running is set by hand, and then restart is refused everywhere.
        patched = httpx.patch(
            f"{first.url}/_mock/tasks/{PIPELINE}/{task_id}", json={"status": "running"}
        )
        assert patched.status_code == 200
        assert listed(second) == {task_id: "running"}
        refused = httpx.post(f"{second.url}{restart_path(task_id)}", headers=AUTH)
        assert refused.status_code == 400 and refused.json()["code"] == 6164
        httpx.patch(f"{second.url}/_mock/tasks/{PIPELINE}/{task_id}", json={"status": "failed"})
        assert httpx.post(f"{first.url}{restart_path(task_id)}", headers=AUTH).status_code == 200
        assert listed(first) == listed(second) == {task_id: "created"}
        # Reset on one: the whole group is back to the seed; the journal keeps what came after.
        assert httpx.post(f"{second.url}/_mock/reset").status_code == 200
        assert listed(first) == {}
        journal = httpx.get(f"{first.url}/_mock/requests").json()
        assert {e["path"] for e in journal} <= {"/_mock/reset", "/_mock/tasks"}, journal
    finally:
        first.stop()
        second.stop()


def test_kill_9_of_one_loses_nothing_acknowledged(redis_server: RedisServer) -> None:
    first, second = group(redis_server.url)
    try:

        async def load() -> list[tuple[int, object]]:
            """Creates on both while the first is killed in the middle."""
            ports = [first.port, second.port]
            calls = [raw_request(ports[i % 2], "POST", CREATE, PAGE_EXAMPLE) for i in range(300)]
            tasks = [asyncio.ensure_future(c) for c in calls]
            await asyncio.sleep(0.3)
            first.kill()
            return await asyncio.gather(*tasks)

        answers = asyncio.run(load())
        acknowledged = ids_of(answers)
        assert len(acknowledged) == len(set(acknowledged)) >= 150, len(acknowledged)
        kept = listed(second)
        assert set(acknowledged) <= set(kept)
        # The restarted process goes on with the same counter, past every id handed out.
        first.start()
        after = httpx.post(f"{first.url}{CREATE}", json=PAGE_EXAMPLE, headers=AUTH).json()
        assert after["task_id"] > max(kept)
        assert set(listed(first)) == set(kept) | {after["task_id"]}
    finally:
        first.stop()
        second.stop()


def test_redis_down_answers_503_and_comes_back(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, durable=True)
    server.start()
    (mock,) = group(server.url, 1)
    try:
        with httpx.Client(base_url=mock.url, headers=AUTH) as client:
            ids = [client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"] for _ in range(10)]
            assert ids == list(range(1, 11))
            server.kill()
            down = client.post(CREATE, json=PAGE_EXAMPLE)
            assert down.status_code == 503, down.text
            body = down.json()
            assert set(body) == {"code", "description", "extra", "message", "type"}
            assert body["code"] == 503 and body["type"] == "error"
            assert "Traceback" not in down.text
            assert client.delete(f"{CREATE}/id/1/pipelines/{PIPELINE}").status_code == 503
            assert client.get("/_mock/tasks").status_code == 503
            # Still serving what needs no state.
            health = client.get("/_mock/health")
            assert health.status_code == 200 and health.json()["reachable"] is False
            assert client.get("/ui/").status_code == 200
            assert mock.proc.poll() is None
            server.start()  # same port, same directory: its append-only file
            deadline = time.monotonic() + 10
            while (answer := client.post(CREATE, json=PAGE_EXAMPLE)).status_code == 503:
                assert time.monotonic() < deadline, answer.text
                time.sleep(0.1)
            assert answer.status_code == 200 and answer.json()["task_id"] == 11
            assert client.get("/_mock/health").json()["reachable"] is True
            assert sorted(listed(mock)) == list(range(1, 12))
    finally:
        mock.stop()
        server.kill()


# docs/team-mock.md: a Redis that stops answering on an open connection gets a 503 after the
# command timeout (five seconds, and once more for the one retry).
PAUSED_WAIT = 10


def test_redis_paused_answers_503_after_the_timeout_and_recovers(
    redis_server: RedisServer,
) -> None:
    """Paused (SIGSTOP), Redis holds the connection and never answers: no 500, no hang."""
    (mock,) = group(redis_server.url, 1)
    try:
        with httpx.Client(base_url=mock.url, headers=AUTH, timeout=60) as client:
            assert client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"] == 1
            redis_server.pause()
            try:
                started = time.monotonic()
                down = client.post(CREATE, json=PAGE_EXAMPLE)
                waited = time.monotonic() - started
                health = client.get("/_mock/health")
            finally:
                redis_server.resume()
            assert down.status_code == 503, down.text
            body = down.json()
            assert set(body) == {"code", "description", "extra", "message", "type"}
            assert (body["code"], body["message"]) == (503, "Service Unavailable")
            assert "Traceback" not in down.text
            assert down.headers["retry-after"] == "1"
            assert waited < PAUSED_WAIT + 3, f"the 503 took {waited:.1f} s"
            assert health.status_code == 200 and health.json()["reachable"] is False
            assert mock.proc.poll() is None
            deadline = time.monotonic() + 10
            while (answer := client.post(CREATE, json=PAGE_EXAMPLE)).status_code == 503:
                assert time.monotonic() < deadline, answer.text
                time.sleep(0.1)
            # The refused create may have reached Redis once it woke up: its id is then a gap.
            assert answer.status_code == 200 and answer.json()["task_id"] in (2, 3)
            cancel = client.delete(f"{CREATE}/id/1/pipelines/{PIPELINE}")
            assert cancel.status_code == 200, cancel.text
            assert listed(mock)[1] == "cancelled"
    finally:
        mock.stop()


def test_redis_absent_at_start_then_there(tmp_path: Path) -> None:
    server = RedisServer(tmp_path)  # not started yet
    (mock,) = group(server.url, 1)
    try:
        answer = httpx.post(f"{mock.url}{CREATE}", json=PAGE_EXAMPLE, headers=AUTH)
        assert answer.status_code == 503 and answer.json()["code"] == 503
        server.start()
        answer = httpx.post(f"{mock.url}{CREATE}", json=PAGE_EXAMPLE, headers=AUTH)
        assert answer.status_code == 200 and answer.json()["task_id"] == 1
    finally:
        mock.stop()
        server.kill()


def test_another_seed_than_the_state_was_made_with_exits_2(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    (mock,) = group(redis_server.url, 1)
    mock.stop()
    seed = tmp_path / "other.yaml"
    seed.write_text("projects: {other: {envs: [dev]}}\nworkflows: {w: {project: other}}\n")
    run = run_mock("--quiet", "--state", redis_server.url, "--seed", str(seed))
    assert run.returncode == 2, run.stderr
    assert "made with another seed" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:notaport/0",
        "redis://127.0.0.1:6379/zero",
        "redis://127.0.0.1:99999/0",
    ],
)
def test_malformed_redis_url_exits_2(url: str) -> None:
    run = run_mock("--quiet", "--state", url)
    assert run.returncode == 2, run.stderr
    assert "not a Redis URL" in run.stderr and "Traceback" not in run.stderr


def test_password_in_the_url(tmp_path: Path) -> None:
    with RedisServer(tmp_path, password="s3cret") as server:
        (mock,) = group(server.url, 1)
        try:
            answer = httpx.post(f"{mock.url}{CREATE}", json=PAGE_EXAMPLE, headers=AUTH)
            assert answer.status_code == 200 and answer.json()["task_id"] == 1
            health = httpx.get(f"{mock.url}/_mock/health").json()
            assert health["status"] == "ok" and health["reachable"] is True
            assert health["persistence"] == "none"  # the test's Redis keeps nothing on disk
        finally:
            mock.stop()
        wrong = server.url.replace("s3cret", "wrong")
        run = run_mock("--quiet", "--state", wrong)
        assert run.returncode == 2, run.stderr
        assert "wrong" not in run.stderr and "***" in run.stderr  # never the password
        assert "Traceback" not in run.stderr


def test_rediss_url_over_tls(tmp_path: Path) -> None:
    """`rediss://` as redis-py reads it (`ssl_ca_certs=` names the CA); the server has no plain
    port, so every command went over TLS."""
    with RedisServer(tmp_path, tls=True, password="s3cret") as server:
        procs = group(server.url)
        try:
            answers = create_many([p.port for p in procs], 100)
            assert ids_of(answers) == list(range(1, 101)), answers[:3]
            health = httpx.get(f"{procs[1].url}/_mock/health").json()
            assert health["status"] == "ok" and health["reachable"] is True
            assert health["persistence"] == "none"  # the test's Redis keeps nothing on disk
        finally:
            for proc in procs:
                proc.stop()
        assert server.integer("DBSIZE") > 0  # the state is in this Redis


def test_rediss_url_with_a_ca_that_does_not_sign_the_server_answers_503(tmp_path: Path) -> None:
    """A certificate the named CA did not sign is refused (never used unverified): 503 in the
    envelope with the reason, the health page says so, the password never shows."""
    with RedisServer(tmp_path, tls=True, password="s3cret") as server:
        other_ca = tmp_path / "other-ca.pem"
        trustme.CA().cert_pem.write_to_path(str(other_ca))
        (mock,) = group(server.url.replace(str(server.ca_file), str(other_ca)), 1)
        try:
            answer = httpx.post(f"{mock.url}{CREATE}", json=PAGE_EXAMPLE, headers=AUTH)
            health = httpx.get(f"{mock.url}/_mock/health").json()
        finally:
            mock.stop()
        log = mock.proc.stderr.read().decode()
        assert "CERTIFICATE_VERIFY_FAILED" in log and "Traceback" not in log
        assert answer.status_code == 503, answer.text
        assert (answer.json()["code"], answer.json()["message"]) == (503, "Service Unavailable")
        assert "CERTIFICATE_VERIFY_FAILED" in answer.json()["description"]
        assert health["reachable"] is False
        assert "s3cret" not in answer.text + str(health) + log
        assert server.integer("DBSIZE") == 0
