"""The rules of operations without hand-written rules: what their page states, nothing more.

- With --token, a request without one is refused: 401 or 403 (the status only; no page
  documents the gateway's body). In the safe profile a write is sent with path parameters that
  cannot exist and an empty body, so that a server that skips auth changes nothing real.
- A read (GET) with the page's example parameters: a success answer matches the documented
  schema, an error answer the envelope of the page's error examples (both profiles).
- Full profile: schemathesis' positive cases of every operation, the same checks.
Where the page is silent (no success schema, no error example), the run notes it and passes.
"""

from __future__ import annotations

import hypothesis
import pytest
from hypothesis import strategies as st
from schemathesis import GenerationMode

from api_contract.checks import refusal_problems
from api_contract.operations import Operation
from api_contract.page_checks import page_answer_problems
from contract_tests.fuzz import api_operation, refused_problems
from contract_tests.http_client import Target
from contract_tests.page_fixtures import page_request, parameter_value, query_text
from contract_tests.rule import Rule
from contract_tests.sending import answered, call
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger
from contract_tests.test_generated import hypothesis_settings


def _rule(operation: Operation, what: str, where: str = "responses") -> Rule:
    return Rule(f"{operation.operation_id}: {what}", operation.section, operation.spec_ref(where))


def test_page_refused_without_token(
    page_guarded: Operation,
    settings: Settings,
    target: Target,
    ledger: TaskLedger,
    page_values: dict,
) -> None:
    if not settings.token:
        pytest.skip("no --token given: the target is checked as an open deployment")
    operation = page_guarded
    rule = _rule(operation, "a request without a token is refused", "security")
    absent = operation.method != "get"
    request = page_request(operation, settings, page_values, settings.sets, absent=absent)
    exchange = call(target, ledger, rule, operation.operation_id, request, auth="none")
    problems = refusal_problems(exchange)
    if problems:
        rule.fail(exchange, "HTTP 401 or 403 (any body)", problems)


def test_page_read(
    page_read: Operation,
    settings: Settings,
    target: Target,
    ledger: TaskLedger,
    page_values: dict,
    notes: list[str],
) -> None:
    rule = _rule(page_read, "a read with the page's example parameters gets a documented answer")
    request = page_request(page_read, settings, page_values, settings.sets)
    exchange = call(target, ledger, rule, page_read.operation_id, request)
    problems = refused_problems(settings, exchange.status)
    problems += page_answer_problems(page_read, exchange, notes)
    if problems:
        rule.fail(exchange, "the page's success schema, or its errors' envelope", problems)


def test_page_generated(
    page_operation: Operation,
    settings: Settings,
    target: Target,
    page_values: dict,
    page_schema: object,
    notes: list[str],
) -> None:
    if not settings.full:
        pytest.skip("full profile only (generated requests may change the target)")
    operation = page_operation
    api = api_operation(page_schema, operation)
    rule = _rule(operation, "generated requests get answers the page documents")
    fixed = {
        parameter["name"]: value
        for parameter in operation.parameters
        if parameter.get("name") in settings.sets
        for value in [parameter_value(parameter, page_values, settings.sets)]
    }

    @hypothesis_settings(settings)
    @hypothesis.given(case=st.one_of(api.as_strategy(generation_mode=GenerationMode.POSITIVE)))
    def check(case) -> None:
        for parameter in operation.parameters:
            name, where = parameter["name"], parameter.get("in")
            if name in fixed and where == "path":
                case.path_parameters = {**(case.path_parameters or {}), name: fixed[name]}
            elif name in fixed and where == "query":
                case.query = {**(case.query or {}), name: query_text(fixed[name])}
        kwargs = case.as_transport_kwargs(base_url=target.base_url, headers=target.auth_headers())
        exchange, _ = answered(
            target, rule, lambda: target.send_generated(operation.operation_id, kwargs)
        )
        problems = refused_problems(settings, exchange.status)
        problems += page_answer_problems(operation, exchange, notes)
        if problems:
            rule.fail(exchange, "the page's success schema, or its errors' envelope", problems)

    if settings.seed is not None:
        check = hypothesis.seed(settings.seed)(check)
    check()
