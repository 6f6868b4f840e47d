"""A stand-in for today's Zadig workflow-task OpenAPI (`/openapi/workflows/custom/...`), with
switches that break it one way at a time or make it stricter where page and source disagree.

Written from the behavior file alone (`zadig-openapi-workflow-behavior.md`: sections 1-8, the
error catalogue of section 7, the disagreements of section 9), never from the mock, so that the
gate can be shown to pass every faithful form and to fail every faulty one. Messages and
descriptions are the source's; nothing here is read from the mock or the gate.

Tokens stand for JWTs: each maps to the user whose `name` and `uid` claims it carries.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

PREFIX = "/openapi/workflows"
MONGO_NOT_FOUND = "mongo: no documents in result"
GO_INT = re.compile(r"[+-]?[0-9]+")
INT64 = 2**63
# The error catalogue of section 7: code -> message (HTTP status: the code, 6000-7999 -> 400).
MESSAGES = {
    400: "Bad Request",
    6160: "创建工作流任务失败",
    6161: "获取工作流任务失败",
    6163: "取消工作流任务失败",
    6169: "批准工作流任务失败",
    6542: "查询workflow失败",
}
RETRYABLE = ("failed", "timeout", "cancelled", "reject")
# pause > reject > cancelled > timeout > failed > passed (section 4, the final status).


@dataclass(frozen=True)
class User:
    name: str
    uid: str
    admin: bool = False
    projects: frozenset[str] = frozenset()  # where the user may run workflows


@dataclass(frozen=True)
class Job:
    name: str
    type: str = "freestyle"
    run_policy: str = ""
    approvers: tuple[str, ...] = ()  # uids; only for type "approval"


@dataclass(frozen=True)
class Stage:
    name: str
    jobs: tuple[Job, ...]


@dataclass(frozen=True)
class FakeWorkflow:
    key: str
    project: str
    display_name: str
    stages: tuple[Stage, ...]
    params: dict[str, tuple[str, ...] | None] = field(default_factory=dict)  # choice: options
    disabled: bool = False
    approval_ticket: bool = False


def page_world() -> dict[str, FakeWorkflow]:
    """The trigger example's workflow (project `helm`, workflow `test-openapi`, its parameters,
    two of its jobs) and one with an approval job between build and deploy."""
    build = Stage("build", (Job("build-myapps", "zadig-build"),))
    deploy = Stage("deploy", (Job("deploy-myapps", "zadig-deploy"),))
    approval = Stage("approve", (Job("approval", "approval", approvers=("uid-admin",)),))
    return {
        "test-openapi": FakeWorkflow(
            "test-openapi",
            "helm",
            "test openapi",
            (build, deploy),
            {"test": None, "abc": ("123", "456"), "repo1": None},
        ),
        "with-approval": FakeWorkflow(
            "with-approval", "helm", "with approval", (build, approval, deploy)
        ),
    }


USERS = {
    "admin-token": User("admin", "uid-admin", admin=True),
    "dev-token": User("dev", "uid-dev", projects=frozenset({"helm"})),
    "guest-token": User("guest", "uid-guest"),
}


@dataclass
class Switches:
    """Faults (all off: faithful), stricter forms and faithful variations."""

    # Faults, one at a time.
    triggered_status: str = "waiting"  # what a new task reads back ("created" is a fault)
    first_id: int = 1
    ids_do_not_increase: bool = False
    unknown_workflow_accepted: bool = False
    trigger_code: int = 6542  # the unknown workflow's code
    detail_missing_status: int = 500  # the unknown task's status on detail (404 is a fault)
    plain_error_with_type: bool = False  # a 500 in the full envelope (not the source's form)
    plain_message: str = "Internal Error: "
    cancel_code: int = 6163
    cancel_of_passed_accepted: bool = False
    cancel_status: str = "cancelled"
    retry_code: int = 6161
    retry_new_id: bool = False  # retry makes a new task and leaves the old one
    retry_accepted_from: tuple[str, ...] = ()  # statuses where retry is wrongly accepted
    retry_wrong_state_status: int = 500
    list_oldest_first: bool = False
    retry_inserts: bool = False  # retry resets the task and also stores a copy (listed twice)
    no_stage_code: int = 6160  # the code of a trigger that selects no job
    no_stage_description: str = "no stage found in workflow task: {workflow},taskID: {id}"
    no_inputs_runs_every_job: bool = False  # a trigger without `inputs` selects every job
    approval_task_status: str = "running"  # the task's status while its approval job waits
    non_approver_403: bool = False  # a user who is not an approver is refused with 403
    refused_approval_decides: bool = False  # the refused approval passes the job all the same
    approve_records_reject: bool = False  # an approval (approve: true) rejects the job
    approve_decides_nothing: bool = False  # an approval answers success and records nothing
    approve_unknown_job_accepted: bool = False  # a job the task does not have is "approved"
    list_ignores_project: bool = False
    list_unknown_404: bool = False
    list_default_page_size: int = 10
    list_upper_status: bool = False
    non_numeric_status: int = 400
    ignore_auth: bool = False
    approve_ignores_approvers: bool = False
    approve_code: int = 6169
    drop_field: str | None = None  # envelope field left out
    success_message: str = "success"
    # Stricter forms (the page's reading where it disagrees with the source, section 9).
    inputs_required: bool = False  # refuses a trigger without `inputs` (page: 是否必须)
    page_size_50: bool = False  # the page's default page size
    # Faithful variations.
    extra_fields: bool = False
    nil_lists: bool = False  # Go's null for a nil slice inside a task (params, a job's spec)
    history: int = 0  # passed tasks of test-openapi, an hour apart, before the run
    list_ties_in_insertion_order: bool = False  # tasks of one second: oldest first (Mongo)
    queue_seconds: float = 0.3  # waiting -> running
    run_seconds: float = 3600.0  # running -> passed (long: cancels find it running)


@dataclass
class FakeTask:
    workflow: FakeWorkflow
    task_id: int
    creator: str
    status: str
    create_time: int
    start_time: int
    since: float  # when the status was set (the clock moves waiting -> running -> passed)
    revoker: str = ""
    jobs: dict[str, str] = field(default_factory=dict)  # selected job -> status
    decisions: dict[str, str] = field(default_factory=dict)  # approver uid -> approve/reject
    end_time: int = 0


class Fake:
    """The service's state and rules; one per app."""

    def __init__(self, switches: Switches, world: dict[str, FakeWorkflow] | None = None) -> None:
        self.s = switches
        self.world = page_world() if world is None else world
        self.counters: dict[str, int] = {}
        self.tasks: dict[tuple[str, int], FakeTask] = {}
        self.copies: list[FakeTask] = []  # retry_inserts: the copies a retry stored
        self.created = 0
        past = int(time.time()) - 3600 * switches.history
        for task_id in range(1, switches.history + 1):
            created = past + 3600 * (task_id - 1)
            workflow = self.world["test-openapi"]
            self.tasks[(workflow.key, task_id)] = FakeTask(
                workflow, task_id, "ci", "passed", created, created, created, end_time=created + 60
            )
            self.counters[workflow.key] = task_id

    # -- answers ----------------------------------------------------------------------------
    def answer(self, body: Any, status: int = 200) -> Response:
        if self.s.extra_fields and isinstance(body, dict):
            body = {**body, "request_id": "r-1"}
        return Response(json.dumps(body, ensure_ascii=False), status, media_type="application/json")

    def error(self, code: int, description: str, status: int | None = None) -> Response:
        body = {
            "type": "error",
            "message": MESSAGES[code],
            "code": code,
            "description": description,
            "extra": {},
        }
        body.pop(self.s.drop_field or "", None)
        if status is None:
            status = 400 if 6000 <= code <= 7999 else code
        return self.answer(body, status)

    def plain(self, description: str, status: int = 500) -> Response:
        body = {"message": self.s.plain_message, "code": 500, "description": description}
        if self.s.plain_error_with_type:
            body = {**body, "type": "error", "extra": {}}
        return self.answer(body, status)

    def empty(self, status: int) -> Response:
        return Response(b"", status)

    # -- the clock ---------------------------------------------------------------------------
    def status(self, task: FakeTask) -> str:
        if task.status not in ("waiting", "running"):
            return task.status
        elapsed = time.time() - task.since
        if task.status == "waiting" and elapsed < self.s.queue_seconds:
            return "waiting"
        waiting_approval = any(s == "wait_for_approval" for s in task.jobs.values())
        approval = [j for st in task.workflow.stages for j in st.jobs if j.type == "approval"]
        if approval and approval[0].name in task.jobs and not waiting_approval:
            if task.jobs[approval[0].name] == "":
                task.jobs[approval[0].name] = "wait_for_approval"
                waiting_approval = True
        if waiting_approval:
            return self.s.approval_task_status
        if elapsed < self.s.queue_seconds + self.s.run_seconds:
            return "running"
        self.end(task, "reject" if "reject" in task.jobs.values() else "passed")
        return task.status

    def end(self, task: FakeTask, status: str) -> None:
        task.status, task.since, task.end_time = status, time.time(), int(time.time())

    def next_id(self, key: str) -> int:
        if self.s.ids_do_not_increase:
            return self.s.first_id
        value = self.counters.get(key, self.s.first_id - 1) + 1
        self.counters[key] = value
        return value


def go_int(raw: str | None) -> int | None:
    """gin's form binding of an int64: empty is 0, else strconv.ParseInt or None."""
    if raw is None or raw == "":
        return 0
    if not GO_INT.fullmatch(raw) or not -INT64 <= int(raw) < INT64:
        return None
    return int(raw)


def go_json_error(raw: bytes) -> str | None:
    """Roughly what encoding/json says of a body it cannot decode (None: it decodes)."""
    if not raw.strip():
        return "unexpected end of JSON input"
    try:
        json.loads(raw)
    except ValueError as exc:
        return f"invalid character at offset {getattr(exc, 'pos', 0)}"
    return None


def build_app(switches: Switches | None = None, world: dict[str, FakeWorkflow] | None = None):
    s = switches or Switches()
    fake = Fake(s, world)
    users = USERS

    def user_of(request: Request) -> User | None | bool:
        """The token's user; False: the gateway refuses (401)."""
        token = request.query_params.get("token")
        if token is None:
            parts = request.headers.get("authorization", "").split(" ")
            if len(parts) != 2:
                return None if s.ignore_auth else False
            token = parts[1]
        user = users.get(token)
        if user is None and not s.ignore_auth:
            return False
        return user

    def task_row(task: FakeTask, project_key: str) -> dict[str, Any]:
        status = fake.status(task)
        return {
            "workflow_key": task.workflow.key,
            "workflow_name": task.workflow.display_name,
            "project_key": project_key,
            "task_id": task.task_id,
            "create_time": task.create_time,
            "task_creator": task.creator,
            "start_time": task.start_time,
            "end_time": task.end_time,
            "status": status.upper() if s.list_upper_status else status.lower(),
        }

    def preview(task: FakeTask) -> dict[str, Any]:
        status = fake.status(task)
        stages = []
        for stage in task.workflow.stages:
            jobs = [
                {
                    "name": job.name,
                    "key": job.name,
                    "display_name": job.name,
                    "type": job.type,
                    "status": task.jobs[job.name] or ("running" if status == "running" else ""),
                    "start_time": task.start_time,
                    "end_time": task.end_time,
                    "spec": {},
                    "error": "",
                }
                for job in stage.jobs
                if job.name in task.jobs
            ]
            if jobs:
                stages.append({"name": stage.name, "status": status, "jobs": jobs, "error": ""})
        if s.nil_lists:
            for stage in stages:
                stage["jobs"] = [{**job, "spec": None} for job in stage["jobs"]]
        body: dict[str, Any] = {
            "task_id": task.task_id,
            "workflow_key": task.workflow.key,
            "workflow_name": task.workflow.display_name,
            "params": None if s.nil_lists else [],
            "status": status,
            "reverted": False,
            "remark": "",
            "task_creator": task.creator,
            "create_time": task.create_time,
            "start_time": task.start_time,
            "stages": stages,
            "project_key": task.workflow.project,
            "is_restart": False,
            "debug": False,
        }
        if task.revoker:
            body["task_revoker"] = task.revoker
        if task.end_time:
            body["end_time"] = task.end_time
        return body

    async def trigger(request: Request) -> Response:
        user = user_of(request)
        if user is False:
            return fake.empty(401)
        raw = await request.body()
        if (why := go_json_error(raw)) is not None:
            return fake.error(400, why)
        body = json.loads(raw)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            return fake.error(400, "json: cannot unmarshal into Go value")
        for name, kind in (("workflow_key", str), ("project_key", str)):
            if body.get(name) is not None and not isinstance(body[name], kind):
                return fake.error(400, f"json: cannot unmarshal into field {name}")
        for name in ("parameters", "inputs"):
            if body.get(name) is not None and not isinstance(body[name], list):
                return fake.error(400, f"json: cannot unmarshal into field {name}")
        project = body.get("project_key") or ""
        if user is not None and not (user.admin or project in user.projects):
            return fake.empty(403)
        if s.inputs_required and not body.get("inputs"):
            return fake.error(400, "inputs is required")
        workflow = fake.world.get(body.get("workflow_key") or "")
        if workflow is None:
            if not s.unknown_workflow_accepted:
                return fake.error(s.trigger_code, MONGO_NOT_FOUND)
            workflow = FakeWorkflow(body.get("workflow_key") or "", project, "", ())
        if workflow.approval_ticket:
            return fake.error(
                6160,
                "workflow need approval ticket to run, which is not supported by openAPI "
                "right now.",
            )
        for param in body.get("parameters") or []:
            name = (param or {}).get("name")
            if name not in workflow.params:
                return fake.plain(f"param {name} not found in workflow")
            options = workflow.params[name]
            if options is not None and param.get("value") not in options:
                return fake.plain(f"invalid choice value {param.get('value')} for param {name}")
        task_id = fake.next_id(workflow.key)
        named = {(i or {}).get("job_name") for i in body.get("inputs") or []}
        if s.no_inputs_runs_every_job and not body.get("inputs"):
            named = {j.name for st in workflow.stages for j in st.jobs}
        jobs = {j.name: "" for st in workflow.stages for j in st.jobs if j.name in named}
        for stage in workflow.stages:
            for job in stage.jobs:
                if job.name not in named and job.run_policy == "force_run":
                    return fake.error(
                        6160, f"job {job.name} skipped, but the run policy is set to force run"
                    )
        if not jobs and not s.unknown_workflow_accepted:
            return fake.error(
                s.no_stage_code,
                s.no_stage_description.format(workflow=workflow.key, id=task_id),
            )
        if workflow.disabled:
            return fake.error(6160, "workflow is disabled")
        now = time.time()
        fake.created += 1
        task = FakeTask(
            workflow,
            task_id,
            user.name if user else "system",
            s.triggered_status,
            int(now),
            int(now),
            now,
            jobs=jobs,
        )
        fake.tasks[(workflow.key, task_id)] = task
        return fake.answer(
            {"project_name": workflow.project, "workflow_name": workflow.key, "task_id": task_id}
        )

    def find(request: Request) -> tuple[FakeTask | None, Response | None]:
        task_id = go_int(request.query_params.get("taskId"))
        if task_id is None:
            return None, fake.empty(s.non_numeric_status)
        key = request.query_params.get("workflowKey", "")
        return fake.tasks.get((key, task_id)), None

    async def detail(request: Request) -> Response:
        if user_of(request) is False:
            return fake.empty(401)
        task, refused = find(request)
        if refused is not None:
            return refused
        if task is None:
            if s.detail_missing_status != 500:
                return fake.error(400, MONGO_NOT_FOUND, s.detail_missing_status)
            return fake.plain(MONGO_NOT_FOUND)
        return fake.answer(preview(task))

    async def cancel(request: Request) -> Response:
        user = user_of(request)
        if user is False:
            return fake.empty(401)
        task, refused = find(request)
        if refused is not None:
            return refused
        if task is None:
            return fake.error(s.cancel_code, MONGO_NOT_FOUND)
        if fake.status(task) == "passed" and not s.cancel_of_passed_accepted:
            description = f"task: {task.workflow.key}:{task.task_id} is passed, cannot cancel"
            return fake.error(s.cancel_code, description)
        task.status, task.since = s.cancel_status, time.time()
        task.revoker = user.name if user else "system"
        return fake.answer({"message": s.success_message})

    async def list_tasks(request: Request) -> Response:
        if user_of(request) is False:
            return fake.empty(401)
        query = request.query_params
        page_num = go_int(query.get("pageNum"))
        page_size = go_int(query.get("pageSize"))
        if page_num is None or page_size is None:
            return fake.empty(s.non_numeric_status)
        if "pageNum" not in query:
            page_num = 1
        if "pageSize" not in query:
            page_size = 50 if s.page_size_50 else s.list_default_page_size
        name = request.path_params["name"]
        project = query.get("projectKey", "")
        if s.list_unknown_404 and name not in fake.world:
            return fake.error(400, "workflowKey is required", 404)
        rows = [
            t
            for t in [*fake.tasks.values(), *fake.copies]
            if t.workflow.key == name and (s.list_ignores_project or t.workflow.project == project)
        ]
        total = len(rows)
        if page_num:
            # aslan sorts by create_time alone; Mongo returns the tasks of one second in
            # insertion order (the faithful default breaks the tie by id, newest first).
            if s.list_ties_in_insertion_order:
                order = lambda t: t.create_time  # noqa: E731
            else:
                order = lambda t: (t.create_time, t.task_id)  # noqa: E731
            rows.sort(key=order, reverse=not s.list_oldest_first)
            rows = rows[(page_num - 1) * page_size :][:page_size]
        return fake.answer({"total": total, "workflow_tasks": [task_row(t, project) for t in rows]})

    async def retry(request: Request) -> Response:
        user = user_of(request)
        if user is False:
            return fake.empty(401)
        raw = request.path_params["task_id"]
        task_id = go_int(raw) if raw else None
        if task_id is None:
            return fake.error(400, "taksID is invalid")
        task = fake.tasks.get((request.path_params["name"], task_id))
        if task is None:
            return fake.error(s.retry_code, MONGO_NOT_FOUND)
        status = fake.status(task)
        if status not in RETRYABLE and status not in s.retry_accepted_from:
            return fake.plain("工作流任务状态无法重试", s.retry_wrong_state_status)
        if s.retry_new_id:
            new_id = fake.next_id(task.workflow.key)
            now = time.time()
            fake.tasks[(task.workflow.key, new_id)] = FakeTask(
                task.workflow, new_id, task.creator, "waiting", int(now), int(now), now,
                jobs=dict.fromkeys(task.jobs, ""),
            )  # fmt: skip
            return fake.answer({"message": s.success_message})
        now = time.time()
        task.status, task.since, task.start_time, task.end_time = "waiting", now, int(now), 0
        task.jobs = {name: ("" if st != "passed" else st) for name, st in task.jobs.items()}
        task.decisions = {}
        if s.retry_inserts:
            fake.copies.append(replace(task, jobs=dict(task.jobs)))
        return fake.answer({"message": s.success_message})

    async def approve(request: Request) -> Response:
        user = user_of(request)
        if user is False:
            return fake.empty(401)
        raw = await request.body()
        if (why := go_json_error(raw)) is not None:
            return fake.plain(f"failed to unmarshal request data, error: {why}")
        body = json.loads(raw)
        if not isinstance(body, dict):
            return fake.plain("failed to unmarshal request data, error: not an object")
        key, job, task_id = body.get("workflow_key"), body.get("stage_name"), body.get("task_id")
        if not key or not job or not task_id:
            description = f"can not find approved workflow: {key}, taskID: {task_id},jobName: {job}"
            return fake.error(s.approve_code, description)
        task = fake.tasks.get((key, task_id))
        if task is not None:
            fake.status(task)
            if s.approve_unknown_job_accepted and job not in task.jobs:
                return fake.answer({"message": s.success_message})
        if task is None or task.jobs.get(job) != "wait_for_approval":
            return fake.error(s.approve_code, "not found approval")
        approvers = next(
            j.approvers for st in task.workflow.stages for j in st.jobs if j.name == job
        )
        name = user.name if user else "system"
        uid = user.uid if user else ""
        if uid not in approvers and not s.approve_ignores_approvers:
            if s.refused_approval_decides:
                task.jobs[job] = "passed"
            if s.non_approver_403:
                return fake.empty(403)
            return fake.error(s.approve_code, f"user {name} has no authority to Approve")
        if uid in task.decisions:
            return fake.error(s.approve_code, f"{name} have {task.decisions[uid]} already")
        if s.approve_decides_nothing:
            return fake.answer({"message": s.success_message})
        decision = "approve" if body.get("approve") and not s.approve_records_reject else "reject"
        task.decisions[uid] = decision
        task.jobs[job] = "passed" if decision == "approve" else "reject"
        if decision == "reject":
            fake.end(task, "reject")
        return fake.answer({"message": s.success_message})

    async def not_found(request: Request, exc: Exception) -> Response:
        return PlainTextResponse(f"Invalid path: {request.url.path}", 404)

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return PlainTextResponse(f"Method not allowed: {request.method} {request.url.path}", 405)

    routes = [
        Route(PREFIX + "/custom/task/approve", approve, methods=["POST"]),
        Route(PREFIX + "/custom/task", trigger, methods=["POST"]),
        Route(PREFIX + "/custom/task", detail, methods=["GET"]),
        Route(PREFIX + "/custom/task", cancel, methods=["DELETE"]),
        Route(PREFIX + "/custom/{name}/tasks", list_tasks, methods=["GET"]),
        Route(PREFIX + "/custom/{name}/task/{task_id}", retry, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed})
    app.state.fake = fake
    return app
