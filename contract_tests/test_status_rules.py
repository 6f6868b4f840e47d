"""Full profile on the project's mock: which task states refuse restart and cancel.

A real deployment cannot be told to put a task in a given state, so these rules run only when
the target's `/_mock` admin API answers (the project's mock), which can force a status.
"""

from __future__ import annotations

import pytest

from api_contract.checks import error_problems, expected_error
from api_contract.spec import Contract
from contract_tests.contract import CANCEL, CREATE, RESTART, SECTION_ERROR
from contract_tests.error_probes import Request, task_path
from contract_tests.http_client import Target
from contract_tests.lifecycle_steps import create, success_rule
from contract_tests.rule import Rule
from contract_tests.sending import call, skip_unless_profile
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger

ADMIN_TASKS = "/_mock/tasks"
# (operation, the spec's 400 example naming the situation, status the task is forced into)
RULES = [
    (RESTART, "task_not_restartable", "passed"),
    (RESTART, "task_not_restartable", "running"),
    (CANCEL, "task_passed", "passed"),
]


@pytest.fixture(scope="module")
def admin(settings: Settings, target: Target, request: pytest.FixtureRequest) -> Target:
    skip_unless_profile("full", settings.profile)
    if not isinstance(target.get_json(ADMIN_TASKS), list):
        pytest.skip("needs the project's mock (its /_mock admin API did not answer)")
    fixture = request.getfixturevalue("fixture_check")
    if fixture.problem:
        pytest.skip(fixture.skip_reason())
    return target


def _param(operation_id: str, example: str, status: str):
    return pytest.param(
        operation_id,
        example,
        status,
        id=f"{operation_id}-{example}-{status}",
        marks=pytest.mark.contract_row(operation_id, example),
    )


@pytest.mark.parametrize(("operation_id", "example", "status"), [_param(*r) for r in RULES])
def test_refused_in_state(
    operation_id: str,
    example: str,
    status: str,
    admin: Target,
    settings: Settings,
    contract: Contract,
    ledger: TaskLedger,
) -> None:
    operation = contract.operation(operation_id)
    error = operation.errors.get(example)
    if error is None:
        pytest.skip(f"the spec documents no example {example!r} for {operation_id}")
    setup = success_rule(contract, CREATE, "create a task to force its status")
    task_id, _ = create(settings, contract, admin, ledger, setup)
    pipeline = settings.fixture.workflow
    forced = admin.patch_json(f"{ADMIN_TASKS}/{pipeline}/{task_id}", {"status": status})
    if forced != 200:
        pytest.skip(f"the mock refused to force task {task_id} to {status} (HTTP {forced})")
    if status == "passed":
        ledger.settled(pipeline, task_id)
    rule = Rule(
        f"{operation_id}: {error.summary} ({status}) -> {error.code}",
        f"{operation.section} › {SECTION_ERROR}",
        operation.spec_ref("responses.400.examples", example),
    )
    path = task_path(operation, task_id, pipeline)
    request = Request(operation.method, path, {"projectName": settings.fixture.project})
    exchange = call(admin, ledger, rule, operation_id, request)
    problems = error_problems(contract, operation, exchange, {error.code})
    if problems:
        rule.fail(exchange, expected_error(contract, operation, error.code), problems)
