"""With --token, requests without a token or with a wrong one are refused (401 or 403, any body)."""

from __future__ import annotations

import pytest

from api_contract.checks import refusal_problems
from contract_tests.error_probes import Probe
from contract_tests.http_client import Target
from contract_tests.rule import Rule
from contract_tests.sending import call
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger


def test_refused_without_valid_token(
    auth_probe: Probe, settings: Settings, target: Target, ledger: TaskLedger
) -> None:
    if not settings.token:
        pytest.skip("no --token given: the target is checked as an open deployment")
    rule = Rule(auth_probe.title, auth_probe.section, auth_probe.spec_ref)
    request = auth_probe.build(settings)
    exchange = call(target, ledger, rule, auth_probe.operation_id, request, auth=auth_probe.auth)
    problems = refusal_problems(exchange)
    if problems:
        rule.fail(exchange, "HTTP 401 or 403 (any body)", problems)
