"""Every error in Zadig's envelope: connexion's problems, starlette's 404/405, anything
unexpected, and ids that connexion's router does not match.

The handlers are coroutines: connexion runs a plain-function error handler in a worker thread."""

from __future__ import annotations

import logging
import re

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from api_contract.catalogue import Catalogue, ZadigError
from api_contract.routes import template_pattern
from api_contract.spec import Contract

log = logging.getLogger("zadig_mock")


def response(error: ZadigError, headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=error.status,
        body=error.render(),
        content_type="application/json",
        headers=headers or {},
    )


async def render(_request: ConnexionRequest, exc: ZadigError) -> ConnexionResponse:
    return response(exc)


async def problem_to_envelope(
    catalogue: Catalogue, _request: ConnexionRequest, exc: ProblemException
) -> ConnexionResponse:
    # Validation (400), wrong content type (415): Zadig answers bad input with 400, code 400.
    code = exc.status if exc.status in (401, 403) else 400
    detail = str(exc.detail or exc.title or "")
    return response(catalogue.error(code, "bad_body", error=detail, description=detail))


async def http_to_envelope(
    catalogue: Catalogue, bad_ids: BadIds, request: ConnexionRequest, exc: HTTPException
) -> ConnexionResponse:
    method, path = request.method, request.url.path
    if exc.status_code == 404:
        if bad_ids.matches(method, path):
            return response(catalogue.error(400, "bad_task_id"))
        return response(catalogue.error(404, "no_route", method=method, path=path))
    if exc.status_code == 405:
        # starlette's 405 carries the Allow header (RFC 9110); keep it.
        return response(catalogue.error(405, "wrong_method", method=method, path=path), exc.headers)
    code = exc.status_code if exc.status_code in catalogue else 400
    return response(catalogue.error(code, description=str(exc.detail)))


async def unexpected_to_envelope(
    catalogue: Catalogue, request: ConnexionRequest, exc: Exception
) -> ConnexionResponse:
    # The traceback goes to the log (stderr), never to the client.
    log.error("unexpected error answering %s %r", request.method, request.url.path, exc_info=exc)
    return response(catalogue.error(500, description=f"{type(exc).__name__}: {exc}"))


async def unavailable_to_envelope(
    catalogue: Catalogue, request: ConnexionRequest, exc: Exception
) -> ConnexionResponse:
    # The shared state is down: a 503 the client may retry; the process goes on serving.
    log.warning("%s %s: 503, %s", request.method, request.url.path, exc)
    return response(catalogue.error(503, "state_unavailable", error=str(exc)), {"Retry-After": "1"})


INT_SEGMENT = re.compile(r"[+-]?[0-9]+")


class BadIds:
    """Routes that connexion's router did not match because an integer path parameter is not an
    integer ([+-]?[0-9]+, as its IntegerConverter and aslan's ParseInt accept): aslan answers
    those 400 `invalid task id`, not 404."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern, frozenset[str]]] = []

    def add(self, contract: Contract, base: str) -> None:
        """The routes of `contract` under `base` that have integer path parameters."""
        for op in contract.operations.values():
            if op.integer_path_params:
                pattern = template_pattern(base + op.path)
                self.routes.append((op.method.upper(), pattern, op.integer_path_params))

    def matches(self, method: str, path: str) -> bool:
        """`path` (percent-decoded) is such a route with a non-integer where an integer goes."""
        for route_method, pattern, ints in self.routes:
            match = pattern.fullmatch(path)
            if route_method == method and match:
                args = match.groupdict()
                if not all(INT_SEGMENT.fullmatch(args[n]) for n in ints):
                    return True
        return False
