"""Zadig v1.7.1's rules for the three operations, through the ASGI app and a real uvicorn."""

from __future__ import annotations

import json

import httpx
import pytest

from mock_server.app import create_app
from mock_server.domain import STATUSES
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

SUCCESS = {"message": "success"}


def create(client: httpx.Client, **changes: object) -> httpx.Response:
    return client.post(CREATE, json={**PAGE_EXAMPLE, **changes})


def task_with_status(client: httpx.Client, status: str) -> int:
    """A new task of the default workflow, forced into `status` with the admin API."""
    task_id = create(client).json()["task_id"]
    answer = client.patch(f"/_mock/tasks/{PIPELINE}/{task_id}", json={"status": status})
    assert answer.status_code == 200 and answer.json()["status"] == status
    return task_id


def status_of(client: httpx.Client, task_id: int) -> str:
    tasks = client.get("/_mock/tasks", params={"pipeline": PIPELINE}).json()
    return next(t["status"] for t in tasks if t["task_id"] == task_id)


def test_page_example_succeeds_and_ids_count_from_one(client: httpx.Client) -> None:
    first, second = create(client), create(client)
    assert (first.status_code, first.json()) == (200, {"pipeline_name": PIPELINE, "task_id": 1})
    assert second.json() == {"pipeline_name": PIPELINE, "task_id": 2}
    assert status_of(client, 1) == "created"


def test_empty_namespace_builds_without_deploy(client: httpx.Client) -> None:
    assert create(client, namespace="").json()["task_id"] == 1


# Create's checks, in aslan's order: (body changes, code, reason, params, counter bumped?)
CREATE_CHECKS = [
    ({"product_tmpl_name": "nope"}, 6542, "project_not_found", {}, False),
    ({"workflow_name": "nope"}, 6542, "workflow_not_found", {}, False),
    ({"product_tmpl_name": "nope", "namespace": "prod"}, 6542, "project_not_found", {}, False),
    ({"workflow_name": "nope", "targets": []}, 6542, "workflow_not_found", {}, False),
    ({"namespace": "prod"}, 6160, "env_not_found", {"project": "proxy", "env": "prod"}, False),
    (
        {"namespace": "prod", "targets": []},
        6160,
        "env_not_found",
        {"project": "proxy", "env": "prod"},
        False,
    ),
    ({"targets": []}, 6160, "no_stages", {}, True),
]


@pytest.mark.parametrize(("changes", "code", "reason", "params", "bumped"), CREATE_CHECKS)
def test_create_checks_in_order(client, changes, code, reason, params, bumped) -> None:
    assert_error(create(client, **changes), code, reason, **params)
    # A failed stages check has used an id: the next task shows the gap.
    assert create(client).json()["task_id"] == (2 if bumped else 1)


RESTART_REFUSED = {"running", "passed"}


@pytest.mark.parametrize("status", STATUSES)
def test_restart_by_status(client: httpx.Client, status: str) -> None:
    task_id = task_with_status(client, status)
    answer = client.post(restart_path(task_id))
    if status in RESTART_REFUSED:
        assert_error(answer, 6164, "task_not_restartable")
        assert status_of(client, task_id) == status
    else:
        assert (answer.status_code, answer.json()) == (200, {"message": "success"})
        assert status_of(client, task_id) == "created"


@pytest.mark.parametrize("status", STATUSES)
def test_cancel_by_status(client: httpx.Client, status: str) -> None:
    task_id = task_with_status(client, status)
    answer = client.delete(cancel_path(task_id))
    if status == "passed":
        assert_error(answer, 6163, "task_passed", pipeline=PIPELINE, id=task_id)
        assert status_of(client, task_id) == "passed"
    else:
        assert (answer.status_code, answer.json()) == (200, {"message": "success"})
        assert status_of(client, task_id) == "cancelled"


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("POST", restart_path(1), 6164),
        ("POST", restart_path(1, "other-workflow"), 6164),
        ("POST", restart_path(-5), 6164),
        ("DELETE", cancel_path(1), 6163),
        ("DELETE", cancel_path(-5), 6163),
        ("DELETE", cancel_path("+1", "nope"), 6163),
        # A newline in the workflow name still reaches the rules, as with aslan's router.
        ("POST", restart_path(1, "line%0Abreak"), 6164),
        ("DELETE", cancel_path(1, "line%0Abreak"), 6163),
    ],
)
def test_missing_task(client: httpx.Client, method: str, path: str, code: int) -> None:
    assert_error(client.request(method, path), code, "task_not_found")


@pytest.mark.parametrize("bad_id", ["abc", "1.5", "1e3", "0x10", "%20", "9223372036854775808"])
@pytest.mark.parametrize("path", [restart_path, cancel_path])
def test_non_integer_id(client: httpx.Client, path, bad_id: str) -> None:
    method = "POST" if path is restart_path else "DELETE"
    answer = client.request(method, path(bad_id))
    assert_error(answer, 400, "bad_task_id")
    assert answer.json()["description"] == "invalid task id"


JSON = {"content-type": "application/json"}
PAGE_BODY = json.dumps(PAGE_EXAMPLE).encode()


def page_body_with(value: bytes, where: str = "top") -> bytes:
    """The page's create body, valid but for an extra field (top level or in the target) set
    to `value` as written: aslan's decoder skips fields it does not know, if they are JSON."""
    if where == "top":
        return PAGE_BODY[:-1] + b', "note": ' + value + b"}"
    return PAGE_BODY.replace(
        b'"product_name": "proxy"}', b'"product_name": "proxy", "x": ' + value + b"}"
    )


BAD_BODIES = [
    ("malformed", b'{"workflow_name": ', JSON),
    ("trailing comma", b'{"workflow_name": "proxy-workflow-dev",}', JSON),
    ("invalid utf-8", b'{"workflow_name": "\xff\xfe"}', JSON),
    ("null", b"null", JSON),
    ("array", b"[]", JSON),
    ("empty", b"", JSON),
    (
        "wrong types",
        b'{"workflow_name": 1, "product_tmpl_name": [], "namespace": {}, "targets": "x"}',
        JSON,
    ),
    ("wrong content type", b"{}", {"content-type": "text/plain"}),
    ("no content type", b'{"targets": "x"}', {}),
    ("too large", b'{"workflow_name": "' + b"x" * (1024 * 1024) + b'"}', JSON),
    ("deeply nested", b"[" * 100_000, JSON),
    ("byte order mark", b"\xef\xbb\xbf" + PAGE_BODY, JSON),
    ("NaN", page_body_with(b"NaN"), JSON),
    ("Infinity", page_body_with(b"-Infinity"), JSON),
    ("single quotes", PAGE_BODY.replace(b'"', b"'"), JSON),
]


@pytest.mark.parametrize(
    ("body", "headers"), [b[1:] for b in BAD_BODIES], ids=[b[0] for b in BAD_BODIES]
)
def test_bad_body_is_400_in_envelope(client: httpx.Client, body: bytes, headers: dict) -> None:
    answer = client.post(CREATE, content=body, headers=headers)
    assert_error(answer, 400)
    assert answer.json()["description"]
    assert create(client).json()["task_id"] == 1  # nothing was used up


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            {"workflow_name": 1, "product_tmpl_name": "p", "namespace": "", "targets": []},
            "1 is not of type \"string\" - 'workflow_name'",
        ),
        (
            {**PAGE_EXAMPLE, "targets": [{"name": ["proxy"]}]},
            '["proxy"] is not of type "string" - \'targets.0.name\'',
        ),
    ],
)
def test_body_is_validated_against_the_spec(client: httpx.Client, body: dict, says: str) -> None:
    """The schema's types refuse these (not the rules): the description names the violation.
    (Absent fields are not refused by default: test_incomplete_bodies.)"""
    answer = client.post(CREATE, json=body)
    assert_error(answer, 400)
    assert says in answer.json()["description"]


def test_query_parameter_is_validated_against_the_spec(client: httpx.Client) -> None:
    answer = client.get("/_mock/requests", params={"limit": 0})
    assert_error(answer, 400)
    assert "less than the minimum of 1" in answer.json()["description"]


def test_too_large_names_the_limit(client: httpx.Client) -> None:
    answer = client.post(CREATE, content=b" " * (1024 * 1024 + 1), headers=JSON)
    assert_error(answer, 400, "too_large", limit=1024 * 1024)


@pytest.mark.parametrize(
    ("method", "path", "code", "reason"),
    [
        ("GET", "/api/aslan/workflow/nothing", 404, "no_route"),
        ("POST", "/nowhere", 404, "no_route"),
    ],
)
def test_unknown_route(client, method, path, code, reason) -> None:
    answer = client.request(method, path)
    assert_error(answer, code, reason, method=method, path=path)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        # The page's request lines: POST create, DELETE cancel, POST restart.
        ("GET", CREATE, {"POST"}),
        ("PUT", cancel_path(1), {"DELETE"}),
        ("GET", restart_path(1), {"POST"}),
    ],
)
def test_wrong_method_names_the_methods_of_the_path(client, method, path, allowed) -> None:
    answer = client.request(method, path)
    assert_error(answer, 405, "wrong_method", method=method, path=path)
    assert {m.strip() for m in answer.headers["allow"].split(",")} == allowed


ODD_BUT_JSON = {
    "lone surrogate": b'"\\ud800 and \\udfff"',
    "number beyond a double": b"1e999999",
    "5000 digits": b"7" * 5000,
    "5000 digits with a fraction": b"7" * 5000 + b".5",
    "integer beyond 64 bits": b"-18446744073709551617",
    "nested 500 deep": b"[" * 500 + b"]" * 500,
}


@pytest.mark.parametrize("where", ["top", "target"])
@pytest.mark.parametrize("value", ODD_BUT_JSON.values(), ids=ODD_BUT_JSON.keys())
def test_odd_but_valid_json_in_ignored_fields(client: httpx.Client, value: bytes, where) -> None:
    """Valid JSON that Go's decoder takes (lone surrogates become U+FFFD; numbers in fields it
    ignores are skipped): the create succeeds, and the admin API still answers valid JSON."""
    answer = client.post(CREATE, content=page_body_with(value, where), headers=JSON)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"pipeline_name": PIPELINE, "task_id": 1}
    listed = client.get("/_mock/tasks")
    assert listed.status_code == 200
    assert json.loads(listed.content)[0]["targets"] == PAGE_EXAMPLE["targets"]


def test_lone_surrogate_in_a_name_is_a_replacement_character(client: httpx.Client) -> None:
    body = PAGE_BODY.replace(b'"proxy-workflow-dev"', b'"\\ud800"')
    assert_error(client.post(CREATE, content=body, headers=JSON), 6542, "workflow_not_found")


@pytest.mark.parametrize("body", [b"\xff", b"{", b"\x00" * 100])
def test_restart_and_cancel_ignore_any_body(client: httpx.Client, body: bytes) -> None:
    """They take no body: aslan never reads one, so none is refused (not even invalid UTF-8)."""
    create(client)
    cancel = client.request("DELETE", cancel_path(1), content=body, headers=JSON)
    assert cancel.json() == SUCCESS
    assert client.post(restart_path(1), content=body, headers=JSON).json() == SUCCESS
    missing = client.request("DELETE", cancel_path(9), content=body)
    assert_error(missing, 6163, "task_not_found")


def test_unexpected_error_is_a_500_envelope_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    """A bug answers 500 in the envelope; its traceback goes to the log, not to the client."""
    app = create_app(MockOptions(task_duration=0))

    def broken(body: object) -> None:
        raise RuntimeError("boom")

    app.mock.tasks.create = broken
    with api_client(app, raise_server_exceptions=False) as client:
        answer = client.post(CREATE, json=PAGE_EXAMPLE)
    assert_error(answer, 500)
    assert answer.json()["description"] == "RuntimeError: boom"
    logged = [r for r in caplog.records if r.name == "zadig_mock" and r.exc_info]
    assert len(logged) == 1 and "POST" in logged[0].getMessage()
    assert "Traceback" in caplog.text and 'raise RuntimeError("boom")' in caplog.text
