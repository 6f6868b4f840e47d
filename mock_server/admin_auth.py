"""--admin-token: the admin API of a shared mock wants the admin's bearer token."""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from api_contract.catalogue import Catalogue
from mock_server.auth import bearer

# Left open: the health probe (load balancers) and the admin API's own docs, which change nothing.
OPEN = ("/health", "/ui", "/openapi.json", "/openapi.yaml")


class AdminAuth:
    """401 in the envelope for an admin request without `Authorization: Bearer <token>`."""

    def __init__(self, app: ASGIApp, *, token: str, catalogue: Catalogue, prefix: str) -> None:
        self.app = app
        self.token = token.encode()  # as sent: header bytes, which bearer() read as latin-1
        self.errors = catalogue
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.guarded(scope["path"]):
            given = (bearer(scope) or "").encode("latin-1")
            if not hmac.compare_digest(given, self.token):  # no timing hint of the token
                raise self.errors.error(401, description="admin API: token is missing or invalid")
        await self.app(scope, receive, send)

    def guarded(self, path: str) -> bool:
        if not (path == self.prefix or path.startswith(self.prefix + "/")):
            return False
        return not path[len(self.prefix) :].startswith(OPEN)
