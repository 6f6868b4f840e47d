"""The proxy as an ASGI app: forward each request, check both sides of a spec operation's
exchange with the gate's checks, record, log one line; `/_proxy/report` and `/_proxy/reset`.

Every request that can be forwarded is: the checks run after forwarding, and a check that
cannot judge (a body nested deeper than Python's parser goes, a bug) is a problem recorded on
that exchange, never a refusal. The answer is checked before it is sent on, so that a client
that reads the report after its answer finds its exchange in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import parse_qsl

from api_contract.checks import (
    REFUSED,
    accepted_incomplete_problems,
    answer_problems,
    created_problems,
    request_problems,
)
from api_contract.exchange import Exchange, loads
from api_contract.page_checks import page_answer_problems
from api_contract.routes import Match, match, routes
from api_contract.spec import Contract
from api_contract.summary import AUTH_ROW, SUCCESS_ROW
from api_contract.today_checks import answer_problems as today_answer_problems
from contract_proxy import BODY_LIMIT, console
from contract_proxy.console import exchange_entry
from contract_proxy.forwarding import Answer, Fault, Upstream, decoded
from contract_proxy.ledger import REQUEST_RULE, Ledger, Violation
from contract_proxy.tokens import curl, safe_target, scrub, secrets_of
from serving.origins import OriginRules, Origins

ADMIN = "/_proxy/"
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
# Request headers not worth repeating in a curl line (the connection's, or curl's own).
NOT_IN_CURL = frozenset({"host", "content-length", "accept-encoding", "user-agent"})


@dataclass
class Seen:
    """One request as it came in."""

    method: str
    raw_path: str
    query: str
    headers: dict[str, str]  # lower-case names; repeated ones joined with ", "
    raw_headers: list[tuple[bytes, bytes]]
    body: bytes


class Proxy:
    def __init__(
        self,
        contract: Contract,
        upstream: Upstream,
        ledger: Ledger | None = None,
        log: TextIO | None = sys.stderr,
        body_limit: int = BODY_LIMIT,
        page_operations: frozenset[str] = frozenset(),
        today: dict[str, str] | None = None,
    ) -> None:
        self.contract = contract
        self.body_limit = body_limit
        # Operations without hand-written rules: judged by what their page states only.
        self.page_operations = page_operations
        # operationId -> the role it plays in today's workflow-task OpenAPI (api_contract.
        # rule_sets): judged by api_contract.today_checks.
        self.today = today or {}
        self.upstream = upstream
        self.ledger = ledger or Ledger()
        self.log = log
        self.routes = routes(contract)
        self.upstream_base = str(upstream.base).rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"].startswith(ADMIN) and (
            await self._admin(scope, send) or await console.serve(self, scope, receive, send)
        ):
            return
        seen = await _read(scope, receive, self.body_limit)
        if seen is None:
            await self._too_large(scope, send)
            return
        try:
            answer = await self.exchange(seen)
        except asyncio.CancelledError:  # stopping (SIGINT/SIGTERM) with this exchange still open
            answer = self._failed(seen, "the proxy stopped before the upstream answered")
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await _respond(send, answer)
            return
        except Exception as exc:  # the proxy's own failure: said in the envelope, not a 500
            answer = self._failed(seen, f"the proxy could not handle it ({type(exc).__name__})")
        await _respond(send, answer)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        reason = f"the request body is larger than the proxy takes ({self.body_limit} bytes)"
        target = safe_target(scope["path"], scope.get("query_string", b"").decode("latin-1"))
        if self.log is not None:
            print(f"zadig-proxy: {scope['method']} {target} -> 413: {reason}", file=self.log)
        # The rest of the body is read and dropped by uvicorn (within the body timeout), so
        # that the client gets to read this answer.
        await _respond(send, Fault(413, reason).answer())

    def _failed(self, seen: Seen, reason: str) -> Answer:
        target = safe_target(seen.raw_path, seen.query)
        print(f"zadig-proxy: {seen.method} {target}: {reason}", file=sys.stderr, flush=True)
        return Fault(502, reason).answer()

    async def exchange(self, seen: Seen) -> Answer:
        started = time.perf_counter()
        found = match(self.routes, seen.method, seen.raw_path)
        secrets = secrets_of(seen.headers, seen.query)
        url = self.upstream.url(seen.raw_path.encode("latin-1"), seen.query.encode("latin-1"))
        outcome = await self.upstream.send(seen.method, url, seen.raw_headers, seen.body)
        answer = outcome.answer() if isinstance(outcome, Fault) else outcome
        request_side: list[str] = []
        if found is not None:
            query = dict(parse_qsl(seen.query, keep_blank_values=True))
            request_side = judged(
                request_problems,
                found.operation,
                found.path_params,
                query,
                seen.headers,
                seen.body,
            )
        try:
            response_side, rule = self._judge(found, seen, outcome)
        except Exception as exc:  # noqa: BLE001 - any failure of the checks is a problem noted
            response_side, rule = not_checked(exc), str(answer.status)
        self.ledger.count(found is not None)
        operation = found.operation.operation_id if found else None
        command = ""
        if request_side or response_side:
            shown = {k: v for k, v in seen.headers.items() if k not in NOT_IN_CURL}
            command = curl(
                seen.method, self.upstream_base, seen.raw_path, seen.query, shown, seen.body
            )
        found_here: list[Violation] = []
        for side, problems, side_rule in (
            ("request", request_side, REQUEST_RULE),
            ("response", response_side, rule),
        ):
            if found is not None and side_rule:
                self.ledger.outcome(operation, side_rule, not problems)
            if problems:
                clean = [scrub(problem, secrets) for problem in problems]
                target = safe_target(seen.raw_path, seen.query)
                violation = Violation(
                    side, operation, side_rule, clean, answer.status, seen.method, target, command
                )
                self.ledger.add(violation)
                found_here.append(violation)
        self._log(seen, answer, operation, request_side, response_side, secrets, started)
        self.ledger.note(exchange_entry(seen, answer.status, operation, started, found_here))
        return answer

    def _judge(
        self, found: Match | None, seen: Seen, outcome: Answer | Fault
    ) -> tuple[list[str], str]:
        """Response-side problems and the answer's rule (its row in the summary)."""
        if isinstance(outcome, Fault):
            return [outcome.reason], str(outcome.status)
        if found is None:
            return [], ""
        headers = {}
        for name, value in outcome.headers:
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        body = decoded(headers.get("content-encoding", ""), outcome.body)
        if body is None:  # an encoding the proxy cannot read: the answer is passed on unjudged
            return [], ""
        text = body.decode("utf-8", "replace")
        exchange = Exchange(
            found.operation.method.upper(), "", {}, None, outcome.status, headers, text
        )
        if found.operation.operation_id in self.page_operations:
            return page_answer_problems(found.operation, exchange), self._row(outcome.status, text)
        role = self.today.get(found.operation.operation_id)
        if role is not None:
            query = dict(parse_qsl(seen.query, keep_blank_values=True))
            token = "token" in query or len(seen.headers.get("authorization", "").split(" ")) == 2
            problems = today_answer_problems(
                self.contract, found.operation, role, exchange, query, token
            )
            return problems, self._row(outcome.status, text)
        problems = answer_problems(self.contract, found.operation, exchange)
        if not problems and outcome.status == 200 and found.operation.request_schema:
            sent = _json(seen.body)
            problems = created_problems(sent, _json(body))
            problems += accepted_incomplete_problems(self.contract, found.operation, sent, exchange)
        return problems, self._row(outcome.status, text)

    def _row(self, status: int, text: str) -> str:
        if status == 200:
            return SUCCESS_ROW
        if status in REFUSED:
            return AUTH_ROW
        try:
            code = json.loads(text).get("code")
        except (ValueError, AttributeError):
            code = None
        if isinstance(code, int) and not isinstance(code, bool) and code in self.contract.catalogue:
            return f"{status}/{code}"
        return str(status)

    def _log(
        self,
        seen: Seen,
        answer: Answer,
        operation: str | None,
        request_side: list[str],
        response_side: list[str],
        secrets: list[str],
        started: float,
    ) -> None:
        if self.log is None:
            return
        ms = (time.perf_counter() - started) * 1000
        line = (
            f"{seen.method} {safe_target(seen.raw_path, seen.query)} -> {answer.status} {ms:.1f} ms"
        )
        line += f" {operation}" if operation else " (outside the spec, not checked)"
        if request_side:
            line += " | request violation: " + "; ".join(request_side)
        if response_side:
            line += " | RESPONSE VIOLATION: " + "; ".join(response_side)
        if operation and not request_side and not response_side:
            line += " ok"
        print("zadig-proxy: " + scrub(line, secrets), file=self.log, flush=True)

    async def _admin(self, scope: Scope, send: Send) -> bool:
        """The proxy's own endpoints; False for any other path under /_proxy/ (forwarded)."""
        path, method = scope["path"], scope["method"]
        if path == ADMIN + "report" and method == "GET":
            body = json.dumps(self.ledger.snapshot(), ensure_ascii=False).encode("utf-8")
        elif path == ADMIN + "reset" and method == "POST":
            self.ledger.reset()
            body = json.dumps({"exchanges": 0, "violations": []}).encode("utf-8")
        else:
            return False
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.upstream.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _respond(send: Send, answer: Answer) -> None:
    start = {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
    await send(start)
    await send({"type": "http.response.body", "body": answer.body})


def not_checked(exc: BaseException) -> list[str]:
    """The problem recorded when a check could not judge an exchange."""
    if isinstance(exc, RecursionError):
        return [f"not checked: too deep (a body nested deeper than the checks read: {exc})"]
    return [f"not checked: the check failed ({type(exc).__name__}: {exc})"]


def judged(check: Callable[..., list[str]], *args: Any) -> list[str]:
    """`check(*args)`'s problems, or why it could not judge."""
    try:
        return check(*args)
    except Exception as exc:  # noqa: BLE001 - any failure of a check is a problem noted
        return not_checked(exc)


def _json(raw: bytes) -> Any:
    try:
        return loads(raw)
    except (ValueError, RecursionError):
        return None


async def _read(scope: Scope, receive: Receive, limit: int) -> Seen | None:
    """The request, or None when its body is larger than `limit` bytes (read no further)."""
    raw_headers = list(scope["headers"])
    for name, value in raw_headers:
        if name.lower() == b"content-length" and value.isdigit() and int(value) > limit:
            return None
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    headers: dict[str, str] = {}
    for name, value in raw_headers:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    return Seen(
        method=scope["method"],
        raw_path=raw_path.decode("latin-1"),
        query=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        raw_headers=raw_headers,
        body=b"".join(chunks),
    )


def build_app(
    contract: Contract,
    upstream: Upstream,
    cors: bool = True,
    hosts: frozenset[str] | None = None,
    origins: frozenset[str] = frozenset(),
    **kwargs: Any,
) -> Any:
    """The proxy behind the Host and Origin rules and CORS like the mock's (preflights answered
    here, never forwarded): `hosts`, the Host names taken besides local ones (None: any);
    `origins`, the web pages allowed to call `/_proxy/` besides its own."""
    proxy = Proxy(contract, upstream, **kwargs)
    app = Origins(proxy, OriginRules(ADMIN, hosts, origins, cors))
    app.proxy = proxy
    return app
