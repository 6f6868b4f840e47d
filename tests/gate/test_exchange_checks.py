"""The per-exchange checks that the gate and the proxy share, on answers the behavior file
describes (faithful ones pass, faulty ones name the fault), and free of pytest."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import PAGE_EXAMPLE as PAGE_BODY

from api_contract.checks import accepted_incomplete_problems, answer_problems, request_problems
from api_contract.exchange import Exchange
from contract_tests.contract import CANCEL, CREATE, RESTART, load_contract
from openapi import SPEC_PATH

CONTRACT = load_contract(SPEC_PATH)
JSON = {"content-type": "application/json"}
BEARER = {"authorization": "Bearer t", "content-type": "application/json"}


def answer(status: int, body: object, headers: dict[str, str] | None = None) -> Exchange:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return Exchange("POST", "http://x", {}, None, status, headers or JSON, text)


def envelope(code: int, message: str, description: str = "d") -> dict:
    return {
        "code": code,
        "description": description,
        "extra": {},
        "message": message,
        "type": "error",
    }


# Answers of a faithful v1.7.1 deployment (behavior file: Answers, Error catalogue).
FAITHFUL = [
    (CREATE, answer(200, {"pipeline_name": "proxy-workflow-dev", "task_id": 16})),
    (CREATE, answer(400, envelope(6542, "查询workflow失败"))),
    (CREATE, answer(400, envelope(6160, "创建工作流任务失败", "未配置工作流子任务"))),
    (CREATE, answer(400, envelope(400, "Bad Request", "EOF"))),
    (RESTART, answer(200, {"message": "success"})),
    (RESTART, answer(400, envelope(6164, "重试工作流任务失败"))),
    (RESTART, answer(400, envelope(400, "Bad Request", "invalid task id"))),
    (CANCEL, answer(400, envelope(6163, "取消工作流任务失败"))),
    (CANCEL, answer(401, "unauthorized", {"content-type": "text/plain"})),
    (CANCEL, answer(403, "")),
]


@pytest.mark.parametrize(("operation_id", "exchange"), FAITHFUL)
def test_faithful_answers_have_no_problem(operation_id: str, exchange: Exchange) -> None:
    assert answer_problems(CONTRACT, CONTRACT.operation(operation_id), exchange) == []


FAULTY = [
    (CANCEL, answer(400, envelope(6164, "重试工作流任务失败")), "code 6164"),
    (CANCEL, answer(200, envelope(6163, "取消工作流任务失败")), "success body"),
    (CREATE, answer(500, {"message": "Internal Error: x"}), "HTTP status 500"),
    (CREATE, answer(400, {"code": 6542, "message": "查询workflow失败"}), "'description'"),
    (CREATE, answer(400, envelope(6542, "查询workflow失败") | {"type": "warn"}), "'error'"),
    (CREATE, answer(200, {"pipeline_name": "w", "task_id": "7"}), "is not of type 'integer'"),
    # Draft 4: a number with a fraction part, even a zero one, is not an integer.
    (CREATE, answer(200, {"pipeline_name": "w", "task_id": 7.0}), "7.0 is not of type 'integer'"),
    (CREATE, answer(200, {"pipeline_name": "w"}), "'task_id' is a required property"),
    (RESTART, answer(200, {"message": "success"}, {"content-type": "text/plain"}), "text/plain"),
    (RESTART, answer(200, {"message": "ok"}), "'success'"),
    (RESTART, answer(400, envelope(6164, "失败")), "the catalogue says"),
    (RESTART, answer(500, envelope(6164, "重试工作流任务失败")), "HTTP status 500"),
]


@pytest.mark.parametrize(("operation_id", "exchange", "named"), FAULTY)
def test_faulty_answers_are_named(operation_id: str, exchange: Exchange, named: str) -> None:
    problems = answer_problems(CONTRACT, CONTRACT.operation(operation_id), exchange)
    assert any(named in problem for problem in problems), problems


def body(**changes: object) -> bytes:
    sent = {**PAGE_BODY, **changes}
    return json.dumps({k: v for k, v in sent.items() if v is not None}).encode()


def test_the_page_example_is_a_correct_request() -> None:
    create = CONTRACT.operation(CREATE)
    assert request_problems(create, {}, {"projectName": "proxy"}, BEARER, body()) == []


@pytest.mark.parametrize(
    ("sent", "named"),
    [
        (body(namespace=None), "'namespace' is a required property"),
        (body(targets="x"), "'x' is not of type 'array'"),
        (body(namespace=1), "1 is not of type 'string'"),
        (b'{"workflow_name": ', "not JSON"),
        (b"", "no body"),
    ],
)
def test_create_request_findings(sent: bytes, named: str) -> None:
    problems = request_problems(CONTRACT.operation(CREATE), {}, {}, BEARER, sent)
    assert any(named in problem for problem in problems), problems


def test_create_without_namespace_answered_200_is_a_request_finding_only() -> None:
    """Behavior file: no `namespace`, the rest valid -> 200, a task is created."""
    create = CONTRACT.operation(CREATE)
    created = answer(200, {"pipeline_name": "proxy-workflow-dev", "task_id": 17})
    assert answer_problems(CONTRACT, create, created) == []
    assert request_problems(create, {}, {}, BEARER, body(namespace=None)) != []


@pytest.mark.parametrize(
    ("task_id", "ok"),
    [("16", True), ("abc", False), ("1.5", False), ("99999999999999999999", False)],
)
def test_task_id_must_be_an_integer(task_id: str, ok: bool) -> None:
    params = {"id": task_id, "pipeline": "proxy-workflow-dev"}
    problems = request_problems(CONTRACT.operation(CANCEL), params, {}, BEARER, b"")
    assert (problems == []) is ok, problems


@pytest.mark.parametrize(
    ("headers", "query", "ok"),
    [
        ({}, {}, False),
        ({"authorization": "Bearer "}, {}, False),
        ({"authorization": "bearer abc"}, {}, True),
        ({}, {"token": "abc"}, True),
    ],
)
def test_credentials_bearer_or_query_token(headers: dict, query: dict, ok: bool) -> None:
    params = {"id": "1", "pipeline": "w"}
    problems = request_problems(CONTRACT.operation(RESTART), params, query, headers, b"")
    assert (problems == []) is ok, problems


def test_the_contract_core_loads_no_server_test_or_state_library() -> None:
    """The proxy and the mock stand on api_contract: importing all of it (and what it imports in
    turn) brings no test runner, HTTP server or client, nor a state library."""
    code = (
        "import sys, pkgutil, importlib, api_contract\n"
        "for m in pkgutil.iter_modules(api_contract.__path__):\n"
        "    importlib.import_module('api_contract.' + m.name)\n"
        "banned = ('pytest', 'schemathesis', 'connexion', 'starlette', 'uvicorn', 'httpx',\n"
        "          'httpcore', 'redis', 'requests', 'mock_server', 'contract_tests',\n"
        "          'contract_proxy')\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in banned))"
    )
    run = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert run.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("sent", "status", "named"),
    [
        (body(targets=None), 200, "without `targets`"),
        (body(targets=[]), 200, "without `targets`"),
        (body(workflow_name=""), 200, "without `workflow_name`"),
        (body(namespace=None), 200, None),  # v1.7.1 creates the task (build without deploy)
        (body(targets=None), 400, None),  # refused: judged as any answer is
        (body(), 200, None),
    ],
)
def test_a_create_accepted_without_what_aslan_requires(
    sent: bytes, status: int, named: str | None
) -> None:
    """Behavior file: no `targets` (or []) -> 6160, no `workflow_name` (or "") -> 6542, no
    `namespace` -> 200; a server that accepts what aslan refuses does not keep the contract."""
    create = CONTRACT.operation(CREATE)
    created = answer(status, {"pipeline_name": "proxy-workflow-dev", "task_id": 17})
    problems = accepted_incomplete_problems(CONTRACT, create, json.loads(sent), created)
    assert any(named in p for p in problems) if named else problems == [], problems
