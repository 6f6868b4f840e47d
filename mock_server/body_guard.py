"""The request body guard: size limit and UTF-8, in Zadig's envelope, for operations that take a
body (connexion would answer 500 on invalid UTF-8)."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_contract.catalogue import Catalogue


class BodyGuard:
    """Reads the body of a routed operation that declares a requestBody once, refusing one above
    `limit` bytes or not UTF-8, then hands it on unchanged. Other requests pass untouched: aslan
    never reads the body of an operation that takes none."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        catalogue: Catalogue,
        limit: int,
        with_body: frozenset[str],
    ) -> None:
        self.app = app
        self.errors = catalogue
        self.limit = limit
        self.with_body = with_body  # operationIds that declare a requestBody

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        if routing.get("operation_id") not in self.with_body:
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
