"""Auth like Zadig's gateway in front of the API paths."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from api_contract.catalogue import Catalogue

INVALID = "invalid"  # out of the box, a token containing this is refused


class Auth:
    """A bearer token (header or ?token=) on every API request, as the gateway wants one.

    `tokens` pins the accepted tokens (a token bound to projects passes only within them, named
    by ?projectName=). With none pinned, the mock cannot tell a real token, so any non-empty
    token passes except one that says it is invalid (contains "invalid", any case): the value
    test tools probe with (schemathesis sends `SCHEMATHESIS-INVALID-VALUE`, the gate
    `zadig-contract-invalid-token`), and a frontend's way to see its 401 screen.
    `enabled=False` (--no-auth) lets every request through."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        tokens: dict[str, frozenset[str] | None],
        catalogue: Catalogue,
        enabled: bool = True,
        prefix: str = "/api/",
        operations: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.errors = catalogue
        self.enabled = enabled
        self.prefix = prefix
        self.operations = operations  # the API's operationIds, wherever their paths are

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.enabled and scope["type"] == "http" and self.guarded(scope):
            self.check(scope)
        await self.app(scope, receive, send)

    def guarded(self, scope: Scope) -> bool:
        """An API request: under the gateway's prefix, or routed to one of the API's operations
        (a spec whose paths are elsewhere, e.g. /openapi/...)."""
        if scope["path"].startswith(self.prefix):
            return True
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        return routing.get("operation_id") in self.operations

    def check(self, scope: Scope) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = bearer(scope) or (query.get("token") or [None])[0]
        if not token or (token not in self.tokens if self.tokens else INVALID in token.lower()):
            raise self.errors.error(401, "no_token")
        projects = self.tokens.get(token)
        project = (query.get("projectName") or [""])[0]
        if projects is not None and project not in projects:
            raise self.errors.error(403, "no_permission", project=project or "(none)")


def bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if kind.lower() == "bearer" else None
    return None
