"""A small, faithful Zadig workflow-task server with switches that break it one way at a time.

Written from the behavior file's tables (docs/zadig-v1.7.1-behavior.md, "Answers", "Error
catalogue", "Incomplete and mistyped bodies", "State and rules"), independently of the mock
and of the gate, so that the gate can be shown to catch each fault and to accept each
faithful variation. The error catalogue (code -> status, message) is read from the spec.

Where the behavior file describes v1.7.1's defect (a JSON `null` body answers 500), the
faithful server answers as a fixed service would (400 Bad Request); `null_body_500` is v1.7.1.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
import yaml
from helpers import free_port
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openapi import SPEC_PATH

PREFIX = "/api/aslan/workflow/workflowtask"
CATALOGUE = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))["components"][
    "x-zadig-error-catalogue"
]
WORLD = {"proxy": {"workflows": {"proxy-workflow-dev"}, "envs": {"dev"}}}
# WorkflowTaskArgs as aslan decodes it: a field missing is its zero value, a field of another
# JSON type fails the decoding. Fields the page does not name are ignored.
BODY_FIELDS = {"workflow_name": str, "product_tmpl_name": str, "namespace": str, "targets": list}
TARGET_FIELDS = ("name", "service_name", "product_name")
INT64_MAX = 2**63 - 1
GO_INT = re.compile(r"[+-]?[0-9]+")  # what strconv.ParseInt(s, 10, 64) takes, range aside


@dataclass
class Switches:
    """Faults (all off = faithful) and faithful variations of the answers."""

    wrong_code: str | None = None  # operation whose not-found error answers another code
    drop_field: str | None = None  # envelope field left out
    error_type: str = "error"
    error_status: int | None = None  # HTTP status of every error (200, 500)
    malformed_json_500: bool = False
    null_body_500: bool = False  # as v1.7.1 answers a JSON `null` body (a defect)
    missing_field_500: bool = False  # a body without a required field crashes the server
    wrong_message: int | None = None  # catalogue code answered with another message
    error_media_type: str = "application/json"
    success_message: str = "success"
    task_id_as_string: bool = False
    pipeline_name: str | None = None  # answered instead of the workflow
    ids_do_not_increase: bool = False
    accept_unknown_workflow: bool = False
    accept_no_targets: bool = False  # creates a task with nothing to run (v1.7.1 answers 6160)
    ignore_auth: bool = False
    hang: str | None = None  # operation that never answers
    crash_on_unknown_query: bool = False  # a 500 that only generated cases find
    restart_accepted_in: tuple[str, ...] = ()  # task states where restart is wrongly accepted
    cancel_of_passed_accepted: bool = False
    admin: bool = False  # a `/_mock`-like admin API that can force a task's status
    cannot_run: str | None = None  # 6160 with this description for any task of the world
    # Faithful variations.
    strict: bool = False  # refuses a body without a field the page requires: 400 Bad Request
    extra_fields: bool = False
    description: str | None = None
    first_id: int = 1
    id_step: int = 1
    extra_headers: bool = False
    latency: float = 0.0
    tokens: tuple[str, ...] = ()
    token_projects: dict[str, str] = field(default_factory=dict)  # token -> its only project
    world: dict[str, Any] = field(default_factory=lambda: WORLD)  # project -> workflows, envs


@dataclass(frozen=True)
class Sent:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes


@dataclass
class State:
    switches: Switches
    counters: dict[str, int] = field(default_factory=dict)
    tasks: dict[tuple[str, int], str] = field(default_factory=dict)
    journal: list[Sent] = field(default_factory=list)

    def next_id(self, workflow: str) -> int:
        s = self.switches
        if s.ids_do_not_increase:
            return s.first_id
        current = self.counters.get(workflow)
        self.counters[workflow] = s.first_id if current is None else current + s.id_step
        return self.counters[workflow]


def build_app(switches: Switches) -> Starlette:
    state = State(switches)

    def answer(status: int, body: Any, media_type: str = "application/json") -> Response:
        if switches.extra_fields and isinstance(body, dict):
            body = {**body, "request_id": "r-1", "trace": {"span": 7}}
        headers = {}
        if switches.extra_headers:
            headers = {"X-Request-Id": "r-1", "Cache-Control": "no-store"}
        if switches.extra_headers and media_type == "application/json":
            media_type = "application/json; charset=utf-8"
        text = json.dumps(body, ensure_ascii=False)
        return Response(text, status_code=status, headers=headers, media_type=media_type)

    def error(code: int, description: str, operation: str = "") -> Response:
        if switches.wrong_code == operation and code >= 6000:
            code = 6161
        entry = CATALOGUE[str(code)]
        message = entry["message"]
        if switches.wrong_message == code:
            message = f"{message} (changed)"
        body = {
            "code": code,
            "description": switches.description or description,
            "extra": {},
            "message": message,
            "type": switches.error_type,
        }
        body.pop(switches.drop_field or "", None)
        status = switches.error_status or entry["status"]
        return answer(status, body, switches.error_media_type)

    async def gate(request: Request, operation: str) -> Response | None:
        query = dict(request.query_params)
        state.journal.append(Sent(request.method, request.url.path, query, await request.body()))
        if switches.latency:
            await asyncio.sleep(switches.latency)
        if switches.hang == operation:
            await asyncio.sleep(3600)
        if switches.tokens and not switches.ignore_auth:
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in switches.tokens:
                return Response("unauthorized", status_code=401, media_type="text/plain")
            scope = switches.token_projects.get(token)
            if scope is not None and query.get("projectName") != scope:
                return Response("forbidden", status_code=403, media_type="text/plain")
        if switches.crash_on_unknown_query and set(request.query_params) - {"projectName"}:
            return Response("internal error", status_code=500)
        return None

    def crash() -> Response:
        # What gin answers on a panic: no `type` nor `extra` promised.
        body = {"code": 500, "description": "runtime error", "message": "Internal Error: panic"}
        return answer(500, body)

    async def create(request: Request) -> Response:
        if (refused := await gate(request, "create")) is not None:
            return refused
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            if switches.malformed_json_500:
                return Response("internal error", status_code=500)
            return error(400, "EOF")
        if body is None:
            return crash() if switches.null_body_500 else error(400, "the body is JSON null")
        args = _decode(body)
        if args is None:
            return error(400, "EOF")
        missing = [name for name in BODY_FIELDS if name not in body]
        if missing and switches.missing_field_500:
            return crash()
        if missing and switches.strict:
            return error(400, f"{missing[0]} is required")
        # The checks, in the behavior file's order, on the zero values of missing fields.
        project = switches.world.get(args["product_tmpl_name"])
        workflow = args["workflow_name"]
        if not switches.accept_unknown_workflow:
            if project is None or workflow not in project["workflows"]:
                return error(6542, "mongo: no documents in result", "create")
        env = args["namespace"]
        if project is not None and env and env not in project["envs"]:
            return error(6160, f"找不到 {args['product_tmpl_name']} 的 {env} 环境 ", "create")
        if switches.cannot_run and project is not None:
            return error(6160, switches.cannot_run, "create")
        task_id = state.next_id(workflow)
        if not args["targets"] and not switches.accept_no_targets:
            return error(6160, "未配置工作流子任务", "create")
        state.tasks[(workflow, task_id)] = "created"
        answered: Any = str(task_id) if switches.task_id_as_string else task_id
        pipeline = switches.pipeline_name or workflow
        return answer(200, {"pipeline_name": pipeline, "task_id": answered})

    async def act(request: Request, operation: str, code: int, missing: str) -> Response:
        """Restart or cancel: the steps they share; `refusal` holds each one's state rule."""
        if (refused := await gate(request, operation)) is not None:
            return refused
        key = _task_key(request)
        if key is None:
            return error(400, "invalid task id")
        status = state.tasks.get(key)
        if status is None:
            return error(code, missing, operation)
        if (why := refusal(operation, key, status)) is not None:
            return error(code, why, operation)
        state.tasks[key] = "created" if operation == "restart" else "cancelled"
        return answer(200, {"message": switches.success_message})

    def refusal(operation: str, key: tuple[str, int], status: str) -> str | None:
        if operation == "restart" and status in ("running", "passed"):
            return None if status in switches.restart_accepted_in else "不能重试已经通过任务"
        if operation == "cancel" and status == "passed" and not switches.cancel_of_passed_accepted:
            return f"task: {key[0]}:{key[1]} is passed, cannot cancel"
        return None

    async def restart(request: Request) -> Response:
        return await act(request, "restart", 6164, "获取工作流任务失败")

    async def cancel(request: Request) -> Response:
        return await act(request, "cancel", 6163, "mongo: no documents in result")

    async def list_tasks(request: Request) -> Response:
        tasks = state.tasks.items()
        rows = [{"pipeline_name": p, "task_id": i, "status": s} for (p, i), s in tasks]
        return answer(200, rows)

    async def force_status(request: Request) -> Response:
        key = _task_key(request)
        if key not in state.tasks:
            return Response(status_code=404)
        state.tasks[key] = (await request.json())["status"]
        return answer(200, {"status": state.tasks[key]})

    routes = [
        Route(PREFIX, create, methods=["POST"]),
        Route(PREFIX + "/id/{id}/pipelines/{pipeline}/restart", restart, methods=["POST"]),
        Route(PREFIX + "/id/{id}/pipelines/{pipeline}", cancel, methods=["DELETE"]),
    ]
    if switches.admin:
        routes += [
            Route("/_mock/tasks", list_tasks, methods=["GET"]),
            Route("/_mock/tasks/{pipeline}/{id}", force_status, methods=["PATCH"]),
        ]
    app = Starlette(routes=routes)
    app.state.fake = state
    return app


def _task_key(request: Request) -> tuple[str, int] | None:
    """The task a path names; None when its id is not what strconv.ParseInt takes."""
    raw = request.path_params["id"]
    if not GO_INT.fullmatch(raw) or not -INT64_MAX - 1 <= int(raw) <= INT64_MAX:
        return None
    return request.path_params["pipeline"], int(raw)


def _decode(body: Any) -> dict[str, Any] | None:
    """The body as WorkflowTaskArgs (missing fields as zero values), or None when it does not
    decode (not an object, or a field of another JSON type)."""
    if not isinstance(body, dict):
        return None
    args = {}
    for name, kind in BODY_FIELDS.items():
        value = body.get(name)
        if value is not None and not isinstance(value, kind):
            return None
        args[name] = value if value is not None else kind()
    for target in args["targets"]:
        if target is None:
            continue
        if not isinstance(target, dict):
            return None
        if any(not isinstance(target.get(name, ""), str | None) for name in TARGET_FIELDS):
            return None
    return args


class ServerThread:
    """Serves an ASGI app with uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, app: Any, **options: Any) -> None:
        """`options` go to uvicorn.Config (`ssl_certfile`, `ssl_keyfile`: served over TLS)."""
        self.port = free_port()
        self.scheme = "https" if options.get("ssl_certfile") else "http"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="error", lifespan="off", **options
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.server.force_exit = True
        self.thread.join(timeout=5)


class RawListener:
    """A socket server on 127.0.0.1 that hands each connection to `handle` in a thread of
    its own; for upstreams that misbehave below HTTP."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def __enter__(self) -> RawListener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.listener.close()


class DribblingServer(RawListener):
    """A raw HTTP server that never finishes an answer: with `headers=True` it sends a status
    line and headers, then one body byte per `pause`; otherwise it sends the status line and
    headers themselves one byte per `pause`. No read timeout ever trips."""

    def __init__(self, headers: bool = True, pause: float = 0.5) -> None:
        super().__init__()
        self.headers = headers
        self.pause = pause

    def handle(self, conn: socket.socket) -> None:
        head = (
            b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n"
        )
        with conn:
            try:
                conn.recv(65536)
                if self.headers:
                    conn.sendall(head)
                    head = b" " * 100000
                for byte in head:
                    if self.stop.wait(self.pause):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return
