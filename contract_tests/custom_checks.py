"""What an answer of today's workflow-task OpenAPI (`/openapi/workflows/custom/...`) must look
like: the catalogue's errors in their two forms (the envelope; `plain`, aslan's
`{message, code, description}`), refusals with an empty body, the task and list bodies.

Each check returns (problems, notes): a problem fails the rule; a note is a difference the page
and the source do not both make certain, reported and passed. No pytest here."""

from __future__ import annotations

import re
from typing import Any

from api_contract.exchange import Exchange
from api_contract.operations import Operation
from api_contract.schemas import schema_problems
from api_contract.spec import Contract
from api_contract.today_checks import form_problems, list_problems, without_go_nils

Verdict = tuple[list[str], list[str]]


def body_of(exchange: Exchange) -> tuple[Any, str | None]:
    """The JSON body, or None and why not."""
    try:
        return exchange.json(), None
    except ValueError:
        return None, f"the body is not JSON: {exchange.text[:80]!r}"


def error(
    contract: Contract,
    exchange: Exchange,
    code: int,
    description: str | None = None,
    *,
    description_certain: bool = True,
) -> Verdict:
    """The catalogue's error `code` in its form, with its HTTP status and fixed message;
    `description` when given (a problem if `description_certain`, else a note)."""
    entry = contract.entry(code)
    problems: list[str] = []
    notes: list[str] = []
    if exchange.status != entry.status:
        problems.append(f"HTTP {exchange.status}, expected {entry.status}")
    body, why = body_of(exchange)
    if why:
        return [*problems, why], notes
    if not isinstance(body, dict):
        return [*problems, "the body is not a JSON object"], notes
    if body.get("code") != code:
        problems.append(f"code {body.get('code')!r}, expected {code}")
    problems += form_problems(entry, body)
    if description is not None and body.get("description") != description:
        said = f"description {body.get('description')!r}, aslan's is {description!r}"
        (problems if description_certain else notes).append(said)
    return problems, notes


def fits(text: str, template: str, known: dict[str, str]) -> bool:
    """Whether `text` is the catalogue's description `template` (e.g. `no stage found in
    workflow task: {workflow},taskID: {id}`): a placeholder named in `known` is that value,
    `{id}` an integer, any other placeholder any text."""
    pattern = ""
    for literal, name in re.findall(r"([^{]*)(?:\{(\w+)\})?", template):
        pattern += re.escape(literal)
        if name:
            pattern += (
                re.escape(known[name]) if name in known else "-?[0-9]+" if name == "id" else ".+"
            )
    return re.fullmatch(pattern, text, re.DOTALL) is not None


def empty_refusal(exchange: Exchange, status: int) -> Verdict:
    """A refusal that aslan writes before any body (gin's bind, the gateway): the status is
    certain, the empty body is noted when it is not."""
    problems = [] if exchange.status == status else [f"HTTP {exchange.status}, expected {status}"]
    notes = [f"a body where aslan sends none: {exchange.text[:80]!r}"] if exchange.text else []
    return problems, notes


def success(exchange: Exchange, operation: Operation) -> Verdict:
    """HTTP 200 and a body that the spec's 200 schema accepts. A null inside the body where
    the page shows a list or an object is noted: Go writes an empty (nil) slice or map as
    null, and the behavior file does not say which of aslan's nested fields can be nil."""
    if exchange.status != 200:
        return [f"HTTP {exchange.status}, expected 200"], []
    body, why = body_of(exchange)
    if why:
        return [why], []
    problems, nulls = without_go_nils(schema_problems(operation.success_schema, body, "the body"))
    return problems, [f"{p} (Go's nil)" for p in nulls]


def task_list(
    exchange: Exchange, operation: Operation, project: str, page_size: int | None
) -> Verdict:
    """The list: schema, lower-case statuses, newest first, the query's project on every row,
    no more rows than the page size (None: the default, 10 by aslan's code, 50 by the page)."""
    problems, notes = success(exchange, operation)
    if problems:
        return problems, notes
    rows = exchange.json().get("workflow_tasks") or []
    query = {"projectKey": project, **({"pageSize": str(page_size)} if page_size else {})}
    problems += list_problems(rows, query)
    if page_size is None and 10 < len(rows) <= 50:
        notes.append(
            f"{len(rows)} tasks on a default page: the page's default (50), not aslan's (10)"
        )
    return problems, notes
