"""The ASGI app: connexion serves the spec and the admin API; every error in Zadig's envelope."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.resolver import Resolver
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.exceptions import HTTPException

from mock_server.admin import AdminHandlers
from mock_server.admin_auth import AdminAuth
from mock_server.auth import Auth
from mock_server.body_guard import BodyGuard
from mock_server.domain import STATUSES, Clock, WorkflowTasks
from mock_server.error_handlers import (
    BadIds,
    http_to_envelope,
    problem_to_envelope,
    render,
    unavailable_to_envelope,
    unexpected_to_envelope,
)
from mock_server.errors import Catalogue, ZadigError
from mock_server.forced_answers import Overrides
from mock_server.forcing_middleware import Forcing
from mock_server.handlers import (
    SpecOperations,
    WorkflowTaskHandlers,
    operations,
    target_fields,
)
from mock_server.journal import Journal
from mock_server.jsonifier import orjson_jsonifier
from mock_server.required import page_fields
from mock_server.seed import build_world, default_seed
from mock_server.spec import spec_operations
from mock_server.state import MockState
from mock_server.store import StateUnavailable, open_store, seed_fingerprint
from mock_server.swagger_ui import SwaggerUI
from mock_server.validators import validator_map
from openapi import SPEC_PATH
from serving.origins import OriginRules, Origins

# starlette mounts each API on "/{path:path}", whose regex `.*` stops at a newline: a path
# parameter holding %0A would miss every route (404), where aslan's router matches it. The
# same convertor with `.` matching newlines too.
register_url_convertor("path", type("AnyPathConvertor", (PathConvertor,), {"regex": "(?s:.*)"})())

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
    auth: bool = True,
    strict: bool = False,
    latency_ms: float = 0,
    task_duration: float | None = None,
    clock: Clock = time.time,
    cors: bool = True,
    body_limit: int = BODY_LIMIT,
    admin_token: str | None = None,
    hosts: frozenset[str] | None = None,
    origins: frozenset[str] = frozenset(),
) -> AsyncApp:
    """The mock as an ASGI app; its state is `app.mock` (a MockState).

    `state_file`: a SQLite file, or a redis:// (rediss://, unix://) URL, that several processes
    share; `admin_token`: the bearer token the admin API wants (none: open).
    `hosts`: the Host names taken besides local ones (None: any); `origins`: the web pages
    allowed to change state through the admin API besides the mock's own
    (serving.origins).
    `auth`: the API wants a bearer token (any, unless `tokens` or the seed list some).
    `strict`: a create body lacking a field the page requires is refused with 400, instead of
    taking the field's zero value as aslan does."""
    spec, admin = load_yaml(SPEC_PATH), admin_spec()
    seed = default_seed(spec) if seed is None else seed
    forced_schema = admin["components"]["schemas"]["Forced"]
    mock = build_state(
        spec,
        seed,
        state_file,
        tokens,
        auth,
        task_duration,
        clock,
        max_delay_ms=forced_schema["properties"]["delay_ms"]["maximum"],
    )
    catalogue = mock.catalogue
    task_handlers = WorkflowTaskHandlers(mock.tasks, target_fields(spec))
    with_body = frozenset(
        op["operationId"]
        for api in (spec, admin)
        for _, _, op, _ in spec_operations(api)
        if "requestBody" in op
    )
    middlewares = [
        ServerErrorMiddleware,
        partial(Origins, rules=OriginRules(ADMIN_BASE, hosts, origins, cors)),
        partial(Journal, entries=mock.store.journal),
        ExceptionMiddleware,
        SwaggerUI,
        *(
            [partial(AdminAuth, token=admin_token, catalogue=catalogue, prefix=ADMIN_BASE)]
            if admin_token
            else []
        ),
        RoutingMiddleware,
        # Auth is the gateway's, done here rather than by connexion's SecurityMiddleware
        # (left out): the spec's bearerAuth names no x-bearerInfoFunc and 403 needs projectName.
        partial(
            Auth, tokens=mock.tasks.world.tokens, catalogue=catalogue, enabled=mock.tasks.world.auth
        ),
        partial(
            Forcing, overrides=mock.overrides, operations=mock.operations, latency_ms=latency_ms
        ),
        partial(BodyGuard, catalogue=catalogue, limit=body_limit, with_body=with_body),
        RequestValidationMiddleware,
        LifespanMiddleware,
        ContextMiddleware,
        # The spec's operations are answered here, routed and validated; the admin API goes
        # on to AsyncApp's handlers.
        partial(
            SpecOperations,
            operations=operations(spec, partial(handler_for, task_handlers)),
            overrides=mock.overrides,
            settings={"limit": body_limit},
        ),
    ]
    app = AsyncApp(
        __name__,
        middlewares=middlewares,
        validator_map=validator_map(),
        jsonifier=orjson_jsonifier(),
    )
    page_required = {op["operationId"]: page_fields(op) for _, _, op, _ in spec_operations(spec)}
    bad_ids = BadIds()
    for api_spec, base, handlers, validators in (
        (spec, "", task_handlers, validator_map(strict=strict, page_fields=page_required)),
        (admin, ADMIN_BASE, AdminHandlers(mock, defaults(forced_schema)), validator_map()),
    ):
        app.add_api(
            api_spec,
            base_path=base or None,
            resolver=method_resolver(handlers),
            validator_map=validators,
        )
        bad_ids.add(api_spec, base)
    app.add_error_handler(ZadigError, render)
    app.add_error_handler(StateUnavailable, partial(unavailable_to_envelope, catalogue))
    app.add_error_handler(ProblemException, partial(problem_to_envelope, catalogue))
    app.add_error_handler(HTTPException, partial(http_to_envelope, catalogue, bad_ids))
    app.add_error_handler(Exception, partial(unexpected_to_envelope, catalogue))
    app.mock = mock
    return app


def build_state(
    spec: dict[str, Any],
    seed: dict[str, Any],
    state_file: str | Path | None,
    tokens: tuple[str, ...],
    auth: bool,
    task_duration: float | None,
    clock: Clock,
    *,
    max_delay_ms: float,
) -> MockState:
    world = build_world(seed, clock())
    world.tokens.update({token: None for token in tokens})  # --token: any project
    world.auth = auth
    if task_duration is not None:
        world.task_duration = task_duration
    store = open_store(state_file)
    store.attach(world, seed_fingerprint(seed))
    catalogue = mock_catalogue(spec)
    operation_ids = frozenset(op["operationId"] for _, _, op, _ in spec_operations(spec))
    tasks = WorkflowTasks(world, store, catalogue, clock)
    overrides = Overrides(catalogue, max_delay_ms, store)
    return MockState(seed, tasks, catalogue, operation_ids, overrides)


def mock_catalogue(spec: dict[str, Any]) -> Catalogue:
    """Zadig's catalogue (the spec's) and the mock's own answers (admin.yaml's, e.g. 503)."""
    own = load_yaml(ADMIN_SPEC_PATH)["components"]["x-mock-error-catalogue"]
    return Catalogue({**own, **spec["components"]["x-zadig-error-catalogue"]})


def defaults(schema: dict[str, Any]) -> dict[str, Any]:
    """The defaults a schema's properties declare."""
    return {name: p["default"] for name, p in schema["properties"].items() if "default" in p}


def admin_spec() -> dict[str, Any]:
    spec = load_yaml(ADMIN_SPEC_PATH)
    body = spec["paths"]["/tasks/{pipeline}/{id}"]["patch"]["requestBody"]
    body["content"]["application/json"]["schema"]["properties"]["status"]["enum"] = list(STATUSES)
    return spec


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def handler_for(handlers: object, operation_id: str) -> Callable:
    """operationId createWorkflowTask -> handlers.create_workflow_task."""
    return getattr(handlers, snake_case(operation_id))


def method_resolver(handlers: object) -> Resolver:
    return Resolver(function_resolver=partial(handler_for, handlers))
