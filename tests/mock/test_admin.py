"""The admin API under /_mock, forced answers, the journal, CORS: through ASGI and uvicorn."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from mock_server.app import create_app
from mock_server.options import MockOptions

from .support import (
    CREATE,
    PAGE_EXAMPLE,
    PIPELINE,
    api_client,
    assert_error,
    cancel_path,
    restart_path,
)


def create(client: httpx.Client, **headers: str) -> httpx.Response:
    return client.post(CREATE, json=PAGE_EXAMPLE, headers=headers)


def test_reset_goes_back_to_the_seed(client: httpx.Client) -> None:
    create(client), create(client)
    client.post("/_mock/next", json={"operation": "createWorkflowTask", "code": 6542})
    assert client.post("/_mock/reset").status_code == 200
    assert client.get("/_mock/tasks").json() == []
    assert client.get("/_mock/next").json() == []
    assert create(client).json()["task_id"] == 1


def test_tasks_lists_and_filters(client: httpx.Client) -> None:
    create(client)
    tasks = client.get("/_mock/tasks").json()
    assert [(t["pipeline_name"], t["task_id"], t["status"], t["project"]) for t in tasks] == [
        (PIPELINE, 1, "created", "proxy")
    ]
    assert client.get("/_mock/tasks", params={"pipeline": "other"}).json() == []


def test_patch_status(client: httpx.Client) -> None:
    create(client)
    answer = client.patch(f"/_mock/tasks/{PIPELINE}/1", json={"status": "failed"})
    assert answer.status_code == 200
    assert {k: answer.json()[k] for k in ("pipeline_name", "task_id", "status")} == {
        "pipeline_name": PIPELINE,
        "task_id": 1,
        "status": "failed",
    }
    assert_error(client.patch(f"/_mock/tasks/{PIPELINE}/1", json={"status": "done"}), 400)
    assert_error(client.patch(f"/_mock/tasks/{PIPELINE}/1", json={}), 400)
    assert_error(client.patch(f"/_mock/tasks/{PIPELINE}/7", json={"status": "passed"}), 404)
    assert_error(
        client.patch(f"/_mock/tasks/{PIPELINE}/x", json={"status": "passed"}), 400, "bad_task_id"
    )


def test_journal_records_requests(client: httpx.Client) -> None:
    create(client)
    client.delete(cancel_path(9), params={"projectName": "proxy"})
    journal = client.get("/_mock/requests").json()
    last = journal[-2:]
    assert [(e["method"], e["path"], e["status"], e["operation"]) for e in last] == [
        ("POST", CREATE, 200, "createWorkflowTask"),
        ("DELETE", cancel_path(9), 400, "cancelWorkflowTask"),
    ]
    assert last[1]["query"] == "projectName=proxy" and "time" in last[1]
    assert client.get("/_mock/requests", params={"limit": 1}).json()[0]["path"] == "/_mock/requests"
    client.delete("/_mock/requests")
    assert len(client.get("/_mock/requests").json()) == 1


def test_journal_times_are_utc_to_the_millisecond(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1000.5 s after the epoch is 00:16:40.500 UTC on 1 January 1970; each call its own time,
    # within a second and across one.
    from mock_server import journal

    times = iter([1000.5, 1000.75, 1001.25, 86400.0])
    monkeypatch.setattr(journal.time, "time", lambda: next(times))
    assert [journal.iso_now() for _ in range(4)] == [
        "1970-01-01T00:16:40.500Z",
        "1970-01-01T00:16:40.750Z",
        "1970-01-01T00:16:41.250Z",
        "1970-01-02T00:00:00.000Z",
    ]


@pytest.mark.parametrize(
    ("prefer", "code", "reason"),
    [
        ("code=6542", 6542, "project_not_found"),
        ("code=6160, example=no_stages", 6160, "no_stages"),
        ("code=401", 401, "no_token"),
        ("code=500", 500, None),
    ],
)
def test_prefer_header_forces_an_error(client, prefer: str, code: int, reason) -> None:
    assert_error(create(client, Prefer=prefer), code, reason)
    assert create(client).json()["task_id"] == 1  # the forced call changed nothing


def test_prefer_header_refuses_unknown_codes(client: httpx.Client) -> None:
    assert_error(create(client, Prefer="code=6999"), 400)
    assert_error(create(client, Prefer="code=6164, example=nope"), 400)
    assert_error(create(client, Prefer="delay=120001"), 400)
    assert_error(create(client, Prefer="delay=inf"), 400)
    assert_error(create(client, Prefer="delay=abc"), 400)
    assert create(client, Prefer="code=200").json()["task_id"] == 1


def test_prefer_delay(client: httpx.Client) -> None:
    started = time.monotonic()
    assert create(client, Prefer="delay=300").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_queue_forces_the_next_answers(client: httpx.Client) -> None:
    queued = client.post(
        "/_mock/next",
        json={
            "operation": "cancelWorkflowTask",
            "code": 6163,
            "example": "task_passed",
            "times": 2,
        },
    )
    assert queued.status_code == 200 and len(queued.json()) == 1
    create(client)
    assert client.post(restart_path(1)).status_code == 200  # another operation: not forced
    for _ in range(2):
        assert_error(client.delete(cancel_path(1)), 6163)
    assert client.delete(cancel_path(1)).status_code == 200
    assert client.get("/_mock/next").json() == []


def test_queue_any_operation_and_clear(client: httpx.Client) -> None:
    client.post("/_mock/next", json={"code": 6164, "times": 3})
    assert_error(create(client), 6164, "task_not_found")
    assert client.delete("/_mock/next").status_code == 200
    assert create(client).status_code == 200


def test_queue_refuses_what_it_cannot_answer(client: httpx.Client) -> None:
    assert_error(client.post("/_mock/next", json={"operation": "nope", "code": 6164}), 400)
    assert_error(client.post("/_mock/next", json={"code": 6999}), 400)
    assert_error(client.post("/_mock/next", json={"code": 6164, "times": 0}), 400)
    assert_error(client.post("/_mock/next", json={"codes": 6164}), 400)
    assert client.get("/_mock/next").json() == []


@pytest.mark.parametrize("queued", [False, True])
def test_forced_description_names_the_request(client: httpx.Client, queued: bool) -> None:
    """The catalogue's templates are filled from the request, as the real error would be."""

    def forced(code: int, example: str | None, method: str, path: str, **kwargs) -> httpx.Response:
        if not queued:
            prefer = f"code={code}" + (f", example={example}" if example else "")
            return client.request(method, path, headers={"Prefer": prefer}, **kwargs)
        assert client.post("/_mock/next", json={"code": code, "example": example}).is_success
        return client.request(method, path, **kwargs)

    create(client)
    answer = forced(6163, "task_passed", "DELETE", cancel_path(1))
    assert_error(answer, 6163, "task_passed", pipeline=PIPELINE, id=1)
    answer = forced(6160, "env_not_found", "POST", CREATE, json={**PAGE_EXAMPLE, "namespace": "qa"})
    assert_error(answer, 6160, "env_not_found", project="proxy", env="qa")
    answer = forced(404, None, "POST", restart_path(7), params={"projectName": "proxy"})
    assert_error(answer, 404, "no_route", method="POST", path=restart_path(7))
    answer = forced(403, None, "DELETE", cancel_path(1), params={"projectName": "shop"})
    assert_error(answer, 403, "no_permission", project="shop")
    answer = forced(400, "too_large", "POST", CREATE, json=PAGE_EXAMPLE)
    assert_error(answer, 400, "too_large", limit=1024 * 1024)  # the default body limit, 1 MiB
    assert "<" not in client.get("/_mock/requests").text  # no raw placeholder anywhere
    assert [t["status"] for t in client.get("/_mock/tasks").json()] == ["created"]


def test_forced_examples_are_checked_when_given(client: httpx.Client) -> None:
    refused = [
        {"code": 6163, "example": "bogus"},
        {"example": "task_passed"},
        {"code": 200, "example": "task_passed"},
        {"code": 6542, "example": "task_passed"},
    ]
    for entry in refused:
        answer = client.post("/_mock/next", json=entry)
        assert_error(answer, 400)
        assert "example" in answer.json()["description"], entry
    assert client.get("/_mock/next").json() == []
    answer = client.delete(cancel_path(1), headers={"Prefer": "example=task_passed"})
    assert_error(answer, 400)
    assert "code=" in answer.json()["description"]
    assert create(client).json()["task_id"] == 1  # nothing ran


def test_cors_preflight_and_headers(client: httpx.Client) -> None:
    origin = "http://localhost:5173"
    preflight = client.options(
        CREATE,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", origin)
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    error = client.delete(cancel_path(3), headers={"Origin": origin})
    assert error.headers["access-control-allow-origin"] in ("*", origin)


def test_no_cors() -> None:
    with api_client(create_app(MockOptions(cors=False))) as client:
        answer = client.post(CREATE, json=PAGE_EXAMPLE, headers={"Origin": "http://x"})
        assert "access-control-allow-origin" not in answer.headers


def test_swagger_ui_for_both_apis(client: httpx.Client) -> None:
    for base in ("", "/_mock"):
        assert "swagger" in client.get(f"{base}/ui/").text.lower()
    assert client.get("/openapi.json").json()["info"]["title"].startswith("Zadig")
    assert "/reset" in client.get("/_mock/openapi.json").json()["paths"]


def test_served_specs_name_the_server_they_came_from(client: httpx.Client) -> None:
    """Swagger UI's Servers dropdown lists the spec's servers: the mock the page came from."""
    here = str(client.base_url).rstrip("/")
    for base in ("", "/_mock"):
        servers = client.get(f"{base}/openapi.json").json()["servers"]
        assert [server["url"] for server in servers] == [here + base]
        assert f"url: {here}{base}\n" in client.get(f"{base}/openapi.yaml").text


def test_world_shows_the_seed(client: httpx.Client) -> None:
    """Out of the box: the world of the spec's create example; any bearer token passes."""
    world = client.get("/_mock/world").json()
    project = PAGE_EXAMPLE["product_tmpl_name"]
    service = PAGE_EXAMPLE["targets"][0]["service_name"]
    assert world["projects"] == {
        project: {"envs": [PAGE_EXAMPLE["namespace"]], "services": [service]}
    }
    assert world["workflows"] == {
        PIPELINE: {"project": project, "outcome": None, "services": [service]}
    }
    assert world["auth"] == "any-token"
    assert set(world["lifecycle"]) == {"task_duration", "failure_rate"}


def test_world_of_a_seed_file() -> None:
    from mock_server.seed import load_seed

    seed = load_seed(Path(__file__).parents[2] / "mock_server" / "seed-example.yaml")
    with api_client(create_app(MockOptions(seed))) as client:
        world = client.get("/_mock/world").json()
    assert world["projects"]["shop"] == {"envs": ["staging"], "services": ["cart", "checkout"]}
    assert world["workflows"]["shop-nightly"]["outcome"] == "failed"
    assert world["auth"] == "tokens"
    assert world["lifecycle"] == {"task_duration": 30.0, "failure_rate": 0.0}
