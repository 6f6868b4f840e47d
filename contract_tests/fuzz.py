"""Schemathesis cases, confined to what the active profile may send, and checked.

Safe confinement: every workflow and project name becomes one that cannot exist, every
integer task id one far above any real id, and a non-integer id keeps its value only when it
has no digit (a lenient server could read "+1" or "1.5" as task 1). Generated data thus
stays free to be malformed, but never names a real task. The `projectName` query parameter
is always the fixture project (see `scope_to_fixture`).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import schemathesis
from schemathesis import Case, GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response

from api_contract.checks import REFUSED, answer_problems
from api_contract.exchange import Exchange, redact
from api_contract.operations import Operation
from api_contract.spec import Contract
from contract_tests.contract import CANCEL, CREATE, RESTART
from contract_tests.http_client import Target
from contract_tests.rule import Rule
from contract_tests.sending import answered, note_created
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger

# A kept non-integer id has a letter and no digit: "+1", "1.5" or ".." never reach the target.
NO_DIGITS = re.compile(r"(?=.*[A-Za-z])[A-Za-z._~-]+")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
NEGATIVE_CHECKS = ("negative_data_rejection",)


def load_schema(settings: Settings, contract: Contract, links: bool = False) -> Any:
    raw = copy.deepcopy(contract.raw)
    if links:
        add_task_links(raw, contract)
    schema = schemathesis.openapi.from_dict(raw)
    schema.config.update(base_url=settings.base_url, request_timeout=settings.request_timeout)
    # Credentials are the gate's own business (sent as configured, refusals checked apart).
    schema.config.generation.update(with_security_parameters=False)
    if links:
        schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    return schema


def add_task_links(raw: dict[str, Any], contract: Contract) -> None:
    """Tell the stateful phase that create's answer names a task that restart and cancel take."""
    create = contract.operation(CREATE)
    response = raw["paths"][create.path][create.method]["responses"]["200"]
    response["links"] = {
        operation_id: {
            "operationId": operation_id,
            "parameters": {
                "id": "$response.body#/task_id",
                "pipeline": "$response.body#/pipeline_name",
            },
        }
        for operation_id in (RESTART, CANCEL)
    }


def api_operation(schema: Any, operation: Operation) -> Any:
    return schema[operation.path][operation.method.upper()]


def confine(case: Case, settings: Settings) -> None:
    """Make a generated case safe: no name or id it carries can exist on the target."""
    params = case.path_parameters or {}
    if "pipeline" in params:
        params["pipeline"] = settings.absent_name("workflow")
    if "id" in params:
        value = params["id"]
        if isinstance(value, int) and not isinstance(value, bool):
            params["id"] = settings.absent_id(abs(value) % 1000)
        elif not NO_DIGITS.fullmatch(str(value)):
            params["id"] = settings.absent_name("id")
    scope_to_fixture(case, settings)
    if case.body is None:
        # A JSON `null` body has its own fixed rule (null_body), which a team that accepts
        # v1.7.1's 500 there deselects: generated cases leave that body to it.
        case.body = {}
    if isinstance(case.body, dict):
        names = [key for key in ("workflow_name", "product_tmpl_name") if key in case.body]
        for key in names:
            if isinstance(case.body[key], str):
                case.body[key] = settings.absent_name(key)
        if not any(isinstance(case.body.get(key), str) for key in names):
            case.body["product_tmpl_name"] = settings.absent_name("project")


def scope_to_fixture(case: Case, settings: Settings) -> None:
    """Always the fixture project, even in a negative case: the gateway refuses a project-scoped
    token without it, and then the case checks nothing (the service never reads it)."""
    case.query = {**(case.query or {}), "projectName": settings.fixture.project}


def refused_problems(settings: Settings, status: int) -> list[str]:
    """A refusal of a request the credentials cover means the case checked nothing."""
    if status not in REFUSED:
        return []
    if settings.token:
        return [f"HTTP {status}: the token was refused for project {settings.fixture.project!r}"]
    return [f"HTTP {status}: the target wants a token (pass --token)"]


def run_case(
    case: Case,
    operation: Operation,
    settings: Settings,
    contract: Contract,
    target: Target,
    ledger: TaskLedger,
    may_succeed: bool,
) -> Any:
    """Send one case and check it with schemathesis's checks and the catalogue's rules."""
    rule = Rule(
        f"{operation.operation_id}: generated requests get documented answers",
        f"{operation.section}",
        operation.spec_ref("responses"),
    )
    headers = target.auth_headers()
    # As schemathesis' own `Case.call` does: the case is judged as generated (negative or
    # positive), whatever `confine` changed in it since.
    case.freeze_metadata()
    kwargs = case.as_transport_kwargs(base_url=target.base_url, headers=headers)
    exchange, answer = answered(
        target, rule, lambda: target.send_generated(operation.operation_id, kwargs)
    )
    response = Response.from_any(answer)
    _note_task(case, operation, exchange, ledger)
    negative = case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE
    names = CHECKS + (NEGATIVE_CHECKS if negative else ())
    checks = [getattr(schemathesis.checks, name) for name in names]
    report = ""
    try:
        case.validate_response(response, checks=checks, headers=headers, transport_kwargs=kwargs)
    except FailureGroup as exc:
        report = redact(str(exc), target.token)
    if report:
        rule.fail(exchange, "an answer the spec documents for this request", [report])
    refused = refused_problems(settings, response.status_code)
    if refused:
        rule.fail(exchange, "an answer past the gateway (the token covers the project)", refused)
    # The same per-answer rules as the proxy applies to live traffic.
    problems = answer_problems(contract, operation, exchange)
    if response.status_code == 200 and not may_succeed:
        problems.append("a request that cannot name a real task was accepted")
    if problems:
        rule.fail(exchange, "an error answer from the catalogue, in the envelope", problems)
    return response


def _note_task(case: Case, operation: Operation, exchange: Exchange, ledger: TaskLedger) -> None:
    """Keep the ledger current: created and restarted tasks are open, cancelled ones are not."""
    if exchange.status != 200:
        return
    if operation.operation_id == CREATE:
        note_created(ledger, CREATE, exchange, (case.query or {}).get("projectName", ""))
        return
    params = case.path_parameters or {}
    pipeline, task_id = params.get("pipeline"), params.get("id")
    if operation.operation_id == CANCEL:
        ledger.settled(pipeline, task_id)
    elif (pipeline, task_id) in ledger.known:
        ledger.created(pipeline, task_id, ledger.known[(pipeline, task_id)])
