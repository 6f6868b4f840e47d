"""The rules of today's workflow-task OpenAPI (`--api custom-workflow`), one or more per operation.

A rule fails a server only for what the page and aslan's source agree on, or what the source
makes certain (the behavior file `zadig-openapi-workflow-behavior.md`); where they disagree or
are silent the difference is noted in the summary and the rule passes. The safe profile sends
reads and requests that must fail (absent tasks and workflows, ids that are not integers, no
token); the full profile runs tasks of the fixture workflow through their lifecycle (trigger,
read, list, cancel, retry) and cancels every task it triggered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest

from api_contract.exchange import Exchange
from api_contract.spec import Contract
from api_contract.summary import AUTH_ROW, SUCCESS_ROW
from contract_tests import custom_checks as check
from contract_tests.contract import (
    CUSTOM_APPROVE,
    CUSTOM_CANCEL,
    CUSTOM_CREATE,
    CUSTOM_GET,
    CUSTOM_LIST,
    CUSTOM_RETRY,
)
from contract_tests.http_client import NO_BODY, BudgetSpent, Target, TargetDown
from contract_tests.rule import Rule
from contract_tests.sending import skip_unless_profile
from contract_tests.settings import Settings

MONGO = "mongo: no documents in result"
# Statuses the source says a task can never read back: a trigger stores `waiting` at once.
NEVER_READ = ("created",)
RETRYABLE = ("failed", "timeout", "cancelled", "reject")
EMPTY_400 = "400 (empty body)"  # gin's refusal of a query integer that does not parse


@dataclass
class Client:
    """Sends the operations of the spec by id; a dead target fails the rule that sent."""

    contract: Contract
    target: Target
    notes: list[str]
    triggered: dict[tuple[str, int], str] = field(default_factory=dict)  # ours, to cancel

    def send(
        self,
        rule: Rule,
        operation_id: str,
        *,
        path: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: Any = NO_BODY,
        raw_body: bytes | None = None,
        auth: str = "configured",
        budgeted: bool = True,
    ) -> Exchange:
        operation = self.contract.operation(operation_id)
        url = operation.path
        for name, value in (path or {}).items():
            url = url.replace("{" + name + "}", quote(str(value), safe=""))
        try:
            exchange = self.target.send(
                operation_id,
                operation.method,
                url,
                query={k: str(v) for k, v in (query or {}).items()},
                body=body,
                raw_body=raw_body,
                auth=auth,
                budgeted=budgeted,
            )
        except TargetDown as exc:
            if isinstance(exc, BudgetSpent):
                self.target.budget_cut.append(rule.title)
            rule.fail(None, "an answer within the request timeout", [str(exc)])
        if operation_id == CUSTOM_CREATE and exchange.status == 200:
            self._note_triggered(exchange)
        return exchange

    def _note_triggered(self, exchange: Exchange) -> None:
        try:
            body = exchange.json()
            key, task_id = body["workflow_name"], body["task_id"]
        except (ValueError, KeyError, TypeError):
            return
        if isinstance(key, str) and isinstance(task_id, int) and not isinstance(task_id, bool):
            self.triggered[(key, task_id)] = "open"

    def cancel_all(self) -> None:
        """Every task the run triggered, cancelled (a passed one cannot be, and need not)."""
        rule = Rule("cleanup: cancel the tasks the gate triggered", "取消工作流任务", "")
        for (key, task_id), state in list(self.triggered.items()):
            if state != "open":
                continue
            try:
                exchange = self.send(
                    rule,
                    CUSTOM_CANCEL,
                    query={"taskId": task_id, "workflowKey": key},
                    budgeted=False,
                )
            except pytest.fail.Exception as exc:
                self.notes.append(f"could not cancel task {key}:{task_id}: {exc}")
                continue
            if exchange.status != 200 and "is passed" not in exchange.text:
                self.notes.append(
                    f"cancel of task {key}:{task_id} answered {exchange.describe_response()}; "
                    f"cancel it by hand: {exchange.curl()}"
                )


@pytest.fixture(scope="module")
def client(contract: Contract, target: Target, notes: list[str]) -> Iterator[Client]:
    sender = Client(contract, target, notes)
    yield sender
    sender.cancel_all()


def rule(contract: Contract, operation_id: str, title: str) -> Rule:
    operation = contract.operation(operation_id)
    return Rule(title, operation.section, operation.spec_ref("responses"))


def judge(rule: Rule, exchange: Exchange, expected: str, verdict: check.Verdict, notes) -> None:
    problems, noted = verdict
    notes += [f"{rule.title}: {note}" for note in noted]
    if problems:
        rule.fail(exchange, expected, problems)


def fixture_trigger(settings: Settings, **changes: Any) -> dict[str, Any]:
    return {**(settings.trigger_body or {}), **changes}


# -- auth ------------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_GET, AUTH_ROW)
@pytest.mark.parametrize("auth", ["none", "bad"])
def test_a_request_without_a_valid_token_is_refused(auth, settings, contract, client, notes):
    if not settings.token:
        pytest.skip("no --token: the target is checked without credentials")
    r = rule(contract, CUSTOM_GET, f"the gateway refuses a request with {auth} token (401)")
    query = {"taskId": settings.absent_id(), "workflowKey": settings.fixture.workflow}
    exchange = client.send(r, CUSTOM_GET, query=query, auth=auth)
    judge(r, exchange, "HTTP 401", check.empty_refusal(exchange, 401), notes)


# -- detail ----------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_GET, "500/500")
def test_detail_of_an_absent_task(settings, contract, client, notes):
    r = rule(contract, CUSTOM_GET, "an absent task is HTTP 500, Internal Error, mongo's error")
    query = {"taskId": settings.absent_id(), "workflowKey": settings.fixture.workflow}
    exchange = client.send(r, CUSTOM_GET, query=query)
    judge(r, exchange, "the plain 500 error", check.error(contract, exchange, 500, MONGO), notes)


@pytest.mark.parametrize(
    "operation_id",
    [
        pytest.param(op, marks=pytest.mark.contract_row(op, EMPTY_400), id=op)
        for op in (CUSTOM_GET, CUSTOM_CANCEL)
    ],
)
def test_a_task_id_that_is_not_an_integer(operation_id, settings, contract, client, notes):
    r = rule(contract, operation_id, "a taskId that is not an integer is refused with HTTP 400")
    query = {"taskId": settings.absent_name("id"), "workflowKey": settings.fixture.workflow}
    exchange = client.send(r, operation_id, query=query)
    judge(r, exchange, "HTTP 400 (empty body)", check.empty_refusal(exchange, 400), notes)


# -- cancel ----------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_CANCEL, "400/6163")
def test_cancel_of_an_absent_task(settings, contract, client, notes):
    r = rule(contract, CUSTOM_CANCEL, "cancelling an absent task is 6163 with mongo's error")
    query = {"taskId": settings.absent_id(), "workflowKey": settings.fixture.workflow}
    exchange = client.send(r, CUSTOM_CANCEL, query=query)
    judge(r, exchange, "6163", check.error(contract, exchange, 6163, MONGO), notes)


# -- list ------------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_LIST, SUCCESS_ROW)
def test_list_of_an_absent_workflow_is_empty(settings, contract, client, notes):
    r = rule(contract, CUSTOM_LIST, "an absent workflow lists no task (200, not an error)")
    path = {"workflowKey": settings.absent_name("workflow")}
    exchange = client.send(
        r, CUSTOM_LIST, path=path, query={"projectKey": settings.fixture.project}
    )
    judge(r, exchange, '{"total": 0, "workflow_tasks": []}', _empty_list(exchange), notes)


@pytest.mark.contract_row(CUSTOM_LIST, EMPTY_400)
def test_list_with_a_page_that_is_not_an_integer(settings, contract, client, notes):
    r = rule(contract, CUSTOM_LIST, "a pageNum that is not an integer is refused with HTTP 400")
    query = {"projectKey": settings.fixture.project, "pageNum": settings.absent_name("page")}
    path = {"workflowKey": settings.fixture.workflow}
    exchange = client.send(r, CUSTOM_LIST, path=path, query=query)
    judge(r, exchange, "HTTP 400 (empty body)", check.empty_refusal(exchange, 400), notes)


@pytest.mark.contract_row(CUSTOM_LIST, SUCCESS_ROW)
@pytest.mark.parametrize("page_size", [None, 2])
def test_list_of_the_fixture_workflow(page_size, settings, contract, client, notes):
    r = rule(contract, CUSTOM_LIST, "the list: lower-cased statuses, newest first, one page")
    query = {"projectKey": settings.fixture.project}
    if page_size:
        query["pageSize"] = page_size
    path = {"workflowKey": settings.fixture.workflow}
    exchange = client.send(r, CUSTOM_LIST, path=path, query=query)
    operation = contract.operation(CUSTOM_LIST)
    verdict = check.task_list(exchange, operation, settings.fixture.project, page_size)
    judge(r, exchange, "the spec's list", verdict, notes)


# -- retry -----------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_RETRY, "400/6161")
def test_retry_of_an_absent_task(settings, contract, client, notes):
    r = rule(contract, CUSTOM_RETRY, "retrying an absent task is 6161 with mongo's error")
    path = {"workflowKey": settings.fixture.workflow, "taskID": settings.absent_id()}
    exchange = client.send(
        r, CUSTOM_RETRY, path=path, query={"projectKey": settings.fixture.project}
    )
    judge(r, exchange, "6161", check.error(contract, exchange, 6161, MONGO), notes)


@pytest.mark.contract_row(CUSTOM_RETRY, "400/400")
def test_retry_of_a_task_id_that_is_not_an_integer(settings, contract, client, notes):
    r = rule(contract, CUSTOM_RETRY, "a task id that is not an integer is 400 Bad Request")
    path = {"workflowKey": settings.fixture.workflow, "taskID": settings.absent_name("id")}
    exchange = client.send(r, CUSTOM_RETRY, path=path)
    said = contract.entry(400).reasons.get("bad_path_id")
    verdict = check.error(contract, exchange, 400, said, description_certain=False)
    judge(r, exchange, "400 Bad Request", verdict, notes)


# -- approve ---------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_APPROVE, "400/6169")
def test_approve_without_a_task_id(settings, contract, client, notes):
    r = rule(contract, CUSTOM_APPROVE, "an approval naming no task is 6169")
    body = {"workflow_key": settings.fixture.workflow, "task_id": 0, "stage_name": "x"}
    exchange = client.send(r, CUSTOM_APPROVE, body={**body, "approve": True})
    described = f"can not find approved workflow: {settings.fixture.workflow}, taskID: 0,jobName: x"
    verdict = check.error(contract, exchange, 6169, described, description_certain=False)
    judge(r, exchange, "6169", verdict, notes)


@pytest.mark.contract_row(CUSTOM_APPROVE, "400/6169")
def test_approve_of_an_absent_task(settings, contract, client, notes):
    r = rule(contract, CUSTOM_APPROVE, "approving a task that waits for no approval is 6169")
    body = {
        "workflow_key": settings.fixture.workflow,
        "task_id": settings.absent_id(),
        "stage_name": settings.absent_name("job"),
        "approve": False,
    }
    exchange = client.send(r, CUSTOM_APPROVE, body=body)
    said = contract.entry(6169).reasons.get("not_found_approval")
    verdict = check.error(contract, exchange, 6169, said, description_certain=False)
    judge(r, exchange, "6169", verdict, notes)


@pytest.mark.contract_row(CUSTOM_APPROVE, "500/500")
def test_approve_with_a_body_that_is_not_json(contract, client, notes):
    r = rule(contract, CUSTOM_APPROVE, "an approval body that is not JSON is the plain 500 error")
    exchange = client.send(r, CUSTOM_APPROVE, raw_body=b"{")
    problems, noted = check.error(contract, exchange, 500)
    description = str((_json(exchange) or {}).get("description", ""))
    if not problems and not description.startswith("failed to unmarshal request data"):
        noted.append(f"description {description!r}")
    judge(r, exchange, "the plain 500 error", (problems, noted), notes)


# -- trigger ---------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_CREATE, "400/6542")
def test_trigger_of_an_absent_workflow(settings, contract, client, notes):
    r = rule(contract, CUSTOM_CREATE, "triggering an absent workflow is 6542 with mongo's error")
    body = fixture_trigger(settings, workflow_key=settings.absent_name("workflow"))
    exchange = client.send(r, CUSTOM_CREATE, body=body)
    if exchange.status == 403:
        notes.append(f"{r.title}: 403, the token may not run workflows in {body['project_key']!r}")
        pytest.skip("the token may not run workflows in the fixture project (403)")
    judge(r, exchange, "6542", check.error(contract, exchange, 6542, MONGO), notes)


@pytest.mark.contract_row(CUSTOM_CREATE, "400/400")
def test_trigger_with_a_body_that_is_not_json(contract, client, notes):
    r = rule(contract, CUSTOM_CREATE, "a trigger body that is not JSON is 400 Bad Request")
    exchange = client.send(r, CUSTOM_CREATE, raw_body=b"{")
    judge(r, exchange, "400 Bad Request", check.error(contract, exchange, 400), notes)


# -- the full profile: a lifecycle on the fixture workflow -----------------------------------


@dataclass
class Lifecycle:
    ids: list[int] = field(default_factory=list)
    problem: str | None = None

    def need(self, count: int = 1) -> list[int]:
        if self.problem:
            pytest.skip(f"no task: {self.problem}")
        if len(self.ids) < count:
            pytest.skip("the tasks this step needs were not triggered earlier")
        return self.ids


@pytest.fixture(scope="module")
def lifecycle(settings: Settings) -> Lifecycle:
    skip_unless_profile("full", settings.profile)
    return Lifecycle()


def _trigger(settings, contract, client, lifecycle, title: str) -> tuple[Rule, Exchange]:
    r = rule(contract, CUSTOM_CREATE, title)
    exchange = client.send(r, CUSTOM_CREATE, body=fixture_trigger(settings))
    if exchange.status == 403:
        lifecycle.problem = "the token may not run the fixture workflow (403)"
        pytest.fail(f"fixture problem, not a contract violation: {lifecycle.problem}", False)
    return r, exchange


@pytest.mark.contract_row(CUSTOM_CREATE, SUCCESS_ROW)
def test_trigger_answers_the_workflow_and_a_task_id(settings, contract, client, lifecycle, notes):
    title = "a trigger answers project_name, workflow_name (the key) and task_id >= 1"
    r, exchange = _trigger(settings, contract, client, lifecycle, title)
    problems, noted = check.success(exchange, contract.operation(CUSTOM_CREATE))
    body = _json(exchange) or {}
    if not problems and body.get("workflow_name") != settings.fixture.workflow:
        problems.append(f"workflow_name {body.get('workflow_name')!r}, the key was sent")
    if problems:
        lifecycle.problem = "the first trigger failed"
    else:
        lifecycle.ids.append(body["task_id"])
    judge(r, exchange, "200 with the new task's id", (problems, noted), notes)


@pytest.mark.contract_row(CUSTOM_CREATE, SUCCESS_ROW)
def test_a_second_trigger_gets_a_greater_id(settings, contract, client, lifecycle, notes):
    first = lifecycle.need()[0]
    r, exchange = _trigger(settings, contract, client, lifecycle, "task ids increase per workflow")
    problems, noted = check.success(exchange, contract.operation(CUSTOM_CREATE))
    task_id = (_json(exchange) or {}).get("task_id")
    if not problems:
        lifecycle.ids.append(task_id)
        if not task_id > first:
            problems.append(f"task_id {task_id} after {first}")
    judge(r, exchange, f"an id above {first}", (problems, noted), notes)


@pytest.mark.contract_row(CUSTOM_GET, SUCCESS_ROW)
def test_a_new_task_reads_back(settings, contract, client, lifecycle, notes):
    task_id = lifecycle.need()[0]
    r = rule(contract, CUSTOM_GET, "a triggered task reads back (waiting, never created)")
    exchange, task = _detail(settings, client, r, task_id)
    problems, noted = check.success(exchange, contract.operation(CUSTOM_GET))
    if not problems:
        if task.get("task_id") != task_id or task.get("workflow_key") != settings.fixture.workflow:
            problems.append(f"task {task.get('workflow_key')}:{task.get('task_id')} came back")
        if task.get("status") in NEVER_READ:
            problems.append(f"status {task.get('status')!r}: a triggered task is stored waiting")
    judge(r, exchange, "the task", (problems, noted), notes)


@pytest.mark.contract_row(CUSTOM_LIST, SUCCESS_ROW)
def test_the_list_shows_the_new_tasks_newest_first(settings, contract, client, lifecycle, notes):
    first, second = lifecycle.need(2)[:2]
    r = rule(contract, CUSTOM_LIST, "the list shows the triggered tasks, newest first")
    path = {"workflowKey": settings.fixture.workflow}
    exchange = client.send(
        r, CUSTOM_LIST, path=path, query={"projectKey": settings.fixture.project, "pageSize": 50}
    )
    operation = contract.operation(CUSTOM_LIST)
    problems, noted = check.task_list(exchange, operation, settings.fixture.project, 50)
    if not problems:
        ids = [row.get("task_id") for row in exchange.json().get("workflow_tasks") or []]
        if first not in ids or second not in ids:
            problems.append(f"tasks {first} and {second} not in {ids}")
        elif ids.index(second) > ids.index(first):
            problems.append(f"task {second} listed after the older {first}")
    judge(r, exchange, "both tasks, the newer first", (problems, noted), notes)


@pytest.mark.contract_row(CUSTOM_LIST, SUCCESS_ROW)
def test_the_list_of_another_project_is_empty(settings, contract, client, lifecycle, notes):
    lifecycle.need()
    r = rule(contract, CUSTOM_LIST, "the list shows only the tasks of projectKey")
    path = {"workflowKey": settings.fixture.workflow}
    query = {"projectKey": settings.absent_name("project")}
    exchange = client.send(r, CUSTOM_LIST, path=path, query=query)
    judge(r, exchange, '{"total": 0, "workflow_tasks": []}', _empty_list(exchange), notes)


@pytest.mark.contract_row(CUSTOM_CANCEL, SUCCESS_ROW)
def test_cancel_and_cancel_again(settings, contract, client, lifecycle, notes):
    task_id = lifecycle.need(2)[1]
    r = rule(contract, CUSTOM_CANCEL, "a task that has not passed is cancelled, also twice")
    query = {"taskId": task_id, "workflowKey": settings.fixture.workflow}
    for attempt in ("first", "second"):
        exchange = client.send(r, CUSTOM_CANCEL, query=query)
        if attempt == "first" and "is passed" in exchange.text:
            pytest.skip(f"task {task_id} passed before it could be cancelled")
        verdict = _success_message(exchange, contract.operation(CUSTOM_CANCEL))
        judge(r, exchange, f'{{"message": "success"}} ({attempt} cancel)', verdict, notes)
    exchange, task = _detail(settings, client, r, task_id)
    if task.get("status") != "cancelled":
        r.fail(exchange, "status cancelled", [f"status {task.get('status')!r} after cancel"])
    if not task.get("task_revoker"):
        notes.append(f"{r.title}: no task_revoker on the cancelled task")


@pytest.mark.contract_row(CUSTOM_RETRY, SUCCESS_ROW)
def test_retry_keeps_the_id(settings, contract, client, lifecycle, notes):
    task_id = lifecycle.need(2)[1]
    r = rule(contract, CUSTOM_RETRY, "a cancelled task is retried under the same id")
    _, before = _detail(settings, client, r, task_id)
    if before.get("status") not in RETRYABLE:
        pytest.skip(f"task {task_id} is {before.get('status')!r}, not retryable")
    total = _total(settings, client, r)
    path = {"workflowKey": settings.fixture.workflow, "taskID": task_id}
    exchange = client.send(
        r, CUSTOM_RETRY, path=path, query={"projectKey": settings.fixture.project}
    )
    verdict = _success_message(exchange, contract.operation(CUSTOM_RETRY))
    judge(r, exchange, '{"message": "success"}', verdict, notes)
    client.triggered[(settings.fixture.workflow, task_id)] = "open"
    exchange, after = _detail(settings, client, r, task_id)
    problems = []
    if after.get("status") in (*RETRYABLE, *NEVER_READ):
        problems.append(f"status {after.get('status')!r} after the retry")
    if after.get("end_time"):
        notes.append(f"{r.title}: end_time {after.get('end_time')} after the retry (aslan: 0)")
    if _total(settings, client, r) != total:
        problems.append("the retry added a task to the list (aslan keeps the id)")
    if problems:
        r.fail(exchange, "the same task, running again", problems)


@pytest.mark.contract_row(CUSTOM_RETRY, "500/500")
def test_retry_of_a_task_that_runs_is_refused(settings, contract, client, lifecycle, notes):
    task_id = lifecycle.need(2)[1]
    r = rule(contract, CUSTOM_RETRY, "a task that is not failed/timeout/cancelled/reject: 500")
    _, task = _detail(settings, client, r, task_id)
    if task.get("status") in RETRYABLE or task.get("status") == "passed":
        pytest.skip(f"task {task_id} is {task.get('status')!r}")
    path = {"workflowKey": settings.fixture.workflow, "taskID": task_id}
    exchange = client.send(
        r, CUSTOM_RETRY, path=path, query={"projectKey": settings.fixture.project}
    )
    said = contract.entry(500).reasons.get("not_retryable")
    judge(r, exchange, "the plain 500 error", check.error(contract, exchange, 500, said), notes)


# -- helpers ---------------------------------------------------------------------------------


def _detail(settings, client: Client, r: Rule, task_id: int) -> tuple[Exchange, dict[str, Any]]:
    query = {"taskId": task_id, "workflowKey": settings.fixture.workflow}
    exchange = client.send(r, CUSTOM_GET, query=query)
    body = _json(exchange)
    if exchange.status != 200 or not isinstance(body, dict):
        r.fail(exchange, f"task {task_id}", ["the task cannot be read"])
    return exchange, body


def _total(settings, client: Client, r: Rule) -> Any:
    path = {"workflowKey": settings.fixture.workflow}
    exchange = client.send(
        r, CUSTOM_LIST, path=path, query={"projectKey": settings.fixture.project}
    )
    return (_json(exchange) or {}).get("total")


def _json(exchange: Exchange) -> Any:
    try:
        return exchange.json()
    except ValueError:
        return None


def _empty_list(exchange: Exchange) -> check.Verdict:
    if exchange.status != 200:
        return [f"HTTP {exchange.status}, expected 200"], []
    body = _json(exchange)
    if body != {"total": 0, "workflow_tasks": []}:
        extra = (
            isinstance(body, dict) and body.get("total") == 0 and body.get("workflow_tasks") == []
        )
        if extra:
            return [], [f"more keys than total and workflow_tasks: {sorted(body)}"]
        return [f"the body is {exchange.text[:120]!r}"], []
    return [], []


def _success_message(exchange: Exchange, operation) -> check.Verdict:
    problems, notes = check.success(exchange, operation)
    if not problems and (_json(exchange) or {}).get("message") != "success":
        problems.append(f"message {(_json(exchange) or {}).get('message')!r}")
    return problems, notes
