"""The gate's per-answer checks of today's workflow-task OpenAPI (`contract_tests.custom_checks`)
on answers written from the behavior file (`zadig-openapi-workflow-behavior.md`): what its
sections make certain is a problem when broken, what Go may write (nil as null) a note."""

from __future__ import annotations

from contract_tests import custom_checks as check
from contract_tests.contract import CUSTOM_GET, CUSTOM_LIST, load_contract
from openapi import CUSTOM_SPEC_PATH

from .today_answers import CANCEL_UNKNOWN, MONGO, NIL_JOBS_TASK, answer, listing, row

CONTRACT = load_contract(CUSTOM_SPEC_PATH)


def test_the_faithful_cancel_error_passes() -> None:
    assert check.error(CONTRACT, answer(400, CANCEL_UNKNOWN), 6163, MONGO) == ([], [])


def test_the_error_status_is_the_catalogues() -> None:
    # §1: codes 6000-7999 are sent as HTTP 400.
    problems, _ = check.error(CONTRACT, answer(500, CANCEL_UNKNOWN), 6163, MONGO)
    assert problems == ["HTTP 500, expected 400"]


def test_the_envelope_type_is_error() -> None:
    problems, _ = check.error(CONTRACT, answer(400, {**CANCEL_UNKNOWN, "type": "fail"}), 6163)
    assert problems == ["type 'fail', expected 'error'"]


def test_the_envelope_extra_is_an_object() -> None:
    problems, _ = check.error(CONTRACT, answer(400, {**CANCEL_UNKNOWN, "extra": []}), 6163)
    assert problems == ["extra is not an object"]


def test_the_envelope_keys_and_code() -> None:
    short = {k: v for k, v in CANCEL_UNKNOWN.items() if k != "description"}
    problems, _ = check.error(CONTRACT, answer(400, short), 6163)
    assert problems == ["the error body lacks description"]
    problems, _ = check.error(CONTRACT, answer(400, {**CANCEL_UNKNOWN, "code": 6161}), 6163)
    assert "code 6161, expected 6163" in problems


def test_a_description_aslan_is_not_certain_of_is_a_note() -> None:
    other = answer(400, {**CANCEL_UNKNOWN, "description": "not found"})
    certain = check.error(CONTRACT, other, 6163, MONGO)
    uncertain = check.error(CONTRACT, other, 6163, MONGO, description_certain=False)
    assert certain[0] and not certain[1]
    assert uncertain == ([], [f"description 'not found', aslan's is {MONGO!r}"])


def test_a_description_template_takes_an_integer_id_only() -> None:
    # §5.4: `task: <wf>:<id> is passed, cannot cancel`.
    template = "task: {workflow}:{id} is passed, cannot cancel"
    known = {"workflow": "wf"}
    assert check.fits("task: wf:12 is passed, cannot cancel", template, known)
    assert not check.fits("task: wf:twelve is passed, cannot cancel", template, known)
    assert not check.fits("task: other:12 is passed, cannot cancel", template, known)


def test_an_empty_refusal_needs_its_status_and_notes_a_body() -> None:
    # §1: gin's bind writes 400 with no body.
    assert check.empty_refusal(answer(400, ""), 400) == ([], [])
    assert check.empty_refusal(answer(200, ""), 400)[0] == ["HTTP 200, expected 400"]
    problems, notes = check.empty_refusal(answer(400, {"code": 400}), 400)
    assert problems == [] and len(notes) == 1


def test_the_list_rows_are_of_the_queried_project() -> None:
    operation = CONTRACT.operation(CUSTOM_LIST)
    faithful = listing([row(2, 200), row(1, 100)])
    assert check.task_list(faithful, operation, "demo", None) == ([], [])
    problems, _ = check.task_list(listing([row(2, 200, "other")]), operation, "demo", None)
    assert len(problems) == 1 and problems[0].startswith("task 2: project_key 'other'")


def test_the_list_holds_no_more_than_the_page_size() -> None:
    # §5.3: limited to pageSize.
    operation = CONTRACT.operation(CUSTOM_LIST)
    rows = [row(i, 1000 - i) for i in range(1, 12)]
    problems, _ = check.task_list(listing(rows), operation, "demo", 10)
    assert problems == ["11 tasks on a page of 10"]
    assert check.task_list(listing(rows[:10]), operation, "demo", 10) == ([], [])


def test_the_list_is_newest_first_and_lower_cased() -> None:
    operation = CONTRACT.operation(CUSTOM_LIST)
    problems, _ = check.task_list(listing([row(1, 100), row(2, 200)]), operation, "demo", None)
    assert problems == ["not newest first: create_time [100, 200]"]
    problems, _ = check.task_list(listing([row(1, 100, status="PASSED")]), operation, "demo", 10)
    assert problems == ["task 1: status 'PASSED' is not lower-cased"]


def test_a_null_list_inside_a_task_is_a_note() -> None:
    # Go writes a nil slice as null; §1's responseHelper fixes only the top level.
    operation = CONTRACT.operation(CUSTOM_GET)
    task = NIL_JOBS_TASK
    problems, notes = check.success(answer(200, task), operation)
    assert problems == [] and notes and all(note.endswith("(Go's nil)") for note in notes)
    problems, _ = check.success(answer(200, {**task, "task_id": "one"}), operation)
    assert problems


def test_a_plain_error_has_its_own_keys() -> None:
    # §1: a plain error is {message, code, description}: no type, no extra.
    plain = {"message": "Internal Error: ", "code": 500, "description": MONGO}
    assert check.error(CONTRACT, answer(500, plain), 500, MONGO) == ([], [])
    problems, _ = check.error(CONTRACT, answer(500, {**plain, "message": "Internal Error"}), 500)
    assert problems == ["message 'Internal Error', expected 'Internal Error: '"]


def test_a_plain_error_in_the_envelope_fails() -> None:
    # §1: aslan's plain 500 has no `type` and no `extra` key.
    plain = {"message": "Internal Error: ", "code": 500, "description": MONGO}
    problems, _ = check.error(CONTRACT, answer(500, {**plain, "type": "error", "extra": {}}), 500)
    assert problems == ["code 500 in the envelope: aslan's plain form has no type nor extra"]
