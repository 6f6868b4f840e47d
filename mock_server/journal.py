"""The request journal (GET /_mock/requests) and the log line per request."""

from __future__ import annotations

import logging
import time
from collections import deque
from urllib.parse import quote, unquote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("zadig_mock")

# What the log line leaves as it is; anything else (a decoded %0A, %00, non-ASCII) is
# percent-encoded again so that one request stays one line.
LOG_SAFE = "/!$&'()*+,;=:@-._~?"


class Journal:
    """Remembers the latest requests (for GET /_mock/requests) and logs one line per request."""

    def __init__(self, app: ASGIApp, *, entries: deque) -> None:
        self.app = app
        self.entries = entries

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        # Shared with Forcing through shallow copies of the scope: the routed operation.
        scope["zadig_mock"] = note = {}

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            self._note(scope, status, (time.perf_counter() - started) * 1000, note)

    def _note(self, scope: Scope, status: int, ms: float, note: dict) -> None:
        query = redacted(scope.get("query_string", b"").decode("latin-1"))
        missing = note.get("missing", [])
        self.entries.append(
            {
                "time": iso_now(),
                "method": scope["method"],
                "path": scope["path"],
                "query": query,
                "status": status,
                "operation": note.get("operation"),
                "duration_ms": round(ms, 2),
                "missing_required": missing,
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
    return "&".join(
        f"{name}={REDACTED}" if unquote_plus(name) == "token" else pair
        for pair in query.split("&")
        for name, _, _ in [pair.partition("=")]
    )


REDACTED = "***"


def iso_now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
