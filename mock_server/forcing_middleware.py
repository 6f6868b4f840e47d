"""Answering a spec operation as asked: the `Prefer` header or the admin queue (forced_answers.py),
plus the global latency."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.forced_answers import Forced, Overrides

FORCED = "zadig_mock.forced"  # scope key: the Forced error SpecOperations answers
PREFERRED = "zadig_mock.example"  # scope key: the success example `Prefer: example=` names


class Forcing:
    """Waits the latency and any forced delay, then leaves a forced error on the scope: it is
    answered once the request is validated and parsed, so that its description can name the
    request's own workflow, id, project and env."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        overrides: Overrides,
        operations: frozenset[str],
        latency_ms: float = 0,
        page_operations: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.overrides = overrides
        self.operations = operations
        # Answered as their pages document: `Prefer: example=NAME` alone picks a success example.
        self.page_operations = page_operations
        self.latency = latency_ms / 1000

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        operation = routing.get("operation_id")
        if "zadig_mock" in scope:
            scope["zadig_mock"]["operation"] = operation
        if operation not in self.operations:
            await self.app(scope, receive, send)
            return
        preferences = prefer(scope)
        if operation in self.page_operations and "code" not in preferences:
            example = preferences.pop("example", None)
            if example is not None:
                scope[PREFERRED] = example
        forced = await self.overrides.take(operation, preferences)
        if forced is not None and "zadig_mock" in scope:
            # The journal shows it consumed (`times` is what is left of it: not said there).
            used = forced.as_dict()
            del used["times"]
            scope["zadig_mock"]["forced"] = used
        delay = self.latency + (forced.delay_ms / 1000 if forced else 0)
        if delay > 0:
            await asyncio.sleep(delay)
        if forced and forced.code is not None:
            scope[FORCED] = forced
        elif forced and forced.example is not None:
            scope[PREFERRED] = forced.example  # a queued success example of the page
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


def forced_error(
    overrides: Overrides,
    forced: Forced,
    scope: Scope,
    call: dict[str, Any],
    settings: dict[str, Any] | None = None,
):
    """The forced error for a call (`call`: the handler's keyword arguments; `settings`: the
    mock's own values that descriptions name, such as the body size limit)."""
    return overrides.error(forced, {**(settings or {}), **placeholders(scope, call)})


def placeholders(scope: Scope, call: dict[str, Any]) -> dict[str, Any]:
    """Values for the catalogue's description templates, taken where the real error takes them:
    the route, the gateway's ?projectName=, create's body, the path's workflow and id."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values: dict[str, Any] = {
        "method": scope["method"],
        "path": scope["path"],
        "project": (query.get("projectName") or ["(none)"])[0],
        "error": "forced answer",
    }
    body = call.get("body")
    if isinstance(body, dict):
        named = {
            "pipeline": body.get("workflow_name"),
            "project": body.get("product_tmpl_name"),
            "env": body.get("namespace"),
        }
        values.update({key: value for key, value in named.items() if value is not None})
    values.update({key: value for key, value in call.items() if key != "body"})
    return values
