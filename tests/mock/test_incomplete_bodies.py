"""Create bodies that lack fields the page requires, answered as aslan v1.7.1 answers them (the
behavior file's table "Incomplete and mistyped bodies"), or refused with 400 under --strict; in
both modes the journal names what the request lacked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_server.app import create_app
from mock_server.options import MockOptions

from .support import (
    CREATE,
    PAGE_EXAMPLE,
    PIPELINE,
    MockProcess,
    api_client,
    assert_error,
    http_client,
)

# The behavior file's table: the field left out -> (code, reason) or 200; whether the id
# counter moved (6160 for missing targets comes after the counter, leaving a gap).
AS_ASLAN = {
    "product_tmpl_name": (6542, "project_not_found", False),
    "workflow_name": (6542, "workflow_not_found", False),
    "namespace": (200, None, True),
    "targets": (6160, "no_stages", True),
}
# The page's body table, in its order: every field 是否必须 = 是.
PAGE_FIELDS = ["workflow_name", "product_tmpl_name", "namespace", "targets"]
ZERO = {"workflow_name": "", "product_tmpl_name": "", "namespace": "", "targets": []}


def without(*fields: str, body: dict[str, Any] = PAGE_EXAMPLE) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in fields}


def last_create(client: httpx.Client) -> dict[str, Any]:
    journal = client.get("/_mock/requests").json()
    return [entry for entry in journal if entry["path"] == CREATE][-1]


@pytest.mark.parametrize("form", ["absent", "zero value"])
@pytest.mark.parametrize("field", AS_ASLAN)
def test_incomplete_create_is_answered_as_aslan(client: httpx.Client, field: str, form) -> None:
    body = without(field) if form == "absent" else {**PAGE_EXAMPLE, field: ZERO[field]}
    code, reason, counter_moved = AS_ASLAN[field]
    answer = client.post(CREATE, json=body)
    if code == 200:
        assert answer.json() == {"pipeline_name": PIPELINE, "task_id": 1}, answer.text
        assert [t["status"] for t in client.get("/_mock/tasks").json()] == ["created"]
    else:
        assert_error(answer, code, reason)
        assert client.get("/_mock/tasks").json() == []
    # The journal names what the page requires and the request lacked (only when absent).
    assert last_create(client)["missing_required"] == ([field] if form == "absent" else [])
    following = client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"]
    assert following == (2 if counter_moved else 1)


@pytest.mark.parametrize("mode", ["default", "strict"])
def test_target_lacking_a_field_is_refused_naming_it(mode: str) -> None:
    """The behavior file's table covers the body's own fields, not a target's: refusing a target
    that lacks one keeps the page's contract in both modes."""
    with api_client(create_app(MockOptions(task_duration=0, strict=mode == "strict"))) as client:
        body = {**PAGE_EXAMPLE, "targets": [{"name": "proxy"}]}
        answer = client.post(CREATE, json=body)
        assert_error(answer, 400)
        assert answer.json()["description"] == (
            "\"service_name\" is a required property - 'targets.0'"
        )
        assert last_create(client)["missing_required"] == [
            "targets[0].service_name",
            "targets[0].product_name",
        ]
        assert client.get("/_mock/tasks").json() == []
        assert client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"] == 1


def test_empty_object_is_a_6542_naming_every_field(client: httpx.Client) -> None:
    assert_error(client.post(CREATE, json={}), 6542, "project_not_found")
    assert last_create(client)["missing_required"] == PAGE_FIELDS


def test_fields_the_page_does_not_name_are_ignored_not_noted(client: httpx.Client) -> None:
    extra = {**PAGE_EXAMPLE, "description": "from the web UI", "task_args": {"x": 1}}
    assert client.post(CREATE, json=extra).json()["task_id"] == 1
    assert last_create(client)["missing_required"] == []


@pytest.fixture(params=["asgi", "uvicorn"])
def strict(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """A mock started with --strict, in process or as `zadig-mock --strict`."""
    if request.param == "asgi":
        with api_client(create_app(MockOptions(task_duration=0, strict=True))) as client:
            yield client
        return
    with MockProcess("--strict", "--quiet") as proc, http_client(proc.url) as client:
        yield client


@pytest.mark.parametrize("field", AS_ASLAN)
def test_strict_refuses_a_missing_field_naming_it(strict: httpx.Client, field: str) -> None:
    answer = strict.post(CREATE, json=without(field))
    assert_error(answer, 400)
    assert answer.json()["description"] == f'"{field}" is a required property'
    assert last_create(strict)["missing_required"] == [field]
    # Refused before any rule: nothing stored, the id counter untouched.
    assert strict.get("/_mock/tasks").json() == []
    assert strict.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"] == 1


def test_strict_names_the_first_missing_field_in_the_page_order(strict: httpx.Client) -> None:
    answer = strict.post(CREATE, json=without("targets", "namespace", "workflow_name"))
    assert_error(answer, 400)
    assert answer.json()["description"] == '"workflow_name" is a required property'
    assert last_create(strict)["missing_required"] == ["workflow_name", "namespace", "targets"]
    lacking = without("namespace", body={**PAGE_EXAMPLE, "targets": [{"name": "proxy"}]})
    answer = strict.post(CREATE, json=lacking)
    assert answer.json()["description"] == '"namespace" is a required property'


def test_strict_still_takes_empty_values(strict: httpx.Client) -> None:
    """--strict enforces presence, as the page's table does; values are aslan's business."""
    answer = strict.post(CREATE, json={**PAGE_EXAMPLE, "namespace": ""})
    assert answer.json() == {"pipeline_name": PIPELINE, "task_id": 1}
    assert_error(strict.post(CREATE, json={**PAGE_EXAMPLE, "targets": []}), 6160, "no_stages")


@pytest.mark.parametrize("mode", ["default", "strict"])
@pytest.mark.parametrize(
    "body",
    [b"null", b'{"workflow_name": "proxy-workflow-dev", "targets": "x"}', b'{"namespace": 1}'],
)
def test_null_body_and_wrong_types_stay_bad_request(mode: str, body: bytes) -> None:
    with api_client(create_app(MockOptions(task_duration=0, strict=mode == "strict"))) as client:
        answer = client.post(CREATE, content=body, headers={"content-type": "application/json"})
        assert_error(answer, 400)
        assert answer.json()["description"]
        assert client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"] == 1
