"""What an answer to an operation without hand-written rules must look like: only what its page
states (the gate's lesson: where the page is silent, note and pass).

- 401 or 403 is the gateway's refusal: any body (no page documents the gateway's).
- A success (2xx) answer matches the schema the page documents for it (the lowest documented
  2xx where the status itself is not documented: the pages show one success answer, not its
  status).
- An error answer has the envelope of the page's own error examples (their fields), and a code
  the page documents carries the page's message for it. A page without error examples states
  nothing about errors: noted.
"""

from __future__ import annotations

from typing import Any

from api_contract.checks import REFUSED, json_body
from api_contract.exchange import Exchange
from api_contract.operations import Operation
from api_contract.schemas import schema_problems


def error_examples(operation: Operation) -> list[dict[str, Any]]:
    """The page's error examples of `operation` that are JSON objects."""
    return [
        value
        for status, answer in sorted(operation.answers.items())
        if status >= 400
        for value in answer.examples.values()
        if isinstance(value, dict)
    ]


def success_status(operation: Operation) -> int | None:
    return next((s for s in operation.statuses if 200 <= s < 300), None)


def page_answer_problems(
    operation: Operation, exchange: Exchange, notes: list[str] | None = None
) -> list[str]:
    """The problems of `exchange` as an answer to `operation`, by what its page states; what the
    page leaves open goes to `notes`."""
    notes = [] if notes is None else notes
    status = exchange.status
    if status in REFUSED:
        return []
    if 200 <= status < 300:
        return page_success_problems(operation, exchange, notes)
    if status >= 400:
        return page_error_problems(operation, exchange, notes)
    notes.append(f"{operation.operation_id}: HTTP {status}, which the page does not speak of")
    return []


def page_success_problems(operation: Operation, exchange: Exchange, notes: list[str]) -> list[str]:
    documented = exchange.status if exchange.status in operation.answers else None
    documented = documented or success_status(operation)
    answer = operation.answers.get(documented) if documented else None
    if answer is None or not answer.schema:
        notes.append(f"{operation.operation_id}: the page documents no success body")
        return []
    if documented == 204 or exchange.status == 204:
        return []
    body, problems = json_body(exchange)
    if body is None:
        return problems
    return problems + schema_problems(answer.schema, body, "success body")


def page_error_problems(operation: Operation, exchange: Exchange, notes: list[str]) -> list[str]:
    examples = error_examples(operation)
    if not examples:
        notes.append(
            f"{operation.operation_id}: HTTP {exchange.status}; the page shows no error answer"
        )
        return []
    body, problems = json_body(exchange)
    if body is None:
        return problems
    if not isinstance(body, dict):
        return [f"the error body is {type(body).__name__}, the page's errors are objects"]
    fields = sorted({name for example in examples for name in example})
    lacking = [name for name in fields if name not in body]
    if lacking:
        shown = ", ".join(fields)
        problems.append(f"the error body lacks {', '.join(lacking)} (the page's have {shown})")
    messages = {e["code"]: e.get("message") for e in examples if "code" in e}
    code = body.get("code")
    if code in messages and not isinstance(code, bool) and "message" in body:
        if body["message"] != messages[code]:
            problems.append(
                f"message {body['message']!r}, the page says {messages[code]!r} for code {code}"
            )
    return problems
