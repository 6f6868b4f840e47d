"""Steps of a real task lifecycle on the fixture workflow, shared by the full-profile tests."""

from __future__ import annotations

from contract_tests.checks import created_problems, success_problems
from contract_tests.contract import CANCEL, CREATE, SECTION_SUCCESS, Contract
from contract_tests.error_probes import Request, task_path
from contract_tests.http_client import Exchange, Target
from contract_tests.rule import Rule
from contract_tests.sending import call
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger


def success_rule(contract: Contract, operation_id: str, title: str) -> Rule:
    operation = contract.operation(operation_id)
    return Rule(
        f"{operation_id}: {title}",
        f"{operation.section} › {SECTION_SUCCESS}",
        operation.spec_ref("responses.200"),
    )


def create(
    settings: Settings, contract: Contract, target: Target, ledger: TaskLedger, rule: Rule
) -> tuple[int, Exchange]:
    """Create a task of the fixture; it must answer the workflow and an integer id >= 1."""
    operation = contract.operation(CREATE)
    request = Request(
        operation.method,
        operation.path,
        {"projectName": settings.fixture.project},
        body=settings.fixture.body(),
    )
    exchange = call(target, ledger, rule, CREATE, request)
    body, problems = success_problems(operation, exchange)
    if not problems:
        problems = created_problems(request.body, body)
    expected = (
        f'HTTP 200, {{"pipeline_name": "{settings.fixture.workflow}", "task_id": <integer >= 1>}}'
    )
    if problems:
        rule.fail(exchange, expected, problems)
    return body["task_id"], exchange


def act(
    operation_id: str,
    task_id: int,
    settings: Settings,
    contract: Contract,
    target: Target,
    ledger: TaskLedger,
    rule: Rule,
) -> Exchange:
    """Restart or cancel a task of the fixture and expect {"message": "success"}."""
    operation = contract.operation(operation_id)
    path = task_path(operation, task_id, settings.fixture.workflow)
    request = Request(operation.method, path, {"projectName": settings.fixture.project})
    exchange = call(target, ledger, rule, operation_id, request)
    _, problems = success_problems(operation, exchange)
    if problems:
        rule.fail(exchange, 'HTTP 200, {"message": "success"}', problems)
    if operation_id == CANCEL:
        ledger.settled(settings.fixture.workflow, task_id)
    else:
        ledger.created(settings.fixture.workflow, task_id, settings.fixture.project)
    return exchange
