"""Today's workflow-task OpenAPI (`/openapi/workflows/custom/...`) served as aslan serves it: the
routes of its spec, the gateway's token check, gin's binding (query integers, the raw JSON body)
and thin handlers over the rules of `custom_workflow`.

It stands in front of connexion, which serves v1.7.1's page: aslan checks no request of this API
against a schema (a missing field is its zero value), so connexion's validation would answer
what aslan does not."""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from api_contract.catalogue import Catalogue, ZadigError
from api_contract.schemas import first_error
from api_contract.spec import Contract
from mock_server.auth import INVALID
from mock_server.custom_workflow import CustomWorkflowTasks, TaskView, User

log = logging.getLogger("zadig_mock")
PREFIX = "/openapi/"  # aslan answers unknown paths under it in plain text
GO_INT = re.compile(r"[+-]?[0-9]+")
INT64 = 2**63
SUCCESS = {"message": "success"}
GO_KINDS = {dict: "object", list: "array", str: "string", bool: "bool", int: "number"}


class NotAnInteger(Exception):
    """A query integer that strconv.ParseInt refuses: gin aborts with 400 before the handler."""


def go_int(value: str | None) -> int:
    """gin's form binding of an int64: absent or empty is 0."""
    if not value:
        return 0
    if not GO_INT.fullmatch(value) or not -INT64 <= int(value) < INT64:
        raise NotAnInteger(value)
    return int(value)


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT, read without verifying it, as aslan's NewContext does."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = orjson.loads(payload)
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


def go_decode_error(raw: bytes) -> tuple[Any, str | None]:
    """The body as encoding/json reads it, or why not (the wording of Go's error kept short)."""
    if not raw.strip():
        return None, "unexpected end of JSON input"
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as exc:
        return None, f"invalid character at offset {exc.pos}: {exc.msg}"


@dataclass(frozen=True)
class Operation:
    operation_id: str
    defaults: dict[str, Any]  # query parameter -> the spec's default


class CustomWorkflowAPI:
    """ASGI middleware: answers the paths of today's OpenAPI, passes everything else on."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        contract: Contract,
        tasks: CustomWorkflowTasks,
        catalogue: Catalogue,
        tokens: dict[str, Any],
        enabled: bool = True,
        unavailable: type[Exception] = RuntimeError,
        unavailable_error: Callable[[Exception], ZadigError] | None = None,
        others: tuple[re.Pattern[str], ...] = (),
    ) -> None:
        self.app = app
        # Paths of the served spec (`--page`, `--spec`) under /openapi/: theirs, not aslan's 404.
        self.others = others
        self.tasks = tasks
        self.errors = catalogue
        self.tokens = tokens
        self.enabled = enabled
        self.unavailable = unavailable
        self.unavailable_error = unavailable_error
        self.routes: list[tuple[re.Pattern, dict[str, Operation]]] = []
        by_path: dict[str, dict[str, Operation]] = {}
        for op in contract.operations.values():
            defaults = {
                p["name"]: p["schema"]["default"]
                for p in op.parameters
                if p.get("in") == "query" and "default" in p.get("schema", {})
            }
            by_path.setdefault(op.path, {})[op.method.upper()] = Operation(
                op.operation_id, defaults
            )
        # Fixed segments first: /custom/task/approve before /custom/{workflowKey}/tasks.
        for template in sorted(by_path, key=lambda t: (t.count("{"), -len(t))):
            self.routes.append((compile_path(template)[0], by_path[template]))
        self.trigger_schema = contract.operation("createCustomWorkflowTask").request_schema or {}
        self.handlers: dict[str, Callable[..., Awaitable[Response]]] = {
            "createCustomWorkflowTask": self.create_custom_workflow_task,
            "getCustomWorkflowTask": self.get_custom_workflow_task,
            "cancelCustomWorkflowTask": self.cancel_custom_workflow_task,
            "listCustomWorkflowTasks": self.list_custom_workflow_tasks,
            "retryCustomWorkflowTask": self.retry_custom_workflow_task,
            "approveCustomWorkflowTask": self.approve_custom_workflow_task,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith(PREFIX)
            or any(pattern.fullmatch(path) for pattern in self.others)
        ):
            await self.app(scope, receive, send)
            return
        response = await self.answer(Request(scope, receive))
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        path, method = request.url.path, request.method
        for pattern, operations in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            operation = operations.get(method)
            if operation is None:
                return PlainTextResponse(f"Method not allowed: {method} {path}", 405)
            try:
                user = self.gateway(request)
                handler = self.handlers[operation.operation_id]
                return await handler(request, user, match.groupdict(), operation)
            except ZadigError as exc:
                return render(exc)
            except NotAnInteger:
                return Response(b"", 400)  # written by gin's bind: no body at all
            except self.unavailable as exc:
                if self.unavailable_error is None:
                    raise
                return render(self.unavailable_error(exc), {"Retry-After": "1"})
        return PlainTextResponse(f"Invalid path: {path}", 404)

    def gateway(self, request: Request) -> User:
        """The gateway's check (401, empty body) and the caller aslan reads from the token."""
        token = request.query_params.get("token")
        if token is None:
            parts = request.headers.get("authorization", "").split(" ")
            token = parts[1] if len(parts) == 2 else None
        if self.enabled:
            refused = not token or (
                token not in self.tokens if self.tokens else INVALID in token.lower()
            )
            if refused:
                raise self.errors.empty(401)
        return self.tasks.caller(token, jwt_claims(token) if token else None)

    # -- handlers: one per operationId -----------------------------------------------------

    async def create_custom_workflow_task(self, request, user, path, operation) -> Response:
        body, why = go_decode_error(await request.body())
        if why:
            raise self.errors.error(400, "bad_json", error=why)
        if body is None:
            body = {}  # `null` leaves the struct at its zero value
        if not isinstance(body, dict):
            kind = GO_KINDS.get(type(body), "number")
            why = f"json: cannot unmarshal {kind} into Go value"
            raise self.errors.error(400, "bad_json", error=why)
        # Go's decoding checks the JSON types of the fields it knows, not their presence.
        error = first_error(self.trigger_schema, body, required=False)
        if error is not None:
            raise self.errors.error(400, "bad_json", error=f"json: cannot unmarshal: {error}")
        task = await self.tasks.trigger(user, body)
        workflow = self.tasks.world.workflows[task.workflow_key]
        answer = {
            "project_name": workflow.project,
            "workflow_name": task.workflow_key,
            "task_id": task.task_id,
        }
        return json_response(answer)

    async def get_custom_workflow_task(self, request, user, path, operation) -> Response:
        key, task_id = task_query(request)
        return json_response(preview(await self.tasks.detail(key, task_id)))

    async def cancel_custom_workflow_task(self, request, user, path, operation) -> Response:
        key, task_id = task_query(request)
        await self.tasks.cancel(user, key, task_id)
        return json_response(SUCCESS)

    async def list_custom_workflow_tasks(self, request, user, path, operation) -> Response:
        query = request.query_params
        page_num = go_int(query["pageNum"]) if "pageNum" in query else operation.defaults["pageNum"]
        page_size = (
            go_int(query["pageSize"]) if "pageSize" in query else operation.defaults["pageSize"]
        )
        project = query.get("projectKey", "")
        total, views = await self.tasks.page(path["workflowKey"], project, page_num, page_size)
        rows = [list_row(view, project) for view in views]
        return json_response({"total": total, "workflow_tasks": rows})

    async def retry_custom_workflow_task(self, request, user, path, operation) -> Response:
        try:
            task_id = go_int(path["taskID"]) if path["taskID"] else None
        except NotAnInteger:
            task_id = None
        if task_id is None:
            raise self.errors.error(400, "bad_path_id")
        await self.tasks.retry(path["workflowKey"], task_id)
        return json_response(SUCCESS)

    async def approve_custom_workflow_task(self, request, user, path, operation) -> Response:
        body, why = go_decode_error(await request.body())
        if why is None and body is not None and not valid_approval(body):
            why = "json: cannot unmarshal into Go value of type OpenAPIApproveRequest"
        if why:
            raise self.errors.error(500, "bad_approve_json", error=why)
        await self.tasks.approve(user, body or {})
        return json_response(SUCCESS)


def valid_approval(body: Any) -> bool:
    """Go's decoding into OpenAPIApproveRequest: an object whose known fields have their types."""
    if not isinstance(body, dict):
        return False
    kinds = {"stage_name": str, "workflow_key": str, "comment": str, "approve": bool}
    for name, kind in kinds.items():
        if body.get(name) is not None and not isinstance(body[name], kind):
            return False
    task_id = body.get("task_id")
    return task_id is None or (isinstance(task_id, int) and not isinstance(task_id, bool))


def task_query(request: Request) -> tuple[str, int]:
    """getworkflowTaskReq: taskId (int64, 0 when absent) and workflowKey ("" when absent)."""
    query = dict(parse_qsl(request.url.query, keep_blank_values=True))
    return query.get("workflowKey", ""), go_int(query.get("taskId"))


def list_row(view: TaskView, project: str) -> dict[str, Any]:
    task = view.task
    return {
        "workflow_key": task.workflow_key,
        "workflow_name": view.workflow.display_name if view.workflow else task.workflow_key,
        "project_key": project,
        "task_id": task.task_id,
        "create_time": task.create_time,
        "task_creator": task.creator,
        "start_time": task.start_time,
        "end_time": view.end_time,
        "status": view.status.lower(),
    }


def preview(view: TaskView) -> dict[str, Any]:
    """WorkflowTaskPreview: the task, its stages and jobs (statuses as stored, not lowered)."""
    task, workflow = view.task, view.workflow
    statuses = dict(view.jobs)
    stages = []
    for stage in workflow.stages if workflow else ():
        jobs = [job for job in stage.jobs if job.name in statuses]
        if not jobs:
            continue  # a stage whose jobs were all skipped is dropped
        job_statuses = [statuses[job.name] for job in jobs]
        stages.append(
            {
                "name": stage.name,
                "status": "" if view.status == "waiting" else stage_status(job_statuses),
                "start_time": task.start_time,
                "end_time": view.end_time,
                "parallel": True,
                "jobs": [
                    {
                        "name": job.name,
                        "key": job.name,
                        "display_name": job.name,
                        "origin_name": job.name,
                        "type": job.type,
                        "status": statuses[job.name],
                        "reverted": False,
                        "start_time": task.start_time,
                        "end_time": view.end_time,
                        "error": "",
                        "spec": {},
                    }
                    for job in jobs
                ],
                "error": "",
            }
        )
    body: dict[str, Any] = {
        "task_id": task.task_id,
        "workflow_key": task.workflow_key,
        "workflow_name": workflow.display_name if workflow else task.workflow_key,
        "params": [],
        "status": view.status,
        "reverted": False,
        "remark": "",
        "task_creator": task.creator,
        "create_time": task.create_time,
        "start_time": task.start_time,
        "stages": stages,
        "project_key": task.project,
        "is_restart": False,
        "debug": False,
    }
    if task.revoker:
        body["task_revoker"] = task.revoker
    if view.end_time:
        body["end_time"] = view.end_time  # omitempty
    return body


def stage_status(jobs: list[str]) -> str:
    """A stage runs while a job runs or waits for approval; else its first job not passed."""
    if any(s in ("running", "wait_for_approval", "") for s in jobs):
        return "running"
    return next((s for s in jobs if s != "passed"), "passed")


def json_response(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def render(error: ZadigError, headers: dict[str, str] | None = None) -> Response:
    if error.body is None:
        return Response(b"", error.status, headers=headers)
    return Response(error.render(), error.status, headers=headers, media_type="application/json")
