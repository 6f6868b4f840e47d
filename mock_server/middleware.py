"""ASGI middlewares around connexion's stack: request journal and log, auth like Zadig's gateway,
forced answers (Prefer header and the admin queue), and the request body guard."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.errors import Catalogue
from mock_server.overrides import Overrides

log = logging.getLogger("zadig_mock")


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
        query = scope.get("query_string", b"").decode("latin-1")
        self.entries.append({
            "time": iso_now(),
            "method": scope["method"],
            "path": scope["path"],
            "query": query,
            "status": status,
            "operation": note.get("operation"),
            "duration_ms": round(ms, 2),
        })
        log.info("%s %s%s %d %.1fms", scope["method"], scope["path"],
                 f"?{query}" if query else "", status, ms)


def iso_now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


class Auth:
    """Zadig's gateway in front of the API paths: a known bearer token (header or ?token=),
    and a token bound to projects only within them (named by ?projectName=)."""

    def __init__(
        self, app: ASGIApp, *, tokens: dict[str, frozenset[str] | None], catalogue: Catalogue,
        prefix: str = "/api/",
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.errors = catalogue
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.tokens and scope["type"] == "http" and scope["path"].startswith(self.prefix):
            self.check(scope)
        await self.app(scope, receive, send)

    def check(self, scope: Scope) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = bearer(scope) or (query.get("token") or [None])[0]
        if token not in self.tokens:
            raise self.errors.error(401, "no_token")
        projects = self.tokens[token]
        project = (query.get("projectName") or [""])[0]
        if projects is not None and project not in projects:
            raise self.errors.error(403, "no_permission", project=project or "(none)")


def bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if kind.lower() == "bearer" else None
    return None


class Forcing:
    """Answers a spec operation as asked: `Prefer: code=6164, example=task_passed, delay=300`
    on the request, or the next entry queued with POST /_mock/next; plus the global latency."""

    def __init__(
        self, app: ASGIApp, *, overrides: Overrides, operations: frozenset[str],
        latency_ms: float = 0,
    ) -> None:
        self.app = app
        self.overrides = overrides
        self.operations = operations
        self.latency = latency_ms / 1000

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        operation = routing.get("operation_id")
        if "zadig_mock" in scope:
            scope["zadig_mock"]["operation"] = operation
        if operation not in self.operations:
            await self.app(scope, receive, send)
            return
        forced = self.overrides.take(operation, prefer(scope))
        delay = self.latency + (forced.delay_ms / 1000 if forced else 0)
        if delay > 0:
            await asyncio.sleep(delay)
        if forced and forced.code is not None:
            raise self.overrides.error(forced)
        await self.app(scope, receive, send)


def prefer(scope: Scope) -> dict[str, str]:
    """The `Prefer` header's preferences (RFC 7240), e.g. {"code": "6164", "delay": "300"}."""
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        if name == b"prefer":
            for item in value.decode("latin-1").replace(";", ",").split(","):
                key, _, val = item.strip().partition("=")
                if key:
                    found[key.strip().lower()] = val.strip().strip('"')
    return found


class BodyGuard:
    """Reads a request body once, refusing one above `limit` bytes or not UTF-8 in the envelope
    (connexion would answer 500 on invalid UTF-8), then hands it on unchanged."""

    def __init__(self, app: ASGIApp, *, catalogue: Catalogue, limit: int) -> None:
        self.app = app
        self.errors = catalogue
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        body = await self.read(scope, receive)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.errors.error(400, "bad_body", error=f"invalid UTF-8 in body: {exc}") from exc
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def read(self, scope: Scope, receive: Receive) -> bytes:
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                raise self.too_large()
        chunks: list[bytes] = []
        size = 0
        while True:
            message: dict[str, Any] = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                raise self.too_large()
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    def too_large(self) -> Exception:
        return self.errors.error(400, "too_large", limit=self.limit)
