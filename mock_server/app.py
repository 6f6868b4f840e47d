"""The ASGI app: connexion serves the spec and the admin API; every error in Zadig's envelope."""

from __future__ import annotations

import json
import re
import time
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml
from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from mock_server.admin import AdminHandlers
from mock_server.domain import STATUSES, Clock, WorkflowTasks
from mock_server.errors import Catalogue, ZadigError
from mock_server.handlers import WorkflowTaskHandlers
from mock_server.middleware import Auth, BodyGuard, Forcing, Journal
from mock_server.overrides import Overrides
from mock_server.seed import DEFAULT_SEED, build_world
from mock_server.state import MockState
from mock_server.store import MemoryStore, SqliteStore
from openapi import SPEC_PATH

ADMIN_SPEC_PATH = Path(__file__).with_name("admin.yaml")
ADMIN_BASE = "/_mock"
BODY_LIMIT = 1024 * 1024


def load_yaml(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def create_app(
    seed: dict[str, Any] | None = None,
    *,
    state_file: str | Path | None = None,
    tokens: tuple[str, ...] = (),
    latency_ms: float = 0,
    task_duration: float | None = None,
    clock: Clock = time.time,
    cors: bool = True,
    body_limit: int = BODY_LIMIT,
) -> AsyncApp:
    """The mock as an ASGI app; its state is `app.mock` (a MockState)."""
    spec = load_yaml(SPEC_PATH)
    mock = build_state(spec, seed or DEFAULT_SEED, state_file, tokens, task_duration, clock)
    catalogue = mock.catalogue
    middlewares = [
        ServerErrorMiddleware,
        *([partial(CORSMiddleware, allow_origins=["*"], allow_methods=["*"],
                   allow_headers=["*"], max_age=600)] if cors else []),
        partial(Journal, entries=mock.journal),
        ExceptionMiddleware,
        SwaggerUIMiddleware,
        RoutingMiddleware,
        # Auth is the gateway's, done here rather than by connexion's SecurityMiddleware
        # (left out): the spec's bearerAuth names no x-bearerInfoFunc and 403 needs projectName.
        partial(Auth, tokens=mock.tasks.world.tokens, catalogue=catalogue),
        partial(Forcing, overrides=mock.overrides, operations=mock.operations,
                latency_ms=latency_ms),
        partial(BodyGuard, catalogue=catalogue, limit=body_limit),
        RequestValidationMiddleware,
        LifespanMiddleware,
        ContextMiddleware,
    ]
    app = AsyncApp(__name__, middlewares=middlewares)
    bad_ids = BadIdFallback(catalogue)
    for api_spec, base, handlers in (
        (spec, "", WorkflowTaskHandlers(mock.tasks)),
        (admin_spec(), ADMIN_BASE, AdminHandlers(mock)),
    ):
        app.add_api(api_spec, base_path=base or None, resolver=method_resolver(handlers))
        bad_ids.add(api_spec, base, handlers)
    app.add_error_handler(ZadigError, render)
    app.add_error_handler(ProblemException, partial(problem_to_envelope, catalogue))
    app.add_error_handler(HTTPException, partial(http_to_envelope, catalogue, bad_ids))
    app.add_error_handler(Exception, partial(unexpected_to_envelope, catalogue))
    app.mock = mock
    return app


def build_state(
    spec: dict[str, Any], seed: dict[str, Any], state_file: str | Path | None,
    tokens: tuple[str, ...], task_duration: float | None, clock: Clock,
) -> MockState:
    world = build_world(seed, clock())
    world.tokens.update({token: None for token in tokens})  # --token: any project
    if task_duration is not None:
        world.task_duration = task_duration
    store = SqliteStore(state_file) if state_file else MemoryStore()
    store.load(world)
    catalogue = Catalogue.from_spec(spec)
    operations = frozenset(
        op["operationId"] for item in spec["paths"].values()
        for op in item.values() if isinstance(op, dict) and "operationId" in op
    )
    tasks = WorkflowTasks(world, store, catalogue, clock)
    return MockState(seed, tasks, catalogue, operations, Overrides(catalogue))


def admin_spec() -> dict[str, Any]:
    spec = load_yaml(ADMIN_SPEC_PATH)
    body = spec["paths"]["/tasks/{pipeline}/{id}"]["patch"]["requestBody"]
    body["content"]["application/json"]["schema"]["properties"]["status"]["enum"] = list(STATUSES)
    return spec


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def method_resolver(handlers: object) -> Resolver:
    """operationId createWorkflowTask -> handlers.create_workflow_task."""
    return Resolver(function_resolver=lambda op_id: getattr(handlers, snake_case(op_id)))


def response(error: ZadigError, headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=error.status, body=error.render(), content_type="application/json",
        headers=headers or {},
    )


def render(_request: ConnexionRequest, exc: ZadigError) -> ConnexionResponse:
    return response(exc)


def problem_to_envelope(
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


def unexpected_to_envelope(
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

    def add(self, spec: dict[str, Any], base: str, handlers: object) -> None:
        for template, item in spec["paths"].items():
            for method, op in item.items():
                params = [p for p in op.get("parameters", []) if p.get("in") == "path"]
                ints = {p["name"] for p in params if p["schema"].get("type") == "integer"}
                if ints:
                    names = re.findall(r"{(\w+)}", template)
                    parts = re.split(r"{\w+}", base + template)
                    pattern = re.compile("([^/]+)".join(map(re.escape, parts)))
                    # An operation with a body cannot be called from the path alone.
                    fn = None if "requestBody" in op else getattr(
                        handlers, snake_case(op["operationId"]))
                    self.routes.append((method.upper(), pattern, names, ints, fn))

    async def answer(self, request: ConnexionRequest) -> ConnexionResponse | None:
        for method, pattern, names, ints, fn in self.routes:
            match = pattern.fullmatch(request.url.path)
            if method != request.method or not match:
                continue
            args = {n: unquote(v) for n, v in zip(names, match.groups(), strict=True)}
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
