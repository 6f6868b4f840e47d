"""What an exchange must look like, per the spec and the error catalogue: the error envelope, a
success body, a refusal, any answer to an operation, a create without a required field (what
conforms, and the leniency it shows), a request against its parameters and body schema.

Each check returns the list of problems it found (empty = conforms) so that a failure can
name every deviation of one answer at once. The gate (contract_tests) and the validating proxy
(contract_proxy) both judge exchanges with these functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api_contract.exchange import Exchange, loads
from api_contract.operations import JSON, Operation
from api_contract.schemas import schema_problems
from api_contract.spec import Contract

REFUSED = (401, 403)


def json_body(exchange: Exchange) -> tuple[Any, list[str]]:
    problems = []
    if exchange.media_type != JSON:
        content_type = exchange.response_headers.get("content-type", "none")
        problems.append(f"content type is {content_type!r}, the spec documents {JSON}")
    try:
        return exchange.json(), problems
    except (json.JSONDecodeError, ValueError):
        return None, problems + ["the body is not JSON"]


def expected_error(contract: Contract, operation: Operation, code: int) -> str:
    """The answer for `code`: the envelope's fields as the spec's error schema lists them."""
    entry = contract.entry(code)
    fixed = {"code": code, "message": entry.message}
    fields = []
    for name, prop in operation.error_schema.get("properties", {}).items():
        if name in fixed:
            value = json.dumps(fixed[name], ensure_ascii=False)
        elif len(prop.get("enum", [])) == 1:
            value = json.dumps(prop["enum"][0], ensure_ascii=False)
        else:
            value = f"<any {prop.get('type', 'value')}>"
        fields.append(f'"{name}": {value}')
    return f"HTTP {entry.status}, {JSON}, envelope {{{', '.join(fields)}}}"


def error_problems(
    contract: Contract, operation: Operation, exchange: Exchange, codes: set[int]
) -> list[str]:
    """An error answer: one of `codes`, with the catalogue's status and message, in the envelope."""
    problems = []
    statuses = {contract.entry(code).status for code in codes}
    if exchange.status not in statuses:
        problems.append(f"HTTP status {exchange.status}, expected {sorted(statuses)}")
    if exchange.status in REFUSED:
        problems.append(
            "the target refused the credentials: pass --token, and --project naming a project "
            "the token may run workflows in"
        )
    body, body_problems = json_body(exchange)
    problems += body_problems
    if body is None:
        return problems
    problems += schema_problems(operation.error_schema, body, "error envelope")
    if not isinstance(body, dict):
        return problems
    code = body.get("code")
    if code not in codes or isinstance(code, bool):
        problems.append(f"code {code!r}, expected {' or '.join(str(c) for c in sorted(codes))}")
    elif code in contract.catalogue:
        entry = contract.entry(code)
        if body.get("message") != entry.message:
            problems.append(
                f"message {body.get('message')!r}, the catalogue says {entry.message!r} for {code}"
            )
        if exchange.status != entry.status:
            problems.append(f"code {code} must come with HTTP {entry.status}")
    return problems


def success_problems(operation: Operation, exchange: Exchange) -> tuple[Any, list[str]]:
    problems = []
    if exchange.status != 200:
        problems.append(f"HTTP status {exchange.status}, expected 200")
    body, body_problems = json_body(exchange)
    problems += body_problems
    if body is not None:
        problems += schema_problems(operation.success_schema, body, "success body")
    return body, problems


def created_problems(sent: Any, answered: Any) -> list[str]:
    """A created task is of the workflow asked for: `pipeline_name` is the `workflow_name` sent."""
    if not isinstance(sent, dict) or not isinstance(answered, dict):
        return []
    workflow = sent.get("workflow_name")
    if not isinstance(workflow, str) or answered.get("pipeline_name") == workflow:
        return []
    return [
        f"pipeline_name {answered.get('pipeline_name')!r} is not the workflow_name sent "
        f"({workflow!r})"
    ]


def refusal_problems(exchange: Exchange) -> list[str]:
    if exchange.status in REFUSED:
        return []
    return [f"HTTP status {exchange.status}: the request was not refused with 401 or 403"]


def answer_problems(contract: Contract, operation: Operation, exchange: Exchange) -> list[str]:
    """Any answer to `operation` when nothing says which one to expect (live traffic): a
    status the spec documents for it, then that status's rules. A 401 or 403 is the
    gateway's refusal, fine with any body."""
    status = exchange.status
    if status in REFUSED and status in operation.statuses:
        return []
    if status == 200:
        return success_problems(operation, exchange)[1]
    codes = set(operation.codes)
    if status in {contract.entry(code).status for code in codes}:
        return error_problems(contract, operation, exchange, codes)
    documented = ", ".join(str(s) for s in operation.statuses)
    return [
        f"HTTP status {status} is not documented for {operation.operation_id} "
        f"(the spec documents {documented})"
    ]


# strconv.ParseInt(s, 10, 64), as aslan reads a task id: an optional sign, decimal digits.
INTEGER = re.compile(r"[+-]?[0-9]+")
INT64 = range(-(2**63), 2**63)


def request_problems(
    operation: Operation,
    path_params: Mapping[str, str],
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
) -> list[str]:
    """What a request to `operation` lacks or gets wrong, per the spec: parameters, the
    credentials its security asks for, and the JSON body against the request schema.

    `headers` has lower-case names; `path_params` are percent-decoded."""
    problems = []
    for parameter in operation.parameters:
        name, place = parameter.get("name", ""), parameter.get("in")
        values = {"path": path_params, "query": query}.get(place)
        if values is None:
            continue
        if name not in values:
            if parameter.get("required"):
                problems.append(f"{place} parameter {name!r} is missing (required)")
            continue
        if parameter.get("schema", {}).get("type") == "integer" and not _is_int64(values[name]):
            problems.append(f"{place} parameter {name!r} is {values[name]!r}, not an integer")
    if operation.needs_token and not _has_token(headers, query):
        problems.append(
            "no credentials: the spec requires `Authorization: Bearer <token>` "
            "(the gateway also takes ?token=)"
        )
    # Against the page's schema: a body without a field the page requires is the client's
    # slip even where the release accepts it.
    if operation.page_schema is not None:
        problems += _body_problems(operation.page_schema, operation.body_required, headers, body)
    return problems


def _is_int64(text: str) -> bool:
    return bool(INTEGER.fullmatch(text)) and int(text) in INT64


def _has_token(headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return (scheme.lower() == "bearer" and bool(token.strip())) or bool(query.get("token"))


def _body_problems(
    schema: dict[str, Any], required: bool, headers: Mapping[str, str], body: bytes
) -> list[str]:
    if not body:
        return ["no body: the spec requires a JSON body"] if required else []
    problems = []
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != JSON:
        content_type = headers.get("content-type", "none")
        problems.append(f"request content type is {content_type!r}, the spec documents {JSON}")
    try:
        document = loads(body)
    except ValueError:  # also a body that is not UTF-8
        return problems + ["the request body is not JSON"]
    return problems + schema_problems(schema, document, "request body")


@dataclass(frozen=True)
class IncompleteBody:
    """What conforms for a create without `field`, a field the page requires.

    `codes`: the errors that conform (the documented release's answer, and the refusal of a
    server stricter than it). `may_create`: a created task conforms too (the release goes on
    without the field); it is then a leniency worth a note. `refused_because`: why a 200
    does not conform when `may_create` is false.
    """

    field: str
    codes: frozenset[int]
    may_create: bool
    refused_because: str

    def describe(self) -> str:
        parts = [str(code) for code in sorted(self.codes)]
        return " or ".join(parts + (["a created task"] if self.may_create else []))

    def leniency(self) -> str:
        return f"accepted a create without `{self.field}`, which the page marks required"


def incomplete_body_expectation(
    operation: Operation,
    field: str,
    names_exist: bool,
    strict: bool = False,
    also: frozenset[int] = frozenset(),
) -> IncompleteBody:
    """The spec's x-zadig-missing-fields for `field`, as the request's names make it apply.

    `names_exist`: the rest of the body names the fixture; otherwise its project and workflow
    cannot exist, so the release answers what an absent project gets (its checks run in
    order, the project first). `strict`: the page is enforced, a created task does not
    conform. `also`: further codes that conform (what the fixture itself gets here).
    """
    stricter = {operation.stricter_code} if operation.stricter_code else set()
    answer = operation.missing_fields[field]
    if not names_exist:
        absent = operation.errors.get("project_not_found")
        codes = {absent.code} if absent else {answer.code} - {None}
        why = "its project and workflow cannot exist"
        return IncompleteBody(field, frozenset(codes | stricter | also), False, why)
    may_create = answer.code is None
    why = "--strict enforces the page" if may_create else "the spec says it is refused"
    codes = ({answer.code} - {None}) | stricter | also
    return IncompleteBody(field, frozenset(codes), may_create and not strict, why)


def incomplete_body_problems(
    contract: Contract, operation: Operation, exchange: Exchange, expected: IncompleteBody
) -> tuple[list[str], list[str]]:
    """The answer to a create without `expected.field`: (problems, notes on leniencies)."""
    if exchange.status == 200:
        if expected.may_create:
            _, problems = success_problems(operation, exchange)
            return problems, [expected.leniency()]
        return [f"{expected.leniency()}, and {expected.refused_because}"], []
    return error_problems(contract, operation, exchange, set(expected.codes)), []


def accepted_incomplete_problems(
    contract: Contract, operation: Operation, sent: Any, exchange: Exchange
) -> list[str]:
    """A created task (200) for a body without a field, absent or empty ("", [], null: Go's
    zero value), that the spec's x-zadig-missing-fields says the release refuses: the server
    accepts what aslan refuses. Refusals are judged as any answer is."""
    if exchange.status != 200 or not isinstance(sent, dict):
        return []
    problems = []
    for field, answer in operation.missing_fields.items():
        if answer.code is not None and sent.get(field) in (None, "", []):
            expected = incomplete_body_expectation(operation, field, names_exist=True)
            problems += incomplete_body_problems(contract, operation, exchange, expected)[0]
    return problems
