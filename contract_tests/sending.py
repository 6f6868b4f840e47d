"""Sending a probe's request, noting any task it created; a dead target becomes a failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest

from api_contract.exchange import Exchange
from contract_tests.contract import CREATE
from contract_tests.error_probes import Request
from contract_tests.http_client import BudgetSpent, Target, TargetDown
from contract_tests.rule import Rule
from contract_tests.task_ledger import TaskLedger

T = TypeVar("T")


def call(
    target: Target,
    ledger: TaskLedger,
    rule: Rule,
    operation_id: str,
    request: Request,
    auth: str = "configured",
) -> Exchange:
    exchange = answered(
        target,
        rule,
        lambda: target.send(
            operation_id,
            request.method,
            request.path,
            query=request.query,
            body=request.body,
            raw_body=request.raw_body,
            auth=auth,
        ),
    )
    note_created(ledger, operation_id, exchange, request.query.get("projectName", ""))
    return exchange


def answered(target: Target, rule: Rule, send: Callable[[], T]) -> T:
    """What `send()` returns; a target that gave no answer fails the rule (a spent budget is
    noted for the summary)."""
    try:
        return send()
    except TargetDown as exc:
        down = str(exc)
        if isinstance(exc, BudgetSpent):
            target.budget_cut.append(rule.title)
    # Failed outside the handler, so the report shows the reason once, without a chain.
    rule.fail(None, "an answer within the request timeout", [down])


def note_created(ledger: TaskLedger, operation_id: str, exchange: Exchange, project: str) -> None:
    """A 200 from create means a task exists now, whatever the test expected."""
    if operation_id != CREATE or exchange.status != 200:
        return
    try:
        body = exchange.json()
        pipeline, task_id = body["pipeline_name"], body["task_id"]
    except (ValueError, KeyError, TypeError):
        return
    # A wrongly typed id ("7") still names a task that must be cancelled.
    if isinstance(task_id, str) and task_id.isdigit():
        task_id = int(task_id)
    if isinstance(pipeline, str) and isinstance(task_id, int) and not isinstance(task_id, bool):
        ledger.created(pipeline, task_id, project)


def skip_unless_profile(profile: str, current: str) -> None:
    if profile == "full" and current != "full":
        pytest.skip("full profile only (it runs requests that change the target)")
