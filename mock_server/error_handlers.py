"""Every error in Zadig's envelope: connexion's problems, starlette's 404/405, anything
unexpected, and ids that connexion's router does not match.

The handlers are coroutines: connexion runs a plain-function error handler in a worker thread."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from mock_server.errors import Catalogue, ZadigError


def response(error: ZadigError, headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=error.status, body=error.render(), content_type="application/json",
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
    catalogue: Catalogue, bad_ids: BadIdFallback, request: ConnexionRequest, exc: HTTPException
) -> ConnexionResponse:
    method, path = request.method, request.url.path
    if exc.status_code == 404:
        answer = await bad_ids.answer(request)
        if answer is not None:
            return answer
        return response(catalogue.error(404, "no_route", method=method, path=path))
    if exc.status_code == 405:
        # starlette's 405 carries the Allow header (RFC 9110); keep it.
        return response(catalogue.error(405, "wrong_method", method=method, path=path),
                        exc.headers)
    code = exc.status_code if exc.status_code in catalogue else 400
    return response(catalogue.error(code, description=str(exc.detail)))


async def unexpected_to_envelope(
    catalogue: Catalogue, _request: ConnexionRequest, exc: Exception
) -> ConnexionResponse:
    if isinstance(exc, UnicodeDecodeError):
        return response(catalogue.error(400, "bad_body", error=f"invalid UTF-8: {exc}"))
    if isinstance(exc, RecursionError):  # json.loads on a body nested thousands deep
        return response(catalogue.error(400, "bad_body", error="JSON nested too deeply"))
    return response(catalogue.error(500, description=f"{type(exc).__name__}: {exc}"))


INT_SEGMENT = re.compile(r"[+-]?[0-9]+")


class BadIdFallback:
    """Routes that connexion did not match because an integer path parameter is not what its
    router accepts: aslan parses the id with ParseInt, so a non-integer is 400 `invalid task id`
    and a negative id (which connexion's router refuses) is an ordinary lookup."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.routes: list[tuple] = []

    def add(self, spec: dict[str, Any], base: str, resolve: Callable[[str], Callable]) -> None:
        """Routes of `spec` under `base`; `resolve` gives an operationId's handler."""
        for template, item in spec["paths"].items():
            for method, op in item.items():
                params = [p for p in op.get("parameters", []) if p.get("in") == "path"]
                ints = {p["name"] for p in params if p["schema"].get("type") == "integer"}
                if ints:
                    names = re.findall(r"{(\w+)}", template)
                    parts = re.split(r"{\w+}", base + template)
                    pattern = re.compile("([^/]+)".join(map(re.escape, parts)))
                    # An operation with a body cannot be called from the path alone.
                    fn = None if "requestBody" in op else resolve(op["operationId"])
                    self.routes.append((method.upper(), pattern, names, ints, fn))

    async def answer(self, request: ConnexionRequest) -> ConnexionResponse | None:
        for method, pattern, names, ints, fn in self.routes:
            match = pattern.fullmatch(request.url.path)
            if method != request.method or not match:
                continue
            # The path is already percent-decoded.
            args = dict(zip(names, match.groups(), strict=True))
            if not all(INT_SEGMENT.fullmatch(args[n]) for n in ints):
                return response(self.catalogue.error(400, "bad_task_id"))
            if fn is None:
                return None
            args.update({n: int(args[n]) for n in ints})
            try:
                body, status = await fn(**args)
            except ZadigError as exc:
                return response(exc)
            return ConnexionResponse(status_code=status, body=json.dumps(body),
                                     content_type="application/json")
        return None
