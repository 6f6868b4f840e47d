"""The handler layer of the spec's operations: one thin handler per operationId (the rules are in
`domain`), called by `SpecOperations` once connexion has routed and validated the request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.domain import WorkflowTasks

SUCCESS = {"message": "success"}


@dataclass
class WorkflowTaskHandlers:
    """Keyword names are the spec's parameter names (`id`, `pipeline`) and `body`."""

    tasks: WorkflowTasks

    async def create_workflow_task(self, body: dict[str, Any]) -> tuple[dict, int]:
        task = self.tasks.create(body)
        return {"pipeline_name": task.pipeline_name, "task_id": task.task_id}, 200

    async def restart_workflow_task(self, id: int, pipeline: str) -> tuple[dict, int]:
        self.tasks.restart(pipeline, id)
        return SUCCESS, 200

    async def cancel_workflow_task(self, id: int, pipeline: str) -> tuple[dict, int]:
        self.tasks.cancel(pipeline, id)
        return SUCCESS, 200


@dataclass(frozen=True)
class Operation:
    """What a handler is called with, read from the spec's operation."""

    handler: Any
    path_params: tuple[str, ...]
    has_body: bool


def operations(spec: dict[str, Any], resolve: Any) -> dict[str, Operation]:
    """operationId -> Operation for every operation of `spec`; `resolve` names the handler."""
    found = {}
    for item in spec["paths"].values():
        shared = item.get("parameters", [])
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                params = [*shared, *op.get("parameters", [])]
                names = tuple(p["name"] for p in params if p.get("in") == "path")
                found[op["operationId"]] = Operation(
                    resolve(op["operationId"]), names, "requestBody" in op)
    return found


class SpecOperations:
    """Innermost ASGI middleware: answers the operations it knows, after connexion's routing
    (operationId, typed path parameters) and request validation; passes everything else on
    (the admin API, served by connexion's AsyncApp).

    Why not AsyncApp's own handler call: connexion 3.3 rebuilds its decorator chain and
    re-inspects the handler's signature on every request, more time than the mock's work."""

    def __init__(self, app: ASGIApp, *, operations: dict[str, Operation]) -> None:
        self.app = app
        self.operations = operations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        operation = self.operations.get(routing.get("operation_id"))
        if operation is None:
            await self.app(scope, receive, send)
            return
        path_params = scope["path_params"]  # converted by connexion's router (integer ids)
        kwargs = {name: path_params[name] for name in operation.path_params}
        if operation.has_body:
            kwargs["body"] = orjson.loads(await read_body(receive))  # validated already
        body, status = await operation.handler(**kwargs)  # ZadigError: to the error handlers
        await json_response(body, status)(scope, receive, send)


def json_response(body: Any, status: int) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)
