"""Steps of a real task lifecycle on the fixture workflow, shared by the full-profile tests."""

from __future__ import annotations

from dataclasses import dataclass

from api_contract.checks import created_problems, success_problems
from api_contract.exchange import Exchange
from api_contract.spec import Contract
from contract_tests.contract import CANCEL, CREATE, SECTION_SUCCESS
from contract_tests.error_probes import Request, task_path
from contract_tests.http_client import Target, TargetDown
from contract_tests.rule import Rule
from contract_tests.sending import call, note_created
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger


def success_rule(contract: Contract, operation_id: str, title: str) -> Rule:
    operation = contract.operation(operation_id)
    return Rule(
        f"{operation_id}: {title}",
        f"{operation.section} › {SECTION_SUCCESS}",
        operation.spec_ref("responses.200"),
    )


@dataclass(frozen=True)
class FixtureCheck:
    """Why the fixture workflow cannot run on the target (`problem`), from create's answer."""

    problem: str = ""
    code: int | None = None

    def skip_reason(self) -> str:
        return f"the fixture cannot run on this deployment ({self.problem})"


def check_fixture(
    settings: Settings, contract: Contract, target: Target, ledger: TaskLedger
) -> FixtureCheck:
    """Create a task of the fixture once. A documented create error in the catalogue's
    envelope (6542, 6160: no such workflow, or a reason of the deployment's own) is a
    problem of the run's fixture, not of the contract: the rules that need a task report it
    once instead of each failing on it. Any other answer is left to the rules to judge."""
    operation = contract.operation(CREATE)
    fixture = settings.fixture
    request_query = {"projectName": fixture.project}
    try:
        exchange = target.send(
            CREATE, operation.method, operation.path, query=request_query, body=fixture.body()
        )
    except TargetDown:
        return FixtureCheck()
    note_created(ledger, CREATE, exchange, fixture.project)
    try:
        body = exchange.json()
    except ValueError:
        return FixtureCheck()
    if exchange.status == 200 or not isinstance(body, dict):
        return FixtureCheck()
    code = body.get("code")
    if code not in operation.codes or isinstance(code, bool):
        return FixtureCheck()
    entry = contract.entry(code)
    # The service's own codes only: a 400 Bad Request for the fixture's body is the contract's.
    if entry.status == code or exchange.status != entry.status:
        return FixtureCheck()
    if body.get("message") != entry.message:
        return FixtureCheck()
    problem = (
        f"a create of the fixture (project {fixture.project!r}, workflow {fixture.workflow!r}, "
        f"env {fixture.env!r}, service {fixture.service!r}) answered {code} {entry.message}: "
        f"{body.get('description', '')}"
    )
    return FixtureCheck(problem, code)


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
