"""Today's workflow-task OpenAPI (`/openapi/workflows/custom/...`) served as aslan serves it: the
routes of its spec, the gateway's token check, gin's binding (query integers, the raw JSON body)
and thin handlers over the rules of `custom_workflow`.

It stands in front of connexion, which serves v1.7.1's page: aslan checks no request of this API
against a schema (a missing field is its zero value), so connexion's validation would answer
what aslan does not."""

from __future__ import annotations

import asyncio
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
from starlette.types import ASGIApp, Receive, Scope, Send

from api_contract.catalogue import Catalogue, ZadigError
from api_contract.operations import Operation
from api_contract.routes import template_pattern
from api_contract.spec import Contract
from mock_server import go_json
from mock_server.auth import INVALID
from mock_server.custom_workflow import CustomWorkflowTasks, TaskView, User
from mock_server.forced_answers import Forced, Overrides
from mock_server.forcing_middleware import prefer

log = logging.getLogger("zadig_mock")
PREFIX = "/openapi/"  # aslan answers unknown paths under it in plain text
GO_INT = re.compile(r"[+-]?[0-9]+")
INT64 = 2**63
SUCCESS = {"message": "success"}
OWN_CODES = 1000  # codes from here on are the API's own (6160...), below aslan's and the gateway's
# The Go types aslan decodes the two bodies into (the behavior file's section 5).
TRIGGER_ARGS = ("OpenAPICreateCustomWorkflowTaskArgs", "workflow")
APPROVE_ARGS = ("OpenAPIApproveRequest", "workflow")


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


@dataclass(frozen=True)
class Route:
    """One operation of the served spec that a role of today's rule set plays."""

    role: str  # the reference operationId, e.g. createCustomWorkflowTask
    operation: Operation
    names: dict[str, str]  # the spec's path parameter name -> the rules' (reference) name
    defaults: dict[str, Any]  # query parameter -> the spec's default
    query_ints: bool  # gin's BindQuery of integers: a forced 400 is its empty body


class CustomWorkflowAPI:
    """ASGI middleware: answers the operations that today's rule set plays in the served
    contract (`roles`, attached by method and path: `api_contract.rule_sets`), forced answers
    first; passes everything else on."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: list[Route],
        tasks: CustomWorkflowTasks,
        catalogue: Catalogue,
        tokens: dict[str, Any],
        overrides: Overrides,
        enabled: bool = True,
        latency_ms: float = 0,
        unavailable: type[Exception] = RuntimeError,
        unavailable_error: Callable[[Exception], ZadigError] | None = None,
        others: tuple[re.Pattern[str], ...] = (),
    ) -> None:
        self.app = app
        # Paths of the served spec's other operations under /openapi/: theirs, not aslan's 404.
        self.others = others
        self.tasks = tasks
        self.errors = catalogue
        self.tokens = tokens
        self.overrides = overrides
        self.enabled = enabled
        self.latency = latency_ms / 1000
        self.unavailable = unavailable
        self.unavailable_error = unavailable_error
        self.routes: list[tuple[re.Pattern, dict[str, Route]]] = []
        by_path: dict[str, dict[str, Route]] = {}
        for route in routes:
            by_path.setdefault(route.operation.path, {})[route.operation.method.upper()] = route
        # Fixed segments first: /custom/task/approve before /custom/{workflowKey}/tasks.
        for template in sorted(by_path, key=lambda t: (t.count("{"), -len(t))):
            self.routes.append((template_pattern(template), by_path[template]))
        schemas = {r.role: r.operation.request_schema or {} for r in routes}
        self.trigger_schema = schemas.get("createCustomWorkflowTask", {})
        self.approve_schema = schemas.get("approveCustomWorkflowTask", {})
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
        response = await self.answer(Request(scope, receive), scope.get("zadig_mock"))
        await response(scope, receive, send)

    async def answer(self, request: Request, note: dict[str, Any] | None = None) -> Response:
        path, method = request.url.path, request.method
        for pattern, operations in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            route = operations.get(method)
            if route is None:
                return PlainTextResponse(f"Method not allowed: {method} {path}", 405)
            if note is not None:
                note["operation"] = route.operation.operation_id  # the journal's
            params = {route.names[k]: v for k, v in match.groupdict().items()}
            try:
                user = self.gateway(request)
                forced = await self.forced(request, route, note)
                if forced is not None:
                    raise await self.forced_error(request, route, forced, params, user)
                handler = self.handlers[route.role]
                return await handler(request, user, params, route)
            except ZadigError as exc:
                return render(exc)
            except NotAnInteger:
                return Response(b"", 400)  # written by gin's bind: no body at all
            except self.unavailable as exc:
                if self.unavailable_error is None:
                    raise
                return render(self.unavailable_error(exc), {"Retry-After": "1"})
        return PlainTextResponse(f"Invalid path: {path}", 404)

    async def forced(
        self, request: Request, route: Route, note: dict[str, Any] | None
    ) -> Forced | None:
        """The answer forced for this call (`Prefer` or the queue), after its delay and the
        latency; None when it is the rules' own answer."""
        preferences = prefer(request.scope)
        if "example" in preferences and "code" not in preferences:
            code = reason_code(route, self.errors, preferences["example"])
            if code is not None:
                preferences["code"] = str(code)
        forced = await self.overrides.take(route.operation.operation_id, preferences)
        if forced is not None and note is not None:
            used = forced.as_dict()
            del used["times"]
            note["forced"] = used
        delay = self.latency + (forced.delay_ms / 1000 if forced else 0)
        if delay > 0:
            await asyncio.sleep(delay)
        return forced if forced and forced.code is not None else None

    async def forced_error(
        self, request: Request, route: Route, forced: Forced, params: dict[str, str], user: User
    ) -> ZadigError:
        body, _ = go_json.decode(await request.body())
        values = {"user": user.name, **described(request, params, body)}
        return forced_answer(route, self.errors, forced.code or 200, forced.example, values)

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

    async def create_custom_workflow_task(self, request, user, path, route) -> Response:
        body, why = go_json.decode(await request.body())
        if why is None:
            why = go_json.type_error(body, self.trigger_schema, *TRIGGER_ARGS)
        if why:
            raise self.errors.error(400, "bad_json", error=why)
        if body is None:
            body = {}  # `null` leaves the struct at its zero value
        task = await self.tasks.trigger(user, body)
        workflow = self.tasks.world.workflows[task.workflow_key]
        answer = {
            "project_name": workflow.project,
            "workflow_name": task.workflow_key,
            "task_id": task.task_id,
        }
        return json_response(answer)

    async def get_custom_workflow_task(self, request, user, path, route) -> Response:
        key, task_id = task_query(request)
        return json_response(preview(await self.tasks.detail(key, task_id)))

    async def cancel_custom_workflow_task(self, request, user, path, route) -> Response:
        key, task_id = task_query(request)
        await self.tasks.cancel(user, key, task_id)
        return json_response(SUCCESS)

    async def list_custom_workflow_tasks(self, request, user, path, route) -> Response:
        query = request.query_params
        page_num = go_int(query["pageNum"]) if "pageNum" in query else route.defaults["pageNum"]
        page_size = go_int(query["pageSize"]) if "pageSize" in query else route.defaults["pageSize"]
        project = query.get("projectKey", "")
        total, views = await self.tasks.page(path["workflowKey"], project, page_num, page_size)
        rows = [list_row(view, project) for view in views]
        return json_response({"total": total, "workflow_tasks": rows})

    async def retry_custom_workflow_task(self, request, user, path, route) -> Response:
        try:
            task_id = go_int(path["taskID"]) if path["taskID"] else None
        except NotAnInteger:
            task_id = None
        if task_id is None:
            raise self.errors.error(400, "bad_path_id")
        await self.tasks.retry(path["workflowKey"], task_id)
        return json_response(SUCCESS)

    async def approve_custom_workflow_task(self, request, user, path, route) -> Response:
        body, why = go_json.decode(await request.body())
        if why is None:
            why = go_json.type_error(body, self.approve_schema, *APPROVE_ARGS)
        if why:
            raise self.errors.error(500, "bad_approve_json", error=why)
        await self.tasks.approve(user, body or {})
        return json_response(SUCCESS)


def today_routes(roles: dict[str, Operation], reference: Contract) -> list[Route]:
    """The routes of the operations that play today's roles (`api_contract.rule_sets`), the
    rules' names for their path parameters taken from the reference spec."""
    found = []
    for role, op in roles.items():
        spelt = reference.operation(role).path
        names = dict(zip(path_names(op.path), path_names(spelt), strict=True))
        ints = any(is_query_int(p) for p in op.parameters)
        found.append(Route(role, op, names, query_defaults(op), ints))
    return found


def forced_answer(
    route: Route, catalogue: Catalogue, code: int, reason: str | None, values: dict[str, Any]
) -> ZadigError:
    """A forced code answered as aslan answers it on this operation (section 7 of the behavior
    file): an empty body where the spec documents that status without one (the gateway's 401,
    trigger's 403) or gin's binding writes it (a query integer that does not parse: 400), else
    the operation's own example of the code, else the catalogue's reason, its description
    filled from the request's `values`."""
    op = route.operation
    answer = op.answers.get(code)
    if (answer is not None and not answer.has_body) or (
        code == 400 and route.query_ints and reason is None
    ):
        return catalogue.empty(code)
    if reason is None:
        for status, documented in sorted(op.answers.items()):
            for value in documented.examples.values():
                if status >= 400 and isinstance(value, dict) and value.get("code") == code:
                    return ZadigError(status, value)
    return catalogue.error(code, reason, **values)


def documented_answers(route: Route, catalogue: Catalogue) -> list[dict[str, Any]]:
    """Every answer one operation of today's OpenAPI documents, as a forced one gives it (for
    GET /_mock/answers and the console): success, then per code the catalogue's reasons the
    operation's examples name (every reason of the API's own codes), else the code alone."""
    op = route.operation
    codes: dict[int, list[str]] = {}
    for status, answer in sorted(op.answers.items()):
        shown = [v.get("code") for v in answer.examples.values() if isinstance(v, dict)]
        if status >= 400 and status in catalogue and (not shown or status in shown):
            codes.setdefault(status, [])
        if status == 400 and route.query_ints:
            codes.setdefault(status, [])
        for name, value in answer.examples.items():
            code = value.get("code") if isinstance(value, dict) else None
            if status < 400 or code not in catalogue:
                continue
            reasons = catalogue[code].reasons
            named = list(reasons) if code >= OWN_CODES else [name] if name in reasons else []
            found = codes.setdefault(code, [])
            found.extend(r for r in named if r not in found)
    listed: list[dict[str, Any]] = [
        {"code": 200, "example": None, "status": 200, "summary": summary(op, 200)}
    ]
    for code, reasons in sorted(codes.items()):
        for reason in reasons or [None]:
            error = forced_answer(route, catalogue, code, reason, {})
            body = error.body or {}
            listed.append(
                {
                    "code": code,
                    "example": reason,
                    "status": error.status,
                    "message": body.get("message", ""),
                    "description": body.get("description", ""),
                    "empty": error.body is None,
                    "summary": summary(op, error.status),
                }
            )
    return listed


def reason_code(route: Route, catalogue: Catalogue, reason: str) -> int | None:
    """The code this operation answers `reason` with (`Prefer: example=REASON` alone): the one
    of its documented answers naming it, else the one of its documented codes whose catalogue
    entry has it; None when there is no such code or several."""
    answers = documented_answers(route, catalogue)
    codes = {a["code"] for a in answers if a["example"] == reason}
    if not codes:
        codes = {
            a["code"]
            for a in answers
            if a["code"] in catalogue and reason in catalogue[a["code"]].reasons
        }
    return codes.pop() if len(codes) == 1 else None


def summary(op: Operation, status: int) -> str:
    answer = op.answers.get(status)
    return answer.description if answer else ""


def path_names(template: str) -> list[str]:
    return re.findall(r"\{([^}/]+)\}", template)


def query_defaults(op: Operation) -> dict[str, Any]:
    return {
        p["name"]: p["schema"]["default"]
        for p in op.parameters
        if p.get("in") == "query" and "default" in p.get("schema", {})
    }


def is_query_int(parameter: dict[str, Any]) -> bool:
    return parameter.get("in") == "query" and parameter.get("schema", {}).get("type") == "integer"


def described(request: Request, params: dict[str, str], body: Any) -> dict[str, Any]:
    """Values for a forced description's placeholders, where aslan's error takes them: the
    query's or path's workflow key and task id, the body's, the caller."""
    query, body = request.query_params, body if isinstance(body, dict) else {}
    found = {
        "workflow": params.get("workflowKey")
        or query.get("workflowKey")
        or body.get("workflow_key"),
        "id": params.get("taskID") or query.get("taskId") or body.get("task_id"),
        "job": body.get("stage_name"),
        "decision": ("approve" if body["approve"] is True else "reject")
        if "approve" in body
        else None,
        "error": "forced answer",
    }
    return {name: value for name, value in found.items() if value is not None}


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
