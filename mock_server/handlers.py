"""The handler layer of the spec's operations: one thin handler per operationId (the rules are in
`domain`), called by `SpecOperations` once connexion has routed and validated the request."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api_contract.operations import Operation
from api_contract.spec import Contract
from mock_server.domain import WorkflowTasks
from mock_server.forced_answers import Overrides
from mock_server.forcing_middleware import FORCED, PREFERRED, forced_error
from mock_server.page_answers import PageAnswers
from mock_server.validators import PARSED_BODY

SUCCESS = {"message": "success"}
# The operation whose documented example is the default world, and whose targets are trimmed
# to the fields the spec names.
CREATE = "createWorkflowTask"


@dataclass
class WorkflowTaskHandlers:
    """Keyword names are the spec's parameter names (`id`, `pipeline`) and `body`.
    `target_fields`: the fields of a target the spec names; like Go's decoding into a struct,
    the others are dropped."""

    tasks: WorkflowTasks
    target_fields: tuple[str, ...]

    async def create_workflow_task(self, body: dict[str, Any]) -> tuple[dict, int]:
        fields = self.target_fields
        targets = [{k: target[k] for k in fields if k in target} for target in body["targets"]]
        task = await self.tasks.create({**body, "targets": targets})
        return {"pipeline_name": task.pipeline_name, "task_id": task.task_id}, 200

    async def restart_workflow_task(self, id: int, pipeline: str) -> tuple[dict, int]:
        await self.tasks.restart(pipeline, id)
        return SUCCESS, 200

    async def cancel_workflow_task(self, id: int, pipeline: str) -> tuple[dict, int]:
        await self.tasks.cancel(pipeline, id)
        return SUCCESS, 200


def target_fields(create: Operation) -> tuple[str, ...]:
    """The properties of a create target in the spec."""
    schema = create.request_schema or {}
    return tuple(schema["properties"]["targets"]["items"]["properties"])


@dataclass(frozen=True)
class Handler:
    """What a handler is called with, read from the spec's operation; `page`: the operation
    plays no rule set's role and is answered as its page documents."""

    handler: Any
    path_params: tuple[str, ...]  # the spec's names, in the path's order
    has_body: bool
    page: PageAnswers | None = None
    arguments: tuple[str, ...] = ()  # the handler's names for them (the rule set's spelling)


@dataclass(frozen=True)
class Role:
    """A rule set's handler for one operation, and its names for the path's parameters."""

    handler: Callable
    arguments: tuple[str, ...]


def operations(
    contract: Contract, roles: dict[str, Role], page: Callable[[Operation], PageAnswers]
) -> dict[str, Handler]:
    """operationId -> Handler for every operation of `contract`: a rule set's handler where
    `roles` has one for its operationId, else the page's answers."""
    found = {}
    for op in contract.operations.values():
        names = path_names(op.path)
        role = roles.get(op.operation_id)
        found[op.operation_id] = (
            Handler(role.handler, names, op.has_body, arguments=role.arguments)
            if role
            else Handler(None, names, op.has_body, page(op), arguments=names)
        )
    return found


def path_names(template: str) -> tuple[str, ...]:
    """The parameters of a path template, in their order."""
    return tuple(re.findall(r"\{([^}/]+)\}", template))


class SpecOperations:
    """Innermost ASGI middleware: answers the operations it knows, after connexion's routing
    (operationId, typed path parameters) and request validation (which parsed the body); passes
    everything else on (the admin API, served by connexion's AsyncApp). A forced error is
    answered here, after validation, and changes nothing.

    Why not AsyncApp's own handler call: connexion 3.3 rebuilds its decorator chain and
    re-inspects the handler's signature on every request, more time than the mock's work."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        operations: dict[str, Handler],
        overrides: Overrides,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.operations = operations
        self.overrides = overrides
        self.settings = settings or {}  # the mock's values a forced description may name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        operation = self.operations.get(routing.get("operation_id"))
        if operation is None:
            await self.app(scope, receive, send)
            return
        path_params = scope["path_params"]  # converted by connexion's router (integer ids)
        kwargs = {
            argument: path_params[name]
            for name, argument in zip(operation.path_params, operation.arguments, strict=True)
        }
        if operation.has_body:
            kwargs["body"] = scope[PARSED_BODY]
        forced = scope.get(FORCED)
        page = operation.page
        if forced is not None:
            documented = page and page.documented_error(forced.code, forced.example)
            raise documented or forced_error(self.overrides, forced, scope, kwargs, self.settings)
        if page is not None:
            body, status = page.answer(scope.get(PREFERRED))
            await page_response(body, status)(scope, receive, send)
            return
        body, status = await operation.handler(**kwargs)  # ZadigError: to the error handlers
        await json_response(body, status)(scope, receive, send)


def page_response(body: Any, status: int) -> Response:
    """A page's answer: JSON, or the text a page shows as plain text, or nothing for a 204."""
    if status == 204:
        return Response(None, status)
    return json_response(body, status)


def json_response(body: Any, status: int) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")
