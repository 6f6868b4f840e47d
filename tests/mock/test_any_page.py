"""The mock on any converted spec (`--spec`, `--page`): every operation served as its page
documents it, v1.7.1's task rules wherever the spec has their operations (by method and path).

Expected values are the test pages' own (tests/data/pages/), written out here."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from starlette.testclient import TestClient

from api_contract.spec import read_contract
from mock_server.app import create_app, spec_document
from mock_server.options import MockOptions
from openapi import CUSTOM_SPEC_PATH, SOURCE_PATH, SPEC_PATH
from openapi.completion import SpecError

from .support import AUTH, PAGE_EXAMPLE, MockProcess, api_client, http_client, run_mock

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
ENVIRONMENT = str(PAGES / "environment-api.md")
REGISTRY = str(PAGES / "registry-api.md")
QUOTA = str(PAGES / "quota-api.md")  # a page without a single example
EVENT = str(PAGES / "event-api.md")  # no example either; dates, uuids, urls, emails, floats
# Two operations documenting code 6601 with other messages, and errors at 503 and 404.
STORAGE = str(PAGES / "storage-api.md")
STORAGES = "/openapi/system/storages"
LIST_STORAGES = "get_openapi_system_storages"
DELETE_STORAGE = "delete_openapi_system_storages_by_id"
ENVIRONMENTS = "/api/aslan/environment/environments"
REGISTRIES = "/api/aslan/system/registry/namespaces"
ENVELOPE = {"code", "description", "extra", "message", "type"}


def client_of(*pages: str, **options: Any) -> TestClient:
    spec = spec_document(None, list(pages), warn=False)
    return api_client(create_app(MockOptions(spec=spec, **options)), raise_server_exceptions=False)


def bad_request(response: Any) -> str:
    """`response` is Zadig's 400 Bad Request envelope; its description."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == ENVELOPE, body
    assert (body["code"], body["message"], body["type"]) == (400, "Bad Request", "error")
    return body["description"]


@pytest.fixture(scope="module")
def pages() -> TestClient:
    with client_of(ENVIRONMENT, REGISTRY, QUOTA) as client:
        yield client


def test_the_pages_success_example_is_answered(pages: TestClient) -> None:
    answer = pages.get(ENVIRONMENTS, params={"projectName": "demo"})
    assert answer.status_code == 200
    assert answer.json() == [{"name": "dev", "status": "Running", "update_time": 1616380000}]


def test_prefer_example_picks_another_success_example(pages: TestClient) -> None:
    query = {"projectName": "demo"}
    first = pages.get(REGISTRIES, params=query)
    assert first.json() == [
        {
            "id": "reg-1",
            "namespace": "koderover",
            "reg_addr": "https://ccr.example.com",
            "is_default": True,
        }
    ]
    empty = pages.get(REGISTRIES, params=query, headers={"Prefer": "example=documented_2"})
    assert (empty.status_code, empty.json()) == (200, [])
    unknown = pages.get(REGISTRIES, params=query, headers={"Prefer": "example=nope"})
    assert "nope" in bad_request(unknown)


@pytest.mark.parametrize(
    ("code", "message", "description"),
    [(6081, "获取镜像仓库失败", "project not found"), (6082, "无权访问镜像仓库", "no permission")],
)
def test_every_documented_error_on_demand(
    pages: TestClient, code: int, message: str, description: str
) -> None:
    documented = {
        "code": code,
        "description": description,
        "extra": {},
        "message": message,
        "type": "error",
    }
    answer = pages.get(REGISTRIES, params={"projectName": "x"}, headers={"Prefer": f"code={code}"})
    assert (answer.status_code, answer.json()) == (400, documented)
    # Queued for the next call of that operation only.
    operation = read_contract(spec_document(None, [REGISTRY], warn=False)).operations
    list_id = next(op for op in operation.values() if op.method == "get").operation_id
    assert pages.post("/_mock/next", json={"operation": list_id, "code": code}).status_code == 200
    assert pages.get(ENVIRONMENTS, params={"projectName": "x"}).status_code == 200
    queued = pages.get(REGISTRIES, params={"projectName": "x"})
    assert (queued.status_code, queued.json()) == (400, documented)
    assert pages.get(REGISTRIES, params={"projectName": "x"}).status_code == 200


def zadig_error(code: int, message: str, description: str) -> dict[str, Any]:
    return {
        "code": code,
        "description": description,
        "extra": {},
        "message": message,
        "type": "error",
    }


# Each operation's own examples, copied from storage-api.md.
STORAGE_ERRORS = [
    (LIST_STORAGES, 6601, 400, zadig_error(6601, "列出对象存储失败", "project demo not found")),
    (
        DELETE_STORAGE,
        6601,
        400,
        zadig_error(6601, "删除对象存储失败", "storage s3-1 is used by 2 builds"),
    ),
    (
        LIST_STORAGES,
        503,
        503,
        zadig_error(503, "Service Unavailable", "storage backend unreachable"),
    ),
    (DELETE_STORAGE, 404, 404, zadig_error(404, "Not Found", "storage not found")),
]


def call_storage(client: TestClient, operation: str, **headers: str) -> Any:
    if operation == LIST_STORAGES:
        return client.get(STORAGES, params={"projectKey": "demo"}, headers=headers)
    return client.delete(f"{STORAGES}/s3-1", headers=headers)


@pytest.fixture(scope="module")
def storage() -> TestClient:
    with client_of(STORAGE) as client:
        yield client


@pytest.mark.parametrize(("operation", "code", "status", "body"), STORAGE_ERRORS)
def test_a_forced_code_is_the_operations_own_documented_error(
    storage: TestClient, operation: str, code: int, status: int, body: dict[str, Any]
) -> None:
    """Two operations of a page document 6601 with other messages: each answers its own, by
    `Prefer: code=` and by the queue, whatever its status."""
    storage.post("/_mock/reset")
    answer = call_storage(storage, operation, Prefer=f"code={code}")
    assert (answer.status_code, answer.json()) == (status, body)
    named = call_storage(storage, operation, Prefer=f"code={code}, example=documented")
    assert (named.status_code, named.json()) == (status, body)
    queued = storage.post("/_mock/next", json={"operation": operation, "code": code})
    assert queued.status_code == 200, queued.text
    answer = call_storage(storage, operation)
    assert (answer.status_code, answer.json()) == (status, body)
    assert call_storage(storage, operation).status_code == 200  # taken once


def test_a_queued_success_example_is_answered_once(storage: TestClient) -> None:
    storage.post("/_mock/reset")
    queued = storage.post(
        "/_mock/next", json={"operation": LIST_STORAGES, "code": 200, "example": "documented_2"}
    )
    assert queued.status_code == 200, queued.text
    assert call_storage(storage, LIST_STORAGES).json() == []  # the page's 没有存储时
    first = {"id": "s3-1", "provider": "minio", "bucket": "artifacts", "is_default": True}
    assert call_storage(storage, LIST_STORAGES).json() == [first]
    for wrong in (
        {"operation": LIST_STORAGES, "code": 200, "example": "nope"},
        {"operation": DELETE_STORAGE, "code": 200, "example": "documented_2"},
        {"code": 200, "example": "documented_2"},  # any operation: no page's example
        {"operation": DELETE_STORAGE, "code": 503, "example": "documented"},  # the list's
        {"operation": LIST_STORAGES, "code": 6601, "example": "documented_9"},
    ):
        assert bad_request(storage.post("/_mock/next", json=wrong)), wrong


def test_the_answer_list_offers_every_documented_answer(storage: TestClient) -> None:
    # Today's workflow-task OpenAPI, served beside any page, is listed too: not this test's.
    listed = {
        op["operation"]: op["answers"]
        for op in storage.get("/_mock/answers").json()
        if op["path"].startswith(STORAGES)
    }
    offered = {
        operation: {(a["code"], a["example"], a["status"]) for a in answers}
        for operation, answers in listed.items()
    }
    assert offered == {
        LIST_STORAGES: {
            (200, None, 200),
            (200, "documented", 200),
            (200, "documented_2", 200),
            (6601, "documented", 400),
            (503, "documented", 503),
            (401, None, 401),
            (403, None, 403),
        },
        DELETE_STORAGE: {
            (200, None, 200),
            (6601, "documented", 400),
            (404, "documented", 404),
            (401, None, 401),
            (403, None, 403),
        },
    }
    for operation, code, _, body in STORAGE_ERRORS:
        (item,) = [a for a in listed[operation] if a["code"] == code]
        assert (item["message"], item["description"]) == (body["message"], body["description"])
    # Each one queued as listed is answered as listed.
    for operation, answers in listed.items():
        for item in answers:
            storage.post("/_mock/reset")
            pushed = {"operation": operation, "code": item["code"], "example": item["example"]}
            assert storage.post("/_mock/next", json=pushed).status_code == 200
            answer = call_storage(storage, operation)
            assert answer.status_code == item["status"], (item, answer.text)
            if item["code"] != 200:
                assert answer.json()["code"] == item["code"]


def test_bad_input_in_the_envelope(pages: TestClient) -> None:
    assert "projectName" in bad_request(pages.get(ENVIRONMENTS))
    assert "integer" in bad_request(
        pages.get(ENVIRONMENTS, params={"projectName": "d", "page": "x"})
    )
    body = {"services": 3}
    put = pages.put(f"{ENVIRONMENTS}/dev", params={"projectName": "d"}, json=body)
    assert "services" in bad_request(put)
    assert "resource" in bad_request(pages.post("/openapi/quotas", json={"projectKey": "p"}))
    broken = pages.post(
        "/openapi/quotas", content=b"{", headers={"Content-Type": "application/json"}
    )
    bad_request(broken)


def test_auth_on_every_operation(pages: TestClient) -> None:
    for method, path in (("GET", ENVIRONMENTS), ("GET", "/openapi/quotas")):
        answer = pages.request(method, path, headers={"Authorization": ""})
        assert answer.status_code == 401
        assert answer.json()["code"] == 401


def test_no_example_a_value_built_from_the_schema_the_same_every_time(pages: TestClient) -> None:
    spec = spec_document(None, [QUOTA], warn=False)
    schema = spec["paths"]["/openapi/quotas"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    first = pages.get("/openapi/quotas", params={"projectKey": "p"})
    assert first.status_code == 200
    jsonschema.validate(first.json(), schema)
    assert set(first.json()) == {"quotas", "total"}
    assert pages.get("/openapi/quotas", params={"projectKey": "p"}).json() == first.json()
    with client_of(QUOTA) as other:  # another mock (another process of a group) too
        assert other.get("/openapi/quotas", params={"projectKey": "p"}).json() == first.json()


def built_answers(url: str) -> dict[str, Any]:
    """Every read of the quota and event pages, as one mock answers it (values built)."""
    calls = {
        "/openapi/quotas": {"projectKey": "p"},
        "/openapi/quotas/7": {},
        "/openapi/events": {"projectKey": "p"},
        "/openapi/events/e-1": {},
    }
    with http_client(url) as client:
        found = {}
        for path, query in calls.items():
            answer = client.get(path, params=query, headers=AUTH)
            assert answer.status_code == 200, answer.text
            found[path] = answer.json()
    return found


def test_a_built_value_is_the_same_in_every_process_and_after_a_restart() -> None:
    """Two processes with other hash seeds, then one restarted later, answer the same values:
    what a group of mocks behind a balancer, or a mock restarted in CI, must do."""
    pages = ("--page", QUOTA, "--page", EVENT)
    with MockProcess(*pages, env={"PYTHONHASHSEED": "1"}) as first:
        with MockProcess(*pages, env={"PYTHONHASHSEED": "2"}) as second:
            seen = built_answers(first.url)
            assert built_answers(second.url) == seen
        event = seen["/openapi/events"]["events"][0]
        assert {"id", "occurred_at", "day", "source", "reporter"} <= set(event)
        first.stop()
        time.sleep(1.1)  # a clock read while building would now read another second
        first.start()
        assert built_answers(first.url) == seen


def test_swagger_ui_lists_every_operation(pages: TestClient) -> None:
    served = pages.get("/openapi.json").json()
    operations = {(m, p) for p, item in served["paths"].items() for m in item}
    assert ("get", ENVIRONMENTS) in operations
    assert ("post", "/openapi/quotas") in operations
    assert ("delete", REGISTRIES + "/{id}") in operations
    assert pages.get("/ui/").status_code == 200


def test_the_journal_names_every_operation(pages: TestClient) -> None:
    pages.delete("/_mock/requests")
    pages.get("/openapi/quotas/7")
    entries = pages.get("/_mock/requests").json()
    assert entries[-1]["path"] == "/openapi/quotas/7"
    assert entries[-1]["status"] == 200


def test_a_converted_workflow_page_is_the_built_in_spec() -> None:
    committed = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    assert spec_document(None, [str(SOURCE_PATH)], warn=False) == committed


def renamed_workflow_spec() -> dict[str, Any]:
    """The committed spec with other operationIds and other path parameter names."""
    text = SPEC_PATH.read_text(encoding="utf-8")
    for old, new in (("WorkflowTask", "Run"), ("{id}", "{taskId}"), ("{pipeline}", "{name}")):
        text = text.replace(old, new)
    spec = yaml.safe_load(text)
    for item in spec["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                parameter["name"] = {"id": "taskId", "pipeline": "name"}.get(
                    parameter["name"], parameter["name"]
                )
    return spec


def test_task_rules_found_by_method_and_path_not_operation_id() -> None:
    spec = renamed_workflow_spec()
    assert "createWorkflowTask" not in str(spec)
    create = "/api/aslan/workflow/workflowtask"
    with api_client(create_app(MockOptions(spec=spec, task_duration=0))) as client:
        ids = [client.post(create, json=PAGE_EXAMPLE).json()["task_id"] for _ in range(2)]
        assert ids == [1, 2]  # per-workflow task ids: the stateful rule, not an example
        cancel = f"{create}/id/1/pipelines/{PAGE_EXAMPLE['workflow_name']}"
        assert client.delete(cancel).json() == {"message": "success"}
        unknown = client.delete(f"{create}/id/99/pipelines/{PAGE_EXAMPLE['workflow_name']}")
        assert unknown.json()["code"] == 6163


def test_workflow_rules_beside_other_pages() -> None:
    with client_of(str(SOURCE_PATH), ENVIRONMENT) as client:
        create = client.post("/api/aslan/workflow/workflowtask", json=PAGE_EXAMPLE)
        assert create.json() == {"pipeline_name": PAGE_EXAMPLE["workflow_name"], "task_id": 1}
        assert client.get(ENVIRONMENTS, params={"projectName": "d"}).status_code == 200


def test_the_same_operation_on_two_pages_is_an_error_naming_both(tmp_path: Path) -> None:
    copy = tmp_path / "copy.md"
    copy.write_text(Path(ENVIRONMENT).read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SpecError) as error:
        spec_document(None, [ENVIRONMENT, str(copy)], warn=False)
    assert "environment-api.md" in str(error.value) and "copy.md" in str(error.value)


COLLIDING = """---
title: {title}
---

## {title}

**请求**

```
GET {path}
```

**正常返回**

```json
{{"name": "{title}"}}
```
"""


def test_colliding_operation_ids_renamed_with_a_warning(tmp_path: Path) -> None:
    one, two = tmp_path / "one.md", tmp_path / "two.md"
    one.write_text(COLLIDING.format(title="one", path="/openapi/items-list"), encoding="utf-8")
    two.write_text(COLLIDING.format(title="two", path="/openapi/items_list"), encoding="utf-8")
    with MockProcess("--page", str(one), "--page", str(two), "--quiet") as mock:
        with http_client(mock.url) as client:
            assert client.get("/openapi/items-list").json() == {"name": "one"}
            assert client.get("/openapi/items_list").json() == {"name": "two"}
            ids = {
                op["operationId"]
                for i in client.get("/openapi.json").json()["paths"].values()
                for op in i.values()
            }
    # Today's workflow-task OpenAPI, served beside the pages, is listed with them.
    today = {
        op["operationId"]
        for item in yaml.safe_load(CUSTOM_SPEC_PATH.read_text(encoding="utf-8"))["paths"].values()
        for op in item.values()
    }
    assert ids - today == {"get_openapi_items_list", "get_openapi_items_list_2"}
    assert today <= ids
    warnings = mock.proc.stderr.read().decode()
    assert "renamed get_openapi_items_list_2" in warnings
    assert warnings.count("renamed") == 1  # printed once


def test_the_command_line(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(spec_document(None, [QUOTA], warn=False)), encoding="utf-8")
    with MockProcess("--spec", str(spec), "--quiet") as mock:
        with http_client(mock.url) as client:
            assert client.get("/openapi/quotas/3").status_code == 200
    assert run_mock("--page", str(tmp_path / "absent.md")).returncode == 2
    both = run_mock("--spec", str(spec), "--page", QUOTA)
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_headers_sent_by_a_browser(pages: TestClient) -> None:
    answer = pages.options(
        "/openapi/quotas",
        headers={"Origin": "http://app.test", "Access-Control-Request-Method": "POST"},
    )
    assert answer.status_code == 200
    assert "access-control-allow-origin" in answer.headers
    assert AUTH


def test_a_page_with_its_own_error_section_keeps_the_task_rules_answers() -> None:
    """config-api.md has a page-wide error section (a catalogue of its own): aslan's answers
    and the task rules' codes are still there, never a 500."""
    with client_of(str(SOURCE_PATH), str(PAGES / "config-api.md")) as client:
        restart = client.post(
            "/api/aslan/workflow/workflowtask/id/999/pipelines/proxy-workflow-dev/restart"
        )
        assert (restart.status_code, restart.json()["code"]) == (400, 6164)
        assert client.post("/openapi/no-such", json={}).status_code == 404
