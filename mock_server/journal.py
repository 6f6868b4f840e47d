"""The request journal (GET /_mock/requests) and the log line per request."""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections import deque
from typing import Any
from urllib.parse import quote, unquote_plus

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("zadig_mock")

# What the log line leaves as it is; anything else (a decoded %0A, %00, non-ASCII) is
# percent-encoded again so that one request stays one line.
LOG_SAFE = "/!$&'()*+,;=:@-._~?"
# Of each body, the journal keeps this many bytes (the API's bodies are far smaller; a large one
# is cut and marked), so that the journal of a shared state stays small.
BODY_KEPT = 8192
# Header values the journal never shows: the journal is readable from any origin.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# The mock console's own refreshes (a GET naming this header) are not journaled: polling every
# second, they would push the page's requests out of the journal.
QUIET_HEADER = b"x-mock-console"
# Entry ids unique across the processes of a group: this process's prefix and a counter.
_IDS = itertools.count(1)
_PREFIX = f"{os.getpid():x}{os.urandom(3).hex()}"


class Journal:
    """Remembers the latest requests (for GET /_mock/requests) and logs one line per request."""

    def __init__(self, app: ASGIApp, *, entries: deque) -> None:
        self.app = app
        self.entries = entries

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or quiet(scope):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        # Shared with Forcing through shallow copies of the scope: the routed operation.
        scope["zadig_mock"] = note = {}
        request, response = Kept(), Kept()
        response_headers: list[tuple[bytes, bytes]] = []

        async def read() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request.add(message.get("body", b""))
            return message

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers.extend(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                response.add(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, read, record)
        finally:
            ms = (time.perf_counter() - started) * 1000
            bodies = {
                "request": {"headers": shown_headers(scope["headers"]), "body": request.text()},
                "response": {"headers": shown_headers(response_headers), "body": response.text()},
            }
            self._note(scope, status, ms, note, bodies)

    def _note(self, scope: Scope, status: int, ms: float, note: dict, bodies: dict) -> None:
        query = redacted(scope.get("query_string", b"").decode("latin-1"))
        missing = note.get("missing", [])
        self.entries.append(
            {
                "id": f"{_PREFIX}-{next(_IDS)}",
                "time": iso_now(),
                "method": scope["method"],
                "path": scope["path"],
                "query": query,
                "status": status,
                "code": error_code(bodies["response"]["body"]) if status >= 400 else None,
                "operation": note.get("operation"),
                "duration_ms": round(ms, 2),
                "missing_required": missing,
                "forced": note.get("forced"),
                **bodies,
            }
        )
        if log.isEnabledFor(logging.INFO):
            target = quote(scope["path"] + (f"?{query}" if query else ""), safe=LOG_SAFE)
            lacked = f" (lacks {', '.join(missing)}, which the page requires)" if missing else ""
            log.info(
                "%s %s %d %.1fms%s",
                scope["method"],
                target,
                status,
                ms,
                quote(lacked, safe=LOG_SAFE + " "),
            )


def redacted(query: str) -> str:
    """`query` with the value of every `token` parameter (the gateway's ?token=) replaced: the
    journal is readable from any origin, and the log may be shared."""
    if not query:
        return query
    return "&".join(
        f"{name}={REDACTED}" if unquote_plus(name) == "token" else pair
        for pair in query.split("&")
        for name, _, _ in [pair.partition("=")]
    )


REDACTED = "***"


class Kept:
    """The first BODY_KEPT bytes of a body, and whether it went on."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.cut = False

    def add(self, chunk: bytes) -> None:
        room = BODY_KEPT - self.size
        if len(chunk) > room:
            self.cut = True
            chunk = chunk[:room]
        if chunk:
            self.chunks.append(chunk)
            self.size += len(chunk)

    def text(self) -> str:
        text = b"".join(self.chunks).decode("utf-8", "replace")
        return text + " [cut]" if self.cut else text  # the mark the console shows


def shown_headers(headers: Any) -> dict[str, str]:
    """Headers as the journal shows them: names in lower case, credentials as ***."""
    shown: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        if name in SECRET_HEADERS:
            scheme, space, _ = value.partition(" ")
            value = f"{scheme} {REDACTED}" if space else REDACTED
        if name in shown:
            value = f"{shown[name]}, {value}"
        shown[name] = value
    return shown


def error_code(body: str) -> int | None:
    """The `code` of an answer in Zadig's envelope, else None."""
    if not body.startswith("{") or '"code"' not in body:
        return None
    try:
        code = orjson.loads(body).get("code")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def quiet(scope: Scope) -> bool:
    """A refresh of the mock console: not journaled."""
    return scope["method"] == "GET" and any(name == QUIET_HEADER for name, _ in scope["headers"])


def iso_now() -> str:
    now = time.time()
    second = int(now)
    if second != _SECOND[0]:  # formatted once a second, not once a request
        _SECOND[:] = [second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))]
    return f"{_SECOND[1]}.{int(now % 1 * 1000):03d}Z"


_SECOND: list = [None, ""]  # the latest second iso_now formatted, and its text
