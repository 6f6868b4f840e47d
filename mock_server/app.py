"""The ASGI app: connexion serves the spec and the admin API; every error in Zadig's envelope."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.mock import MockResolver
from connexion.resolver import Resolver
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.exceptions import HTTPException

from api_contract.catalogue import Catalogue, ZadigError
from api_contract.operations import PAGE_SAMPLE
from api_contract.routes import routes
from api_contract.rule_sets import attached, rule_set
from api_contract.spec import Contract, load_contract, load_spec, read_contract
from mock_server.admin import AdminHandlers
from mock_server.admin_auth import AdminAuth
from mock_server.auth import Auth
from mock_server.body_guard import BodyGuard
from mock_server.console import Console
from mock_server.custom_api import CustomWorkflowAPI, today_routes
from mock_server.custom_api import documented_answers as today_answers
from mock_server.custom_workflow import STATUSES as CUSTOM_STATUSES
from mock_server.custom_workflow import CustomWorkflowTasks
from mock_server.domain import STATUSES, WorkflowTasks
from mock_server.error_handlers import (
    BadIds,
    http_to_envelope,
    problem_to_envelope,
    render,
    unavailable_to_envelope,
    unexpected_to_envelope,
)
from mock_server.forced_answers import Documented, Overrides, documented_answers
from mock_server.forcing_middleware import Forcing
from mock_server.handlers import (
    CREATE,
    Role,
    SpecOperations,
    WorkflowTaskHandlers,
    operations,
    path_names,
    target_fields,
)
from mock_server.journal import Journal
from mock_server.jsonifier import orjson_jsonifier
from mock_server.memory_store import MemoryStore
from mock_server.options import MockOptions
from mock_server.page_answers import PageAnswers
from mock_server.seed import build_custom_world, build_world, default_custom_seed, default_seed
from mock_server.sqlite_store import SqliteStore
from mock_server.state import MockState
from mock_server.store import StateStore, StateUnavailable, seed_fingerprint
from mock_server.swagger_ui import SwaggerUI
from mock_server.validators import validator_map
from openapi import CUSTOM_SPEC_PATH, SPEC_PATH
from serving.origins import OriginRules, Origins

# starlette mounts each API on "/{path:path}", whose regex `.*` stops at a newline: a path
# parameter holding %0A would miss every route (404), where aslan's router matches it. The
# same convertor with `.` matching newlines too.
register_url_convertor("path", type("AnyPathConvertor", (PathConvertor,), {"regex": "(?s:.*)"})())

ADMIN_SPEC_PATH = Path(__file__).with_name("admin.yaml")
ADMIN_BASE = "/_mock"
REDIS_URL = re.compile(r"(rediss?|unix)://", re.IGNORECASE)
TODAY = "custom-workflow"  # the rule set of today's workflow-task OpenAPI
GATEWAY_CODES = (401, 403)
CUSTOM_CREATE = "createCustomWorkflowTask"
CUSTOM_APPROVE = "approveCustomWorkflowTask"
# The mock's own answers (e.g. 503 while the shared state is away), beside Zadig's catalogue.
ADMIN_CATALOGUE_KEY = "x-mock-error-catalogue"


def create_app(options: MockOptions | None = None) -> AsyncApp:
    """The mock as an ASGI app, served as `options` say (None: the defaults); its state is
    `app.mock` (a MockState)."""
    options = MockOptions() if options is None else options
    reference = load_contract(SPEC_PATH)
    contract = reference if options.spec is None else read_contract(options.spec, "--spec")
    admin = read_contract(admin_spec(), ADMIN_SPEC_PATH.name, ADMIN_CATALOGUE_KEY)
    custom_reference = load_contract(CUSTOM_SPEC_PATH)
    # The rule sets held by hand (v1.7.1's workflow tasks, today's custom workflow tasks),
    # wherever the spec has their operations (by method and path, whatever their names).
    today_rules = rule_set(TODAY, custom_reference)
    found = attached(contract, [rule_set("workflow", reference), today_rules])
    tasks_api = found.get("workflow", {})
    # Today's OpenAPI: the served spec's operations where it has them, else the committed
    # spec's, served beside the page's API.
    custom = contract if TODAY in found else custom_reference
    today = found.get(TODAY) or attached(custom, [today_rules])[TODAY]
    create = tasks_api.get(CREATE)
    if options.seed is None:
        example = create and create.request_examples.get(PAGE_SAMPLE, create.request_example)
        seed = default_seed(example) if example else {}
        world = default_custom_seed(
            today[CUSTOM_CREATE].request_example or {},
            today[CUSTOM_APPROVE].request_example or {},
        )
        options = replace(options, seed={**seed, "custom_workflows": world["custom_workflows"]})
    forced_schema = admin.raw["components"]["schemas"]["Forced"]
    max_delay_ms = forced_schema["properties"]["delay_ms"]["maximum"]
    # Aslan's answers to today's OpenAPI: the served spec's catalogue, the committed one's
    # codes where a page without its overlay lacks them.
    custom_catalogue = custom.catalogue.merged(custom_reference.catalogue)
    # The gateway's refusals, shared by every API, can be forced too (answered empty).
    custom_catalogue = custom_catalogue.merged(reference.catalogue.only(GATEWAY_CODES))
    today_ids = {op.operation_id: custom_catalogue for op in today.values()}
    # The operations no rule set plays are answered as their pages document them.
    played = {op.operation_id for op in tasks_api.values()} | set(today_ids)
    documented = {
        op.operation_id: Documented.of(op)
        for op in contract.operations.values()
        if op.operation_id not in played
    }
    mock = build_state(contract, admin, options, max_delay_ms, today_ids, documented)
    catalogue = mock.catalogue
    custom_world = build_custom_world(options.seed or {}, mock.tasks.world.task_duration)
    mock.custom = CustomWorkflowTasks(custom_world, mock.store, custom_catalogue, options.clock)
    served_today = today_routes(today, custom_reference)
    answers = [
        entry
        for entry in documented_answers(contract, documented)
        if entry["operation"] not in today_ids
    ] + [
        {
            "operation": route.operation.operation_id,
            "method": route.operation.method.upper(),
            "path": route.operation.path,
            "summary": route.operation.section,
            "answers": today_answers(route, custom_catalogue),
        }
        for route in served_today
    ]
    task_handlers = WorkflowTaskHandlers(mock.tasks, target_fields(create) if create else ())
    roles = {
        op.operation_id: Role(
            handler_for(task_handlers, role), path_names(reference.operation(role).path)
        )
        for role, op in tasks_api.items()
    }
    page_operations = frozenset(documented)
    with_body = frozenset(
        op.operation_id
        for api in (contract, admin)
        for op in api.operations.values()
        if op.has_body
    )
    middlewares = [
        ServerErrorMiddleware,
        partial(
            Origins, rules=OriginRules(ADMIN_BASE, options.hosts, options.origins, options.cors)
        ),
        partial(Journal, entries=mock.store.journal),
        partial(
            CustomWorkflowAPI,
            routes=served_today,
            tasks=mock.custom,
            catalogue=custom_catalogue,
            tokens=mock.tasks.world.tokens,
            overrides=mock.overrides,
            enabled=mock.tasks.world.auth,
            latency_ms=options.latency_ms,
            unavailable=StateUnavailable,
            unavailable_error=lambda exc: catalogue.error(503, "state_unavailable", error=str(exc)),
            others=tuple(
                route.pattern
                for route in routes(contract)
                if route.operation.operation_id not in today_ids
            ),
        ),
        ExceptionMiddleware,
        # Today's OpenAPI served beside the page's: listed with it.
        partial(SwaggerUI, beside=None if custom is contract else custom_reference.raw),
        partial(Console, prefix=ADMIN_BASE),
        *(
            [partial(AdminAuth, token=options.admin_token, catalogue=catalogue, prefix=ADMIN_BASE)]
            if options.admin_token
            else []
        ),
        RoutingMiddleware,
        # Auth is the gateway's, done here rather than by connexion's SecurityMiddleware
        # (left out): the spec's bearerAuth names no x-bearerInfoFunc and 403 needs projectName.
        partial(
            Auth,
            tokens=mock.tasks.world.tokens,
            catalogue=catalogue,
            enabled=mock.tasks.world.auth,
            operations=mock.operations,
        ),
        partial(
            Forcing,
            overrides=mock.overrides,
            operations=mock.operations,
            latency_ms=options.latency_ms,
            page_operations=page_operations,
        ),
        partial(BodyGuard, catalogue=catalogue, limit=options.body_limit, with_body=with_body),
        RequestValidationMiddleware,
        LifespanMiddleware,
        ContextMiddleware,
        # The spec's operations are answered here, routed and validated; the admin API goes
        # on to AsyncApp's handlers.
        partial(
            SpecOperations,
            operations=operations(contract, roles, partial(PageAnswers, catalogue=catalogue)),
            overrides=mock.overrides,
            settings={"limit": options.body_limit},
        ),
    ]
    app = AsyncApp(
        __name__,
        middlewares=middlewares,
        validator_map=validator_map(),
        jsonifier=orjson_jsonifier(),
    )
    page_required = {op.operation_id: op.page_fields for op in contract.operations.values()}
    bad_ids = BadIds()
    for api, base, resolver, validators in (
        (
            contract,
            "",
            # SpecOperations answers every operation of the spec before connexion's handler
            # would: connexion's own mock stands as that handler.
            MockResolver(mock_all=True),
            validator_map(strict=options.strict, page_fields=page_required),
        ),
        (
            admin,
            ADMIN_BASE,
            method_resolver(AdminHandlers(mock, defaults(forced_schema), answers, options)),
            validator_map(),
        ),
    ):
        app.add_api(api.raw, base_path=base or None, resolver=resolver, validator_map=validators)
        bad_ids.add(api, base)
    app.add_error_handler(ZadigError, render)
    app.add_error_handler(StateUnavailable, partial(unavailable_to_envelope, catalogue))
    app.add_error_handler(ProblemException, partial(problem_to_envelope, catalogue))
    app.add_error_handler(HTTPException, partial(http_to_envelope, catalogue, bad_ids))
    app.add_error_handler(Exception, partial(unexpected_to_envelope, catalogue))
    app.mock = mock
    return app


def spec_document(
    spec: str | list[str] | None, pages: list[str], warn: bool = True
) -> dict[str, Any]:
    """The document `--spec` (one or several) or `--page` name, completed for serving;
    SpecError (ValueError) naming what stops it, a spec without what the mock needs included."""
    from openapi.completion import SpecError, document_for

    document = document_for(spec, pages, warn)
    named = [spec] if isinstance(spec, str) else spec
    try:
        read_contract(document, ", ".join(named) if named else "the pages")
    except ValueError as exc:
        raise SpecError(str(exc)) from None
    return document


def build_state(
    contract: Contract,
    admin: Contract,
    options: MockOptions,
    max_delay_ms: float,
    today: dict[str, Catalogue] | None = None,
    documented: dict[str, Documented] | None = None,
) -> MockState:
    """The mock's world, store, rules and forced answers; `options.seed` is set; `today`:
    today's OpenAPI's operationIds, each with its catalogue; `documented`: what the pages of
    the operations answered from them document."""
    seed, clock = options.seed or {}, options.clock
    world = build_world(seed, clock())
    world.tokens.update({token: None for token in options.tokens})  # --token: any project
    world.auth = options.auth
    if options.task_duration is not None:
        world.task_duration = options.task_duration
    store = open_store(options.state_file)
    store.attach(world, seed_fingerprint(seed))
    catalogue = contract.catalogue.merged(admin.catalogue)
    today = today or {}
    operation_ids = frozenset(contract.operations) | frozenset(today)
    tasks = WorkflowTasks(world, store, catalogue, clock)
    overrides = Overrides(catalogue, max_delay_ms, store, documented, today)
    return MockState(seed, tasks, catalogue, operation_ids, overrides)


def open_store(state: str | Path | None) -> StateStore:
    """The store --state names: none (memory), a redis:// URL, or a SQLite file."""
    if state is None:
        return MemoryStore()
    if REDIS_URL.match(str(state)):
        from mock_server.redis_store import RedisStore  # imported only when used (redis-py)

        return RedisStore(str(state))
    return SqliteStore(state)


def defaults(schema: dict[str, Any]) -> dict[str, Any]:
    """The defaults a schema's properties declare."""
    return {name: p["default"] for name, p in schema["properties"].items() if "default" in p}


def admin_spec() -> dict[str, Any]:
    spec = load_spec(ADMIN_SPEC_PATH)
    body = spec["paths"]["/tasks/{pipeline}/{id}"]["patch"]["requestBody"]
    body["content"]["application/json"]["schema"]["properties"]["status"]["enum"] = list(STATUSES)
    custom = spec["paths"]["/custom-tasks/{workflowKey}/{taskId}"]["patch"]["requestBody"]
    statuses = custom["content"]["application/json"]["schema"]["properties"]["status"]
    statuses["enum"] = list(CUSTOM_STATUSES)
    return spec


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def handler_for(handlers: object, operation_id: str) -> Callable:
    """operationId createWorkflowTask -> handlers.create_workflow_task."""
    return getattr(handlers, snake_case(operation_id))


def method_resolver(handlers: object) -> Resolver:
    return Resolver(function_resolver=partial(handler_for, handlers))
