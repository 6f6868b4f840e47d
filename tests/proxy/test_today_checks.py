"""The proxy's judgement of one answer of today's workflow-task OpenAPI
(`api_contract.today_checks`) on answers written from the behavior file
(`zadig-openapi-workflow-behavior.md`): each rule it holds broken once, the faithful answer
beside it passing."""

from __future__ import annotations

from gate.today_answers import CANCEL_UNKNOWN, MONGO, NIL_JOBS_TASK, answer, listing, row

from api_contract.exchange import Exchange
from api_contract.spec import load_contract
from api_contract.today_checks import answer_problems
from openapi import CUSTOM_SPEC_PATH

CONTRACT = load_contract(CUSTOM_SPEC_PATH)
LIST = "listCustomWorkflowTasks"
CANCEL = "cancelCustomWorkflowTask"
GET = "getCustomWorkflowTask"


def judged(role: str, exchange: Exchange, query: dict[str, str] | None = None) -> list[str]:
    return answer_problems(CONTRACT, CONTRACT.operation(role), role, exchange, query or {}, True)


def test_the_envelope_type_is_error() -> None:
    assert judged(CANCEL, answer(400, CANCEL_UNKNOWN)) == []
    assert judged(CANCEL, answer(400, {**CANCEL_UNKNOWN, "type": "fail"})) == [
        "type 'fail', expected 'error'"
    ]


def test_the_envelope_extra_is_an_object() -> None:
    # §1: the envelope's `extra` is `{}`.
    assert judged(CANCEL, answer(400, {**CANCEL_UNKNOWN, "extra": []})) == [
        "extra is not an object"
    ]


def test_a_code_is_answered_with_its_status_on_the_operations_that_answer_it() -> None:
    # §1: codes 6000-7999 are HTTP 400; §5.4: cancel answers 6163, never retry's 6161.
    assert judged(CANCEL, answer(500, CANCEL_UNKNOWN)) == ["code 6163 with HTTP 500, expected 400"]
    retry_s = {**CANCEL_UNKNOWN, "code": 6161, "message": "获取工作流任务失败"}
    assert judged(CANCEL, answer(400, retry_s)) == [f"code 6161 is not an answer of {CANCEL}"]


def test_a_plain_error_has_no_type_nor_extra() -> None:
    # §1 and §5.2: detail of an unknown task.
    plain = {"code": 500, "message": "Internal Error: ", "description": MONGO}
    assert judged(GET, answer(500, plain)) == []
    assert judged(GET, answer(500, {**plain, "type": "error", "extra": {}})) == [
        "code 500 in the envelope: aslan's plain form has no type nor extra"
    ]


def test_the_rows_are_of_the_queried_project() -> None:
    query = {"projectKey": "demo"}
    assert judged(LIST, listing([row(2, 200), row(1, 100)]), query) == []
    assert judged(LIST, listing([row(2, 200, "other")]), query) == [
        "task 2: project_key 'other', the query's is 'demo'"
    ]


def test_a_page_holds_no_more_than_its_size() -> None:
    rows = [row(i, 1000 - i) for i in range(1, 4)]
    assert judged(LIST, listing(rows), {"projectKey": "demo", "pageSize": "3"}) == []
    assert judged(LIST, listing(rows), {"projectKey": "demo", "pageSize": "2"}) == [
        "3 tasks on a page of 2"
    ]


def test_page_zero_is_neither_sorted_nor_limited() -> None:
    # §5.3: "If pageNum is 0, there is no skip, limit or sort."
    rows = [row(1, 100), row(2, 200), row(3, 300)]
    query = {"projectKey": "demo", "pageNum": "0", "pageSize": "2"}
    assert judged(LIST, listing(rows), query) == []
    assert judged(LIST, listing(rows), {**query, "pageNum": "1", "pageSize": "3"}) == [
        "not newest first: create_time [100, 200, 300]"
    ]


def test_go_nil_inside_a_task_passes_and_a_wrong_type_does_not() -> None:
    task = NIL_JOBS_TASK
    assert judged(GET, answer(200, task)) == []
    assert judged(GET, answer(200, {**task, "task_id": "one"})) != []
