"""The rules of today's workflow-task OpenAPI (`--api custom-workflow`), one or more per operation.

A rule fails a server only for what the page and aslan's source agree on, or what the source
makes certain (the behavior file `zadig-openapi-workflow-behavior.md`); where they disagree or
are silent the difference is noted in the summary and the rule passes. The safe profile sends
reads and requests that must fail (absent tasks and workflows, ids that are not integers, no
token); the full profile runs tasks of the fixture workflow through their lifecycle (trigger,
read, list, cancel, retry, a trigger that selects no job: 6160), approves a task of the
approval workflow when one is named (--approval-workflow), and cancels every task it
triggered. Each rule names the behavior file's sections it rests on (its `basis`)."""

from __future__ import annotations

import time
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
from contract_tests.settings import Approval, Settings

MONGO = "mongo: no documents in result"
# Statuses the source says a task can never read back: a trigger stores `waiting` at once.
NEVER_READ = ("created",)
RETRYABLE = ("failed", "timeout", "cancelled", "reject")
COMPLETED = ("passed", *RETRYABLE)  # aslan's CompletedStatus
WAIT_FOR_APPROVAL = "wait_for_approval"  # an approval job's status while it waits (§4, 5)
APPROVAL_WAIT = 120.0  # seconds the approve step waits for the approval job to wait
POLL_SECONDS = 0.5
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


def rule(contract: Contract, operation_id: str, title: str, basis: str) -> Rule:
    """A rule of `operation_id`; `basis`: the behavior file's sections it rests on."""
    operation = contract.operation(operation_id)
    return Rule(title, operation.section, operation.spec_ref("responses"), basis)


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
    r = rule(
        contract,
        CUSTOM_GET,
        f"the gateway refuses a request with {auth} token (401)",
        "§2 (gateway table), §7",
    )
    query = {"taskId": settings.absent_id(), "workflowKey": settings.fixture.workflow}
    exchange = client.send(r, CUSTOM_GET, query=query, auth=auth)
    judge(r, exchange, "HTTP 401", check.empty_refusal(exchange, 401), notes)


# -- detail ----------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_GET, "500/500")
def test_detail_of_an_absent_task(settings, contract, client, notes):
    r = rule(
        contract,
        CUSTOM_GET,
        "an absent task is HTTP 500, Internal Error, mongo's error",
        "§5.2, §7",
    )
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
    r = rule(
        contract,
        operation_id,
        "a taskId that is not an integer is refused with HTTP 400",
        "§1 (gin BindQuery), §7",
    )
    query = {"taskId": settings.absent_name("id"), "workflowKey": settings.fixture.workflow}
    exchange = client.send(r, operation_id, query=query)
    judge(r, exchange, "HTTP 400 (empty body)", check.empty_refusal(exchange, 400), notes)


# -- cancel ----------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_CANCEL, "400/6163")
def test_cancel_of_an_absent_task(settings, contract, client, notes):
    r = rule(
        contract, CUSTOM_CANCEL, "cancelling an absent task is 6163 with mongo's error", "§5.4, §7"
    )
    query = {"taskId": settings.absent_id(), "workflowKey": settings.fixture.workflow}
    exchange = client.send(r, CUSTOM_CANCEL, query=query)
    judge(r, exchange, "6163", check.error(contract, exchange, 6163, MONGO), notes)


# -- list ------------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_LIST, SUCCESS_ROW)
def test_list_of_an_absent_workflow_is_empty(settings, contract, client, notes):
    r = rule(
        contract, CUSTOM_LIST, "an absent workflow lists no task (200, not an error)", "§5.3, §7"
    )
    path = {"workflowKey": settings.absent_name("workflow")}
    exchange = client.send(
        r, CUSTOM_LIST, path=path, query={"projectKey": settings.fixture.project}
    )
    judge(r, exchange, '{"total": 0, "workflow_tasks": []}', _empty_list(exchange), notes)


@pytest.mark.contract_row(CUSTOM_LIST, EMPTY_400)
def test_list_with_a_page_that_is_not_an_integer(settings, contract, client, notes):
    r = rule(
        contract,
        CUSTOM_LIST,
        "a pageNum that is not an integer is refused with HTTP 400",
        "§1 (gin BindQuery), §5.3",
    )
    query = {"projectKey": settings.fixture.project, "pageNum": settings.absent_name("page")}
    path = {"workflowKey": settings.fixture.workflow}
    exchange = client.send(r, CUSTOM_LIST, path=path, query=query)
    judge(r, exchange, "HTTP 400 (empty body)", check.empty_refusal(exchange, 400), notes)


@pytest.mark.contract_row(CUSTOM_LIST, SUCCESS_ROW)
@pytest.mark.parametrize("page_size", [None, 2])
def test_list_of_the_fixture_workflow(page_size, settings, contract, client, notes):
    r = rule(
        contract,
        CUSTOM_LIST,
        "the list: lower-cased statuses, newest first, one page",
        "§5.3, §9 (page size)",
    )
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
    r = rule(
        contract, CUSTOM_RETRY, "retrying an absent task is 6161 with mongo's error", "§5.5, §7"
    )
    path = {"workflowKey": settings.fixture.workflow, "taskID": settings.absent_id()}
    exchange = client.send(
        r, CUSTOM_RETRY, path=path, query={"projectKey": settings.fixture.project}
    )
    judge(r, exchange, "6161", check.error(contract, exchange, 6161, MONGO), notes)


@pytest.mark.contract_row(CUSTOM_RETRY, "400/400")
def test_retry_of_a_task_id_that_is_not_an_integer(settings, contract, client, notes):
    r = rule(
        contract, CUSTOM_RETRY, "a task id that is not an integer is 400 Bad Request", "§5.5, §7"
    )
    path = {"workflowKey": settings.fixture.workflow, "taskID": settings.absent_name("id")}
    exchange = client.send(r, CUSTOM_RETRY, path=path)
    said = contract.entry(400).reasons.get("bad_path_id")
    verdict = check.error(contract, exchange, 400, said, description_certain=False)
    judge(r, exchange, "400 Bad Request", verdict, notes)


# -- approve ---------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_APPROVE, "400/6169")
def test_approve_without_a_task_id(settings, contract, client, notes):
    r = rule(
        contract, CUSTOM_APPROVE, "an approval naming no task is 6169", "§5.6, §9 (descriptions)"
    )
    body = {"workflow_key": settings.fixture.workflow, "task_id": 0, "stage_name": "x"}
    exchange = client.send(r, CUSTOM_APPROVE, body={**body, "approve": True})
    described = f"can not find approved workflow: {settings.fixture.workflow}, taskID: 0,jobName: x"
    verdict = check.error(contract, exchange, 6169, described, description_certain=False)
    judge(r, exchange, "6169", verdict, notes)


@pytest.mark.contract_row(CUSTOM_APPROVE, "400/6169")
def test_approve_of_an_absent_task(settings, contract, client, notes):
    r = rule(
        contract,
        CUSTOM_APPROVE,
        "approving a task that waits for no approval is 6169",
        "§5.6, §9 (descriptions)",
    )
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
    r = rule(
        contract,
        CUSTOM_APPROVE,
        "an approval body that is not JSON is the plain 500 error",
        "§5.6, §7",
    )
    exchange = client.send(r, CUSTOM_APPROVE, raw_body=b"{")
    problems, noted = check.error(contract, exchange, 500)
    description = str((_json(exchange) or {}).get("description", ""))
    if not problems and not description.startswith("failed to unmarshal request data"):
        noted.append(f"description {description!r}")
    judge(r, exchange, "the plain 500 error", (problems, noted), notes)


# -- trigger ---------------------------------------------------------------------------------


@pytest.mark.contract_row(CUSTOM_CREATE, "400/6542")
def test_trigger_of_an_absent_workflow(settings, contract, client, notes):
    r = rule(
        contract,
        CUSTOM_CREATE,
        "triggering an absent workflow is 6542 with mongo's error",
        "§5.1 step 4, §7",
    )
    body = fixture_trigger(settings, workflow_key=settings.absent_name("workflow"))
    exchange = client.send(r, CUSTOM_CREATE, body=body)
    if exchange.status == 403:
        notes.append(f"{r.title}: 403, the token may not run workflows in {body['project_key']!r}")
        pytest.skip("the token may not run workflows in the fixture project (403)")
    judge(r, exchange, "6542", check.error(contract, exchange, 6542, MONGO), notes)


@pytest.mark.contract_row(CUSTOM_CREATE, "400/400")
def test_trigger_with_a_body_that_is_not_json(contract, client, notes):
    r = rule(
        contract,
        CUSTOM_CREATE,
        "a trigger body that is not JSON is 400 Bad Request",
        "§5.1 step 2, §7",
    )
    exchange = client.send(r, CUSTOM_CREATE, raw_body=b"{")
    judge(r, exchange, "400 Bad Request", check.error(contract, exchange, 400), notes)


# -- the full profile: a lifecycle on the fixture workflow -----------------------------------


@dataclass
class Lifecycle:
    ids: list[int] = field(default_factory=list)
    problem: str | None = None
    first_sent: float = 0.0  # time.monotonic() when the first trigger was sent

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


@dataclass
class ApprovalRun:
    """The approve steps' task: triggered first, so that its approval job waits by the time
    the approve rules run, at the end of the module."""

    fixture: Approval
    task_id: int | None = None
    waiting: bool = False
    approved: bool = False

    def need(self, waiting: bool = False) -> int:
        if self.task_id is None:
            pytest.skip("the approval workflow's task was not triggered")
        if waiting and not self.waiting:
            pytest.skip("the approval job was not seen waiting for approval")
        return self.task_id


@pytest.fixture(scope="module")
def approval(settings: Settings, notes: list[str]) -> ApprovalRun:
    skip_unless_profile("full", settings.profile)
    if settings.approval is None:
        notes.append(
            "approve: not checked; name a workflow whose approval job the token's user approves "
            "(--approval-workflow, --approval-job)"
        )
        pytest.skip("no --approval-workflow: approving a task is not checked")
    return ApprovalRun(settings.approval)


def _trigger(
    settings, contract, client, lifecycle, title: str, basis: str
) -> tuple[Rule, Exchange]:
    r = rule(contract, CUSTOM_CREATE, title, basis)
    exchange = client.send(r, CUSTOM_CREATE, body=fixture_trigger(settings))
    if exchange.status == 403:
        lifecycle.problem = "the token may not run the fixture workflow (403)"
        pytest.fail(f"fixture problem, not a contract violation: {lifecycle.problem}", False)
    return r, exchange


@pytest.mark.contract_row(CUSTOM_CREATE, SUCCESS_ROW)
def test_an_approval_task_is_triggered(settings, contract, client, approval, notes):
    r = rule(contract, CUSTOM_CREATE, "a task of the approval workflow is triggered", "§5.1")
    exchange = client.send(r, CUSTOM_CREATE, body=approval.fixture.trigger_body)
    if exchange.status != 200:
        pytest.fail(
            "fixture problem, not a contract violation: the approval workflow "
            f"{approval.fixture.workflow!r} cannot run here: {exchange.describe_response()}",
            False,
        )
    verdict = check.success(exchange, contract.operation(CUSTOM_CREATE))
    judge(r, exchange, "200 with the new task's id", verdict, notes)
    approval.task_id = exchange.json()["task_id"]


@pytest.mark.contract_row(CUSTOM_CREATE, SUCCESS_ROW)
def test_trigger_answers_the_workflow_and_a_task_id(settings, contract, client, lifecycle, notes):
    title = "a trigger answers project_name, workflow_name (the key) and task_id >= 1"
    lifecycle.first_sent = time.monotonic()
    r, exchange = _trigger(settings, contract, client, lifecycle, title, "§5.1, §6")
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
    # A second later, so that the two tasks' create_time (unix seconds) differ and the list's
    # order between them is aslan's (by create_time; tasks of one second come in any order).
    time.sleep(max(0.0, lifecycle.first_sent + 1.1 - time.monotonic()))
    title = "task ids increase per workflow"
    r, exchange = _trigger(settings, contract, client, lifecycle, title, "§6")
    problems, noted = check.success(exchange, contract.operation(CUSTOM_CREATE))
    task_id = (_json(exchange) or {}).get("task_id")
    if not problems:
        lifecycle.ids.append(task_id)
        if not task_id > first:
            problems.append(f"task_id {task_id} after {first}")
    judge(r, exchange, f"an id above {first}", (problems, noted), notes)


@pytest.mark.contract_row(CUSTOM_CREATE, "400/6160")
@pytest.mark.parametrize("inputs", ["unknown_job", "no_inputs"])
def test_a_trigger_that_selects_no_job_is_6160(
    inputs, settings, contract, client, lifecycle, notes
):
    lifecycle.need()  # the fixture workflow runs here: it is not disabled nor ticket-bound
    title = "a trigger that selects no job of the workflow is 6160 (no stage found)"
    r = rule(contract, CUSTOM_CREATE, title, "§5.1 (8), §6, §7, §9 (inputs)")
    if inputs == "no_inputs":
        body = {k: v for k, v in fixture_trigger(settings).items() if k != "inputs"}
    else:
        body = fixture_trigger(settings, inputs=[{"job_name": settings.absent_name("job")}])
    exchange = client.send(r, CUSTOM_CREATE, body=body)
    answer = _json(exchange)
    code = answer.get("code") if isinstance(answer, dict) else None
    if inputs == "no_inputs" and exchange.status == 400 and code == 400:
        # The page marks `inputs` required: refusing a body without them keeps the contract.
        notes.append(f"{r.title}: a trigger without inputs is 400 Bad Request (aslan: 6160)")
        judge(r, exchange, "400 Bad Request", check.error(contract, exchange, 400), notes)
        return
    problems, noted = check.error(contract, exchange, 6160)
    reasons = contract.entry(6160).reasons
    # Every job unselected: "no stage found", or a force_run job's refusal first (§5.1, 8).
    forms = [reasons[name] for name in ("no_stages", "force_run_skipped") if name in reasons]
    described = str(answer.get("description", "")) if isinstance(answer, dict) else ""
    known = {"workflow": settings.fixture.workflow}
    if not problems and not any(check.fits(described, form, known) for form in forms):
        problems.append(f"description {described!r}, aslan's: {' or '.join(forms)}")
    judge(r, exchange, "6160 (no job selected)", (problems, noted), notes)


@pytest.mark.contract_row(CUSTOM_GET, SUCCESS_ROW)
def test_a_new_task_reads_back(settings, contract, client, lifecycle, notes):
    task_id = lifecycle.need()[0]
    title = "a triggered task reads back (waiting, never created)"
    r = rule(contract, CUSTOM_GET, title, "§4 (1), §5.2")
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
    r = rule(contract, CUSTOM_LIST, "the list shows the triggered tasks, newest first", "§5.3")
    exchange = _list(settings, client, r)
    operation = contract.operation(CUSTOM_LIST)
    # Newest first is by create_time (check.task_list); the second task is a second younger.
    problems, noted = check.task_list(exchange, operation, settings.fixture.project, 50)
    if not problems:
        rows = {row.get("task_id"): row for row in exchange.json().get("workflow_tasks") or []}
        if first not in rows or second not in rows:
            problems.append(f"tasks {first} and {second} not in {list(rows)}")
        elif rows[first].get("create_time") == rows[second].get("create_time"):
            noted.append(f"tasks {first} and {second}, a second apart, have one create_time")
    judge(r, exchange, "both tasks, the newer first", (problems, noted), notes)


@pytest.mark.contract_row(CUSTOM_LIST, SUCCESS_ROW)
def test_the_list_of_another_project_is_empty(settings, contract, client, lifecycle, notes):
    lifecycle.need()
    r = rule(contract, CUSTOM_LIST, "the list shows only the tasks of projectKey", "§5.3")
    path = {"workflowKey": settings.fixture.workflow}
    query = {"projectKey": settings.absent_name("project")}
    exchange = client.send(r, CUSTOM_LIST, path=path, query=query)
    judge(r, exchange, '{"total": 0, "workflow_tasks": []}', _empty_list(exchange), notes)


@pytest.mark.contract_row(CUSTOM_APPROVE, "400/6169")
def test_approve_of_a_real_task_that_waits_for_no_approval(
    settings, contract, client, lifecycle, notes
):
    task_id = lifecycle.need()[0]
    title = "approving a job of a real task that waits for no approval is 6169"
    r = rule(contract, CUSTOM_APPROVE, title, "§5.6, §9 (descriptions)")
    # A job name no workflow has: whatever the fixture's jobs, none of them is approved here.
    body = {
        "workflow_key": settings.fixture.workflow,
        "task_id": task_id,
        "stage_name": settings.absent_name("job"),
        "approve": True,
    }
    exchange = client.send(r, CUSTOM_APPROVE, body=body)
    said = contract.entry(6169).reasons.get("not_found_approval")
    verdict = check.error(contract, exchange, 6169, said, description_certain=False)
    judge(r, exchange, "6169", verdict, notes)


@pytest.mark.contract_row(CUSTOM_CANCEL, SUCCESS_ROW)
def test_cancel_and_cancel_again(settings, contract, client, lifecycle, notes):
    task_id = lifecycle.need(2)[1]
    title = "a task that has not passed is cancelled, also twice"
    r = rule(contract, CUSTOM_CANCEL, title, "§4 (cancel), §5.4")
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
    title = "a cancelled task is retried under the same id, and no task is added"
    r = rule(contract, CUSTOM_RETRY, title, "§4 (retry), §5.5, §6")
    _, before = _detail(settings, client, r, task_id)
    if before.get("status") not in RETRYABLE:
        pytest.skip(f"task {task_id} is {before.get('status')!r}, not retryable")
    total = (_json(_list(settings, client, r)) or {}).get("total")
    path = {"workflowKey": settings.fixture.workflow, "taskID": task_id}
    exchange = client.send(
        r, CUSTOM_RETRY, path=path, query={"projectKey": settings.fixture.project}
    )
    verdict = _success_message(exchange, contract.operation(CUSTOM_RETRY))
    judge(r, exchange, '{"message": "success"}', verdict, notes)
    client.triggered[(settings.fixture.workflow, task_id)] = "open"
    exchange, after = _detail(settings, client, r, task_id)
    problems = []
    status = after.get("status")
    if status == before.get("status") or status in NEVER_READ:
        problems.append(f"status {status!r} after the retry (aslan: waiting, then running)")
    elif status in RETRYABLE:
        notes.append(f"{r.title}: task {task_id} read {status!r} at once after its retry")
    if after.get("end_time"):
        notes.append(f"{r.title}: end_time {after.get('end_time')} after the retry (aslan: 0)")
    listed = _list(settings, client, r)
    rows = (_json(listed) or {}).get("workflow_tasks") or []
    times = sum(1 for row in rows if isinstance(row, dict) and row.get("task_id") == task_id)
    if times > 1:
        problems.append(f"task {task_id} listed {times} times: the retry added a task")
    elif (_json(listed) or {}).get("total") != total:
        # Another client may trigger the workflow meanwhile (a shared staging deployment).
        notes.append(f"{r.title}: total {total} before the retry, then {_json(listed)['total']}")
    if problems:
        r.fail(listed if times > 1 else exchange, "the same task, running again", problems)


@pytest.mark.contract_row(CUSTOM_RETRY, "500/500")
def test_retry_of_a_task_that_runs_is_refused(settings, contract, client, lifecycle, notes):
    task_id = lifecycle.need(2)[1]
    title = "a task that is not failed/timeout/cancelled/reject: 500"
    r = rule(contract, CUSTOM_RETRY, title, "§4 (retry), §5.5, §7")
    _, task = _detail(settings, client, r, task_id)
    if task.get("status") in RETRYABLE or task.get("status") == "passed":
        pytest.skip(f"task {task_id} is {task.get('status')!r}")
    path = {"workflowKey": settings.fixture.workflow, "taskID": task_id}
    exchange = client.send(
        r, CUSTOM_RETRY, path=path, query={"projectKey": settings.fixture.project}
    )
    said = contract.entry(500).reasons.get("not_retryable")
    judge(r, exchange, "the plain 500 error", check.error(contract, exchange, 500, said), notes)


# -- the full profile: approve the approval workflow's task (--approval-workflow) ------------


@pytest.mark.contract_row(CUSTOM_GET, SUCCESS_ROW)
def test_the_approval_job_waits_for_approval(settings, contract, client, approval, notes):
    task_id = approval.need()
    job = approval.fixture.job
    title = f"while its job {job!r} waits for approval, the task reads running"
    r = rule(contract, CUSTOM_GET, title, "§4 (5), §5.6")
    deadline = time.monotonic() + APPROVAL_WAIT
    while True:
        exchange, task = _detail(settings, client, r, task_id, approval.fixture.workflow)
        status, job_status = task.get("status"), _job_status(task, job)
        if job_status == WAIT_FOR_APPROVAL:
            break
        if status in COMPLETED:
            pytest.fail(
                f"fixture problem, not a contract violation: task {task_id} of "
                f"{approval.fixture.workflow!r} ended {status!r} before its job {job!r} waited "
                "for approval (--approval-job names the approval job)",
                False,
            )
        if status in NEVER_READ:  # test_a_new_task_reads_back fails such a server
            pytest.skip(f"task {task_id} reads {status!r}, a status aslan never reads back")
        if time.monotonic() > deadline:
            notes.append(f"{r.title}: not seen within {APPROVAL_WAIT:g} s; approve not checked")
            pytest.skip(f"job {job!r} did not wait for approval within {APPROVAL_WAIT:g} s")
        time.sleep(POLL_SECONDS)
    approval.waiting = True
    if status != "running":
        r.fail(exchange, "task status running", [f"status {status!r} while {job!r} waits"])


@pytest.mark.contract_row(CUSTOM_APPROVE, "400/6169")
def test_a_user_who_is_not_an_approver_cannot_approve(settings, contract, client, approval, notes):
    task_id = approval.need(waiting=True)
    if not approval.fixture.non_approver_token:
        notes.append("approve: a non-approver's refusal not checked (no --non-approver-token)")
        pytest.skip("no --non-approver-token")
    title = "an approval by a user who is not an approver is 6169, and decides nothing"
    r = rule(contract, CUSTOM_APPROVE, title, "§5.6, §9 (descriptions)")
    exchange = client.send(r, CUSTOM_APPROVE, body=_approval(approval, True), auth="non-approver")
    if exchange.status == 401:
        pytest.fail("fixture problem, not a contract violation: --non-approver-token is 401", False)
    problems, noted = check.error(contract, exchange, 6169)
    described = str((_json(exchange) or {}).get("description", ""))
    said = contract.entry(6169).reasons.get("not_approver", "")
    if not problems and not check.fits(described, said, {}):
        noted.append(f"description {described!r}, aslan's {said!r}")
    judge(r, exchange, "6169", (problems, noted), notes)
    exchange, task = _detail(settings, client, r, task_id, approval.fixture.workflow)
    if _job_status(task, approval.fixture.job) != WAIT_FOR_APPROVAL:
        job_status = _job_status(task, approval.fixture.job)
        r.fail(exchange, "the job still waits", [f"job status {job_status!r} after the refusal"])


@pytest.mark.contract_row(CUSTOM_APPROVE, SUCCESS_ROW)
def test_the_approver_approves(settings, contract, client, approval, notes):
    task_id = approval.need(waiting=True)
    job = approval.fixture.job
    r = rule(contract, CUSTOM_APPROVE, "an approver's approval is success", "§5.6")
    _, task = _detail(settings, client, r, task_id, approval.fixture.workflow)
    if _job_status(task, job) != WAIT_FOR_APPROVAL:
        pytest.skip(f"job {job!r} no longer waits: an earlier request decided it")
    exchange = client.send(r, CUSTOM_APPROVE, body=_approval(approval, True))
    verdict = _success_message(exchange, contract.operation(CUSTOM_APPROVE))
    judge(r, exchange, '{"message": "success"}', verdict, notes)
    approval.approved = True
    exchange, task = _detail(settings, client, r, task_id, approval.fixture.workflow)
    status, job_status = task.get("status"), _job_status(task, job)
    if "reject" in (status, job_status):
        r.fail(exchange, "an approved job", [f"task {status!r}, job {job_status!r}"])
    if job_status not in ("passed", WAIT_FOR_APPROVAL):  # waits on: more approvers needed
        notes.append(f"{r.title}: job {job!r} read {job_status!r} after the approval")


@pytest.mark.contract_row(CUSTOM_APPROVE, "400/6169")
def test_an_approver_decides_once(settings, contract, client, approval, notes):
    approval.need(waiting=True)
    if not approval.approved:
        pytest.skip("the job was not approved earlier in this run")
    title = "approving again is 6169 (no approval waits, or decided already)"
    r = rule(contract, CUSTOM_APPROVE, title, "§5.6, §9 (descriptions)")
    exchange = client.send(r, CUSTOM_APPROVE, body=_approval(approval, True))
    problems, noted = check.error(contract, exchange, 6169)
    described = str((_json(exchange) or {}).get("description", ""))
    reasons = contract.entry(6169).reasons
    forms = [reasons[name] for name in ("not_found_approval", "already_decided") if name in reasons]
    if not problems and not any(check.fits(described, form, {}) for form in forms):
        noted.append(f"description {described!r}, aslan's: {' or '.join(forms)}")
    judge(r, exchange, "6169", (problems, noted), notes)


# -- helpers ---------------------------------------------------------------------------------


def _detail(
    settings, client: Client, r: Rule, task_id: int, workflow: str | None = None
) -> tuple[Exchange, dict[str, Any]]:
    """A task of the fixture workflow (or of `workflow`), read back; the rule fails if not."""
    query = {"taskId": task_id, "workflowKey": workflow or settings.fixture.workflow}
    exchange = client.send(r, CUSTOM_GET, query=query)
    body = _json(exchange)
    if exchange.status != 200 or not isinstance(body, dict):
        r.fail(exchange, f"task {task_id}", ["the task cannot be read"])
    return exchange, body


def _list(settings, client: Client, r: Rule) -> Exchange:
    """The fixture workflow's first 50 tasks in the fixture project."""
    path = {"workflowKey": settings.fixture.workflow}
    query = {"projectKey": settings.fixture.project, "pageSize": 50}
    return client.send(r, CUSTOM_LIST, path=path, query=query)


def _job_status(task: dict[str, Any], name: str) -> Any:
    """The status of the task's job `name` (None: the task has no such job)."""
    stages = [stage for stage in task.get("stages") or () if isinstance(stage, dict)]
    for job in (job for stage in stages for job in stage.get("jobs") or ()):
        if isinstance(job, dict) and job.get("name") == name:
            return job.get("status")
    return None


def _approval(run: ApprovalRun, approve: bool) -> dict[str, Any]:
    """An approve body for the approval task's job (`stage_name` is the job's name, §5.6)."""
    return {
        "workflow_key": run.fixture.workflow,
        "task_id": run.task_id,
        "stage_name": run.fixture.job,
        "approve": approve,
        "comment": "zadig-contract",
    }


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
