"""Every documented error of every operation, provoked with a request that must fail."""

from __future__ import annotations

import pytest

from contract_tests.checks import error_problems, expected_error
from contract_tests.contract import Contract
from contract_tests.error_probes import FULL_ONLY, FULL_ONLY_WHY, Probe
from contract_tests.http_client import Target
from contract_tests.rule import Rule
from contract_tests.sending import call, skip_unless_profile
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger


def test_documented_error(
    error_probe: Probe, settings: Settings, contract: Contract, target: Target, ledger: TaskLedger
) -> None:
    if error_probe.name in FULL_ONLY and not settings.full:
        pytest.skip(f"{error_probe.operation_id} {error_probe.name}: {FULL_ONLY_WHY}")
    skip_unless_profile(error_probe.profile, settings.profile)
    operation = contract.operation(error_probe.operation_id)
    rule = Rule(error_probe.title, error_probe.section, error_probe.spec_ref)
    exchange = call(target, ledger, rule, operation.operation_id, error_probe.build(settings))
    problems = error_problems(contract, operation, exchange, set(error_probe.codes))
    if problems:
        codes = sorted(error_probe.codes)
        expected = " or ".join(expected_error(contract, operation, code) for code in codes)
        rule.fail(exchange, expected, problems)
