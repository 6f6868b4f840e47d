"""One exchange of today's workflow-task OpenAPI (`/openapi/workflows/custom/...`) judged by
what the behavior file makes certain of aslan's answers (its section 7), whatever the state of
the server: the catalogue's errors in their form (the five-field envelope; the plain
`{message, code, description}` with neither `type` nor `extra`), each with its HTTP status and
fixed message and only on an operation that answers that code; empty bodies only where aslan
writes one; success bodies by the spec's schema, `{"message": "success"}` where aslan stores no
data, the list's rows lower-cased, newest first and of the queried project; nothing answered to
a request without a token but the gateway's refusal. The proxy judges with this; what needs
the server's state (ids, lifecycle) is the gate's."""

from __future__ import annotations

import re
from typing import Any

from api_contract.catalogue import Entry
from api_contract.exchange import Exchange
from api_contract.operations import Operation
from api_contract.schemas import schema_problems
from api_contract.spec import Contract

ENVELOPE_KEYS = frozenset({"code", "description", "extra", "message", "type"})
PLAIN_KEYS = frozenset({"code", "description", "message"})
GATEWAY = (401, 403)  # the gateway's and aslan's refusals: the status is certain, not the body
LIST = "listCustomWorkflowTasks"
# The roles whose success stores no data: aslan's Response middleware writes this.
NO_DATA = frozenset(
    {"cancelCustomWorkflowTask", "retryCustomWorkflowTask", "approveCustomWorkflowTask"}
)
PAGE_SIZE = 50  # the page's default; aslan's code pages by 10, which fits under it
GO_INT = re.compile(r"[+-]?[0-9]+")
# A null below the top of a body where the schema has a list or an object: Go writes a nil
# slice or map so, and the behavior file does not say which nested fields can be nil (aslan's
# responseHelper turns only the top level's nil into []).
GO_NIL = re.compile(r": at /\S+: None is not of type '(array|object)'")


def answer_problems(
    contract: Contract,
    operation: Operation,
    role: str,
    exchange: Exchange,
    query: dict[str, str],
    has_token: bool,
) -> list[str]:
    """What is wrong with `exchange`, an answer of `operation` playing `role` (the reference
    operationId) to a request with `query` (and a token or not)."""
    status = exchange.status
    if not has_token and status not in GATEWAY:
        return [f"HTTP {status} to a request without a token (the gateway refuses it: 401)"]
    if status in GATEWAY:
        return []
    if status == 200:
        return success_problems(operation, role, exchange, query)
    if not exchange.text:
        if empty_allowed(operation, status):
            return []
        return [f"HTTP {status} with an empty body, which aslan sends for no answer of this"]
    return error_problems(contract, operation, exchange)


def empty_allowed(operation: Operation, status: int) -> bool:
    """aslan answers `status` with no body: the spec documents it so, or it is gin's 400 for a
    query integer that does not parse."""
    answer = operation.answers.get(status)
    if answer is not None and not answer.has_body:
        return True
    return status == 400 and any(
        p.get("in") == "query" and p.get("schema", {}).get("type") == "integer"
        for p in operation.parameters
    )


def documented_codes(operation: Operation) -> set[int]:
    """The codes `operation` documents: its error statuses and its error examples' codes."""
    codes = {status for status in operation.answers if status >= 400}
    for status, answer in operation.answers.items():
        for value in answer.examples.values():
            if status >= 400 and isinstance(value, dict) and isinstance(value.get("code"), int):
                codes.add(value["code"])
    return codes


def error_problems(contract: Contract, operation: Operation, exchange: Exchange) -> list[str]:
    try:
        body = exchange.json()
    except ValueError:
        return [f"HTTP {exchange.status}: the body is not JSON: {exchange.text[:80]!r}"]
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, int) or isinstance(code, bool) or code not in contract.catalogue:
        return [f"HTTP {exchange.status}: code {code!r} is not in aslan's catalogue"]
    entry = contract.catalogue[code]
    problems = []
    if exchange.status != entry.status:
        problems.append(f"code {code} with HTTP {exchange.status}, expected {entry.status}")
    if code not in documented_codes(operation):
        problems.append(f"code {code} is not an answer of {operation.operation_id}")
    return problems + form_problems(entry, body)


def form_problems(entry: Entry, body: dict[str, Any]) -> list[str]:
    """What `body`, an answer of the catalogue's `entry`, breaks of aslan's two error forms
    (the behavior file's section 1): the envelope's five keys, `type` "error" and `extra` an
    object; the plain form's three keys and neither `type` nor `extra`; the fixed message."""
    problems = []
    keys = ENVELOPE_KEYS if entry.form == "envelope" else PLAIN_KEYS
    missing = sorted(keys - body.keys())
    if missing:
        problems.append(f"the error body lacks {', '.join(missing)}")
    if entry.form != "envelope" and body.keys() & {"type", "extra"}:
        problems.append(
            f"code {entry.code} in the envelope: aslan's plain form has no type nor extra"
        )
    if "message" in body and body["message"] != entry.message:
        problems.append(f"message {body['message']!r}, expected {entry.message!r}")
    if entry.form == "envelope":
        if "type" in body and body["type"] != "error":
            problems.append(f"type {body['type']!r}, expected 'error'")
        if "extra" in body and not isinstance(body["extra"], dict):
            problems.append("extra is not an object")
    return problems


def success_problems(
    operation: Operation, role: str, exchange: Exchange, query: dict[str, str]
) -> list[str]:
    try:
        body = exchange.json()
    except ValueError:
        return [f"the body is not JSON: {exchange.text[:80]!r}"]
    problems, _nils = without_go_nils(schema_problems(operation.success_schema, body, "the body"))
    if role in NO_DATA and (not isinstance(body, dict) or body.get("message") != "success"):
        problems.append(f"{body!r}, expected aslan's {{'message': 'success'}}")
    if role == LIST and isinstance(body, dict):
        problems += list_problems(body.get("workflow_tasks") or [], query)
    return problems


def without_go_nils(problems: list[str]) -> tuple[list[str], list[str]]:
    """`problems` of a success body split into the certain ones and those that are Go's nil
    (GO_NIL): the gate notes the latter, the proxy passes them."""
    nils = [problem for problem in problems if GO_NIL.search(problem)]
    return [problem for problem in problems if problem not in nils], nils


def query_int(value: str | None, default: int) -> int | None:
    """A query integer as gin binds it (`default` when absent or empty); None when it does
    not parse."""
    if not value:
        return default
    return int(value) if GO_INT.fullmatch(value) else None


def list_problems(rows: list[Any], query: dict[str, str]) -> list[str]:
    """The list's rows: statuses lower-cased, the queried project on each, newest first, no
    more than a page. Page 0 is neither sorted nor limited, nor is a page size of 0 a limit
    (the behavior file, section 5.3: Mongo's limit 0 is none)."""
    problems = []
    rows = [row for row in rows if isinstance(row, dict)]
    project = query.get("projectKey", "")
    for row in rows:
        status = row.get("status")
        if isinstance(status, str) and status != status.lower():
            problems.append(f"task {row.get('task_id')}: status {status!r} is not lower-cased")
        if row.get("project_key") != project:
            problems.append(
                f"task {row.get('task_id')}: project_key {row.get('project_key')!r}, "
                f"the query's is {project!r}"
            )
    if query_int(query.get("pageNum"), 1) == 0:
        return problems
    times = [row.get("create_time") or 0 for row in rows]
    if times != sorted(times, reverse=True):
        problems.append(f"not newest first: create_time {times}")
    limit = query_int(query.get("pageSize"), PAGE_SIZE)
    if limit and limit > 0 and len(rows) > limit:
        problems.append(f"{len(rows)} tasks on a page of {limit}")
    return problems
