"""Schemathesis-generated requests: negative data and confined positive data, per operation.

Full profile adds the stateful phase: chains of create -> restart/cancel on the fixture,
following the task that create answered (every task it creates is cancelled at the end).
"""

from __future__ import annotations

import hypothesis
import pytest
from hypothesis import strategies as st
from schemathesis import GenerationMode

from api_contract.spec import Contract
from api_contract.summary import GENERATED_ROW
from contract_tests.contract import CREATE
from contract_tests.fuzz import api_operation, confine, load_schema, run_case, scope_to_fixture
from contract_tests.http_client import Target
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger


def hypothesis_settings(settings: Settings, **extra) -> hypothesis.settings:
    # No example database and no shrinking: runs leave nothing behind and stay bounded.
    return hypothesis.settings(
        max_examples=settings.max_examples,
        database=None,
        deadline=None,
        # With --seed, runs repeat; the stateful phase has no seed hook, so it derandomizes.
        derandomize=settings.seed is not None and "stateful_step_count" in extra,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        **extra,
    )


def test_generated_cases(
    generated_operation: str,
    settings: Settings,
    contract: Contract,
    target: Target,
    ledger: TaskLedger,
) -> None:
    operation = contract.operation(generated_operation)
    api = api_operation(load_schema(settings, contract), operation)
    modes = [GenerationMode.NEGATIVE, GenerationMode.POSITIVE]
    strategy = st.one_of(*(api.as_strategy(generation_mode=mode) for mode in modes))

    @hypothesis_settings(settings)
    @hypothesis.given(case=strategy)
    def check(case) -> None:
        confine(case, settings)
        run_case(case, operation, settings, contract, target, ledger, may_succeed=False)

    if settings.seed is not None:
        check = hypothesis.seed(settings.seed)(check)
    check()


@pytest.mark.contract_row(CREATE, GENERATED_ROW)
def test_stateful_task_chains(
    settings: Settings, contract: Contract, target: Target, ledger: TaskLedger
) -> None:
    if not settings.full:
        pytest.skip("full profile only (it creates, restarts and cancels tasks)")
    schema = load_schema(settings, contract, links=True)
    fixture = settings.fixture

    class Machine(schema.as_state_machine()):
        def before_call(self, case) -> None:
            op = contract.operation(case.operation.definition.raw["operationId"])
            params = case.path_parameters or {}
            if op.operation_id == CREATE:
                case.body = fixture.body()
                case.query = {"projectName": fixture.project}
            elif (params.get("pipeline"), params.get("id")) not in ledger.known:
                confine(case, settings)
            else:
                scope_to_fixture(case, settings)

        def call(self, case, **kwargs):
            op = contract.operation(case.operation.definition.raw["operationId"])
            return run_case(case, op, settings, contract, target, ledger, may_succeed=True)

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            """Already checked in `call`."""

    Machine.run(settings=hypothesis_settings(settings, stateful_step_count=6))
