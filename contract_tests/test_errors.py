"""Every documented error of every operation, provoked with a request that must fail."""

from __future__ import annotations

import pytest

from contract_tests.calls import call, skip_unless_profile
from contract_tests.checks import Rule, error_problems, expected_error
from contract_tests.client import Exchange, Target
from contract_tests.contract import CREATE, Contract
from contract_tests.probes import NEEDS_FIXTURE, Probe
from contract_tests.settings import Settings
from contract_tests.tasks import TaskLedger

# The spec's example for a create naming a workflow the target does not have.
FIXTURE_MISSING = "workflow_not_found"

def test_documented_error(
    error_probe: Probe, settings: Settings, contract: Contract, target: Target, ledger: TaskLedger
) -> None:
    skip_unless_profile(error_probe.profile, settings.profile)
    operation = contract.operation(error_probe.operation_id)
    rule = Rule(error_probe.title, error_probe.section, error_probe.spec_ref)
    exchange = call(target, ledger, rule, operation.operation_id, error_probe.build(settings))
    problems = error_problems(contract, operation, exchange, set(error_probe.codes))
    if problems and _fixture_absent(error_probe, settings, contract, exchange):
        pytest.skip(
            f"the fixture {settings.fixture.project}/{settings.fixture.workflow} does not exist "
            "on the target; pass --project and --workflow to check this rule"
        )
    if problems:
        expected = " or ".join(expected_error(contract, code) for code in sorted(error_probe.codes))
        rule.fail(exchange, expected, problems)


def _fixture_absent(
    probe: Probe, settings: Settings, contract: Contract, exchange: Exchange
) -> bool:
    """In the safe profile a default fixture may simply not exist on a real deployment."""
    if probe.name not in NEEDS_FIXTURE or settings.full or settings.fixture.explicit:
        return False
    try:
        missing = contract.operation(CREATE).errors[FIXTURE_MISSING].code
        return exchange.status == 400 and exchange.json().get("code") == missing
    except (ValueError, AttributeError, KeyError):
        return False
