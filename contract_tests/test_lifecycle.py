"""Full profile: a real task lifecycle on the fixture workflow, in the order a client runs it.

create -> create again (greater id) -> cancel -> cancel again -> restart -> cancel. Each step
is its own rule; a step whose task could not be created is skipped, not failed twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from api_contract.summary import SUCCESS_ROW
from contract_tests.contract import CANCEL, CREATE, RESTART
from contract_tests.lifecycle_steps import FixtureCheck, act, create
from contract_tests.lifecycle_steps import success_rule as _rule
from contract_tests.sending import skip_unless_profile
from contract_tests.settings import Settings


@dataclass
class Tasks:
    fixture: FixtureCheck
    ids: list[int] = field(default_factory=list)

    def first(self) -> int:
        if self.fixture.problem:
            pytest.skip(self.fixture.skip_reason())
        if not self.ids:
            pytest.skip("no task was created earlier in the lifecycle")
        return self.ids[0]


@pytest.fixture(scope="module")
def tasks(settings: Settings, request: pytest.FixtureRequest) -> Tasks:
    skip_unless_profile("full", settings.profile)
    return Tasks(request.getfixturevalue("fixture_check"))


@pytest.mark.contract_row(CREATE, SUCCESS_ROW)
def test_create_answers_workflow_and_id(tasks, settings, contract, target, ledger) -> None:
    if tasks.fixture.problem:
        # Reported here once; every other rule that needs a task skips with the reason.
        pytest.fail(
            f"fixture problem, not a contract violation: {tasks.fixture.problem}\n"
            "  choose a fixture that can run on this deployment: --project, --workflow, --env, "
            "--service (or run the safe profile, which needs none)",
            pytrace=False,
        )
    rule = _rule(contract, CREATE, "create answers pipeline_name = workflow and task_id >= 1")
    task_id, _ = create(settings, contract, target, ledger, rule)
    tasks.ids.append(task_id)


@pytest.mark.contract_row(CREATE, SUCCESS_ROW)
def test_create_again_gives_greater_id(tasks, settings, contract, target, ledger) -> None:
    first = tasks.first()
    rule = _rule(contract, CREATE, "a second create answers a strictly greater task_id")
    task_id, exchange = create(settings, contract, target, ledger, rule)
    tasks.ids.append(task_id)
    if task_id <= first:
        rule.fail(
            exchange,
            f"task_id > {first} (the previous task of this workflow)",
            [f"task_id {task_id} does not increase"],
        )


# The steps after the two creates, in order: (test id, operation, the rule).
ACTIONS = [
    ("cancel_created_task", CANCEL, "cancel of a created task answers success"),
    ("cancel_cancelled_task_again", CANCEL, "cancel of a cancelled task answers success again"),
    ("restart_cancelled_task", RESTART, "restart of a cancelled task answers success"),
    ("cancel_restarted_task", CANCEL, "cancel of a restarted task answers success"),
]


@pytest.mark.parametrize(
    ("operation_id", "title"),
    [
        pytest.param(op, title, id=name, marks=pytest.mark.contract_row(op, SUCCESS_ROW))
        for name, op, title in ACTIONS
    ],
)
def test_task_action(operation_id, title, tasks, settings, contract, target, ledger) -> None:
    rule = _rule(contract, operation_id, title)
    act(operation_id, tasks.first(), settings, contract, target, ledger, rule)
