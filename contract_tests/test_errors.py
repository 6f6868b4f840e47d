"""Every documented error of every operation, provoked with a request that must fail."""

from __future__ import annotations

import pytest

from api_contract.checks import (
    error_problems,
    expected_error,
    incomplete_body_expectation,
    incomplete_body_problems,
)
from api_contract.operations import Operation
from api_contract.spec import Contract
from contract_tests.error_probes import FULL_ONLY, FULL_ONLY_WHY, Probe
from contract_tests.http_client import Target
from contract_tests.rule import Rule
from contract_tests.sending import call, skip_unless_profile
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger

SERVER_ERROR = 500


def test_documented_error(
    error_probe: Probe,
    settings: Settings,
    contract: Contract,
    target: Target,
    ledger: TaskLedger,
    notes: list[str],
    request: pytest.FixtureRequest,
) -> None:
    if error_probe.name in FULL_ONLY and not settings.full:
        pytest.skip(f"{error_probe.operation_id} {error_probe.name}: {FULL_ONLY_WHY}")
    skip_unless_profile(error_probe.profile, settings.profile)
    operation = contract.operation(error_probe.operation_id)
    rule = Rule(error_probe.title, error_probe.section, error_probe.spec_ref)
    if error_probe.missing_field:
        check_incomplete_body(
            error_probe, operation, rule, settings, contract, target, ledger, notes, request
        )
        return
    exchange = call(target, ledger, rule, operation.operation_id, error_probe.build(settings))
    problems = error_problems(contract, operation, exchange, set(error_probe.codes))
    if problems and error_probe.defect and exchange.status >= SERVER_ERROR:
        problems.append(f"not a fault of the gate: {error_probe.defect}")
        problems.append(f"to accept it, deselect this rule: --deselect '{request.node.nodeid}'")
    if problems:
        codes = sorted(error_probe.codes)
        expected = " or ".join(expected_error(contract, operation, code) for code in codes)
        rule.fail(exchange, expected, problems)


def check_incomplete_body(
    probe: Probe,
    operation: Operation,
    rule: Rule,
    settings: Settings,
    contract: Contract,
    target: Target,
    ledger: TaskLedger,
    notes: list[str],
    request: pytest.FixtureRequest,
) -> None:
    """A body without a field the page requires gets what the spec says the release answers."""
    names_exist = probe.profile == "full"
    also: frozenset[int] = frozenset()
    if names_exist:
        # A fixture that cannot run here gets its own answer without the field too.
        fixture = request.getfixturevalue("fixture_check")
        also = frozenset({fixture.code}) if fixture.code else frozenset()
    expected = incomplete_body_expectation(
        operation, probe.missing_field, names_exist, strict=settings.strict, also=also
    )
    exchange = call(target, ledger, rule, operation.operation_id, probe.build(settings))
    problems, leniencies = incomplete_body_problems(contract, operation, exchange, expected)
    for leniency in leniencies:
        note = f"note: {leniency} (as the spec says the release does; --strict fails it)"
        if note not in notes:
            notes.append(note)
    if problems:
        parts = [expected_error(contract, operation, code) for code in sorted(expected.codes)]
        if expected.may_create:
            parts.append("HTTP 200 with the created task")
        rule.fail(exchange, " or ".join(parts), problems)
