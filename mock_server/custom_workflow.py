"""The rules of today's workflow-task OpenAPI (`/openapi/workflows/custom/...`, Zadig 1.15 to
5.x): trigger, detail, list, cancel, retry and approve tasks of custom workflows, as aslan's
source does them (the behavior file `zadig-openapi-workflow-behavior.md`, sections 4-8).

Plain data and rules over a `CustomTaskStore`; no HTTP here. Errors are the catalogue's (the
spec's `x-zadig-error-catalogue`), including its answers outside the envelope."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from api_contract.catalogue import Catalogue

# The statuses aslan defines (config/consts.go); a forced status is one of them.
STATUSES = (
    "created",
    "running",
    "passed",
    "failed",
    "timeout",
    "cancelled",
    "waiting",
    "queued",
    "blocked",
    "pending",
    "reject",
    "pause",
    "skipped",
    "disabled",
    "changed",
    "notRun",
    "prepare",
    "distributed",
    "wait_for_approval",
    "debug_before",
    "debug_after",
    "unstable",
    "wait_for_manual_error_handling",
)
ENDINGS = ("passed", "failed", "timeout", "cancelled", "reject")
RETRYABLE = ("failed", "timeout", "cancelled", "reject")
WAITING_FOR_APPROVAL = "wait_for_approval"
APPROVAL_JOB = "approval"
# aslan's counter key per workflow (setting.WorkflowTaskV4Fmt): apart from v1.7.1's counters.
COUNTER_PREFIX = "WorkflowTaskV4:"

Clock = Callable[[], float]


@dataclass(frozen=True)
class User:
    """The caller, as aslan reads the token's claims (`name`, `uid`)."""

    name: str
    uid: str
    admin: bool = False
    projects: frozenset[str] = frozenset()  # where the user may run workflows (non-admins)


@dataclass(frozen=True)
class Job:
    name: str
    type: str
    run_policy: str = ""  # "force_run": the job may not be skipped
    approvers: tuple[str, ...] = ()  # user names, for an approval job
    needed_approvers: int = 1  # approvals that pass it; one rejection rejects it


@dataclass(frozen=True)
class Stage:
    name: str
    jobs: tuple[Job, ...]


@dataclass(frozen=True)
class CustomWorkflow:
    key: str
    project: str
    display_name: str
    stages: tuple[Stage, ...]
    params: dict[str, tuple[str, ...] | None] = field(default_factory=dict)  # choice: options
    disabled: bool = False
    approval_ticket: bool = False
    outcome: str = "passed"  # how its tasks end on the clock

    def job(self, name: str) -> Job | None:
        return next((j for s in self.stages for j in s.jobs if j.name == name), None)


@dataclass(frozen=True)
class CustomTask:
    """One task as the store keeps it; `status` is as set, the clock moves it on."""

    workflow_key: str
    task_id: int
    project: str
    creator: str
    status: str
    since: float  # when `status` was set
    create_time: int
    start_time: int
    end_time: int = 0
    revoker: str = ""
    jobs: tuple[tuple[str, str], ...] = ()  # selected jobs in order: (name, status set)
    decisions: tuple[tuple[str, str], ...] = ()  # (approver name, approve/reject)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workflow_key": self.workflow_key,
            "task_id": self.task_id,
            "project": self.project,
            "creator": self.creator,
            "status": self.status,
            "since": self.since,
            "create_time": self.create_time,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "revoker": self.revoker,
            "jobs": [list(j) for j in self.jobs],
            "decisions": [list(d) for d in self.decisions],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CustomTask:
        fields = {**raw, "jobs": tuple(map(tuple, raw["jobs"]))}
        fields["decisions"] = tuple(map(tuple, raw["decisions"]))
        return cls(**fields)


@dataclass
class CustomWorld:
    """What exists besides tasks: the custom workflows and the users tokens stand for."""

    workflows: dict[str, CustomWorkflow] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # token -> user
    default_user: User = User("admin", "admin", admin=True)  # any other token
    tasks: list[CustomTask] = field(default_factory=list)
    task_duration: float = 30.0  # seconds from trigger to the end; 0 freezes every task


class CustomTaskStore(Protocol):
    """Tasks keyed by (workflow key, task id) and counters; async, as a shared store is remote."""

    async def next_id(self, counter: str) -> int: ...  # atomic
    async def get_custom(self, workflow_key: str, task_id: int) -> CustomTask | None: ...
    async def put_custom(self, task: CustomTask) -> None: ...
    async def custom_tasks(self, workflow_key: str) -> list[CustomTask]: ...


@dataclass(frozen=True)
class TaskView:
    """A task as read at one instant: its status and its jobs' statuses by the clock."""

    task: CustomTask
    workflow: CustomWorkflow | None
    status: str
    jobs: tuple[tuple[str, str], ...]
    end_time: int


class CustomWorkflowTasks:
    """Trigger, read, list, cancel, retry and approve as aslan's OpenAPI handlers do."""

    def __init__(
        self,
        world: CustomWorld,
        store: CustomTaskStore,
        catalogue: Catalogue,
        clock: Clock = time.time,
    ) -> None:
        self.world = world
        self.store = store
        self.errors = catalogue
        self.clock = clock

    # -- reading -------------------------------------------------------------------------------
    def view(self, task: CustomTask) -> TaskView:
        """waiting for a third of `task_duration`, then running, then the workflow's outcome;
        an approval job waits (`wait_for_approval`, the task `running`) until decided."""
        workflow = self.world.workflows.get(task.workflow_key)
        duration = self.world.task_duration
        jobs = dict(task.jobs)
        if task.status not in ("waiting", "running") or duration <= 0:
            return TaskView(task, workflow, task.status, task.jobs, task.end_time)
        elapsed = self.clock() - task.since
        if task.status == "waiting" and elapsed < duration / 3:
            return TaskView(task, workflow, "waiting", task.jobs, 0)
        pending = [
            name
            for name, status in jobs.items()
            if status == ""
            and workflow
            and (job := workflow.job(name))
            and job.type == APPROVAL_JOB
        ]
        if pending or WAITING_FOR_APPROVAL in jobs.values():
            for name in pending:
                jobs[name] = WAITING_FOR_APPROVAL
            others = {n: s or "running" for n, s in jobs.items()}
            return TaskView(task, workflow, "running", tuple(others.items()), 0)
        if elapsed < duration:
            running = tuple((n, s or "running") for n, s in jobs.items())
            return TaskView(task, workflow, "running", running, 0)
        outcome = workflow.outcome if workflow else "passed"
        ended = tuple((n, s or outcome) for n, s in jobs.items())
        end = int(task.since + duration)
        return TaskView(task, workflow, outcome, ended, end)

    async def detail(self, workflow_key: str, task_id: int) -> TaskView:
        task = await self.store.get_custom(workflow_key, task_id)
        if task is None:
            raise self.errors.error(500, "task_not_found")
        return self.view(task)

    async def all(self) -> list[TaskView]:
        """Every task of the world's workflows, by workflow then id (the admin API's)."""
        found = []
        for key in sorted(self.world.workflows):
            found += [self.view(task) for task in await self.store.custom_tasks(key)]
        return found

    async def page(
        self, workflow_key: str, project_key: str, page_num: int, page_size: int
    ) -> tuple[int, list[TaskView]]:
        """The workflow's tasks in `project_key`, newest first, one page; (total, page).
        pageNum 0: every task, unsorted (aslan's filter then sets no skip, limit nor sort)."""
        tasks = [t for t in await self.store.custom_tasks(workflow_key) if t.project == project_key]
        total = len(tasks)
        if page_num != 0:
            tasks.sort(key=lambda t: (t.create_time, t.task_id), reverse=True)
            start = max(page_num - 1, 0) * page_size
            tasks = tasks[start : start + page_size] if page_size > 0 else tasks[start:]
        return total, [self.view(t) for t in tasks]

    # -- writing -------------------------------------------------------------------------------
    async def trigger(self, user: User, body: dict[str, Any]) -> CustomTask:
        """`body` is the decoded JSON object (its fields of the right JSON types)."""
        project = body.get("project_key") or ""
        if not (user.admin or project in user.projects):
            raise self.errors.empty(403)
        key = body.get("workflow_key") or ""
        workflow = self.world.workflows.get(key)  # by key alone, whatever the project
        if workflow is None:
            raise self.errors.error(6542, "workflow_not_found")
        if workflow.approval_ticket:
            raise self.errors.error(6160, "approval_ticket")
        for param in body.get("parameters") or ():
            name = (param or {}).get("name")
            if name not in workflow.params:
                raise self.errors.error(500, "param_not_found", name=name)
            options = workflow.params[name]
            if options is not None and param.get("type") == "choice":
                if param.get("value") not in options:
                    raise self.errors.error(500, "bad_choice", name=name, value=param.get("value"))
        # The id is taken before the jobs are checked: a refused trigger leaves a gap.
        task_id = await self.store.next_id(COUNTER_PREFIX + key)
        named = {(i or {}).get("job_name") for i in body.get("inputs") or ()}
        for stage in workflow.stages:
            for job in stage.jobs:
                if job.name not in named and job.run_policy == "force_run":
                    raise self.errors.error(6160, "force_run_skipped", job=job.name)
        jobs = tuple((j.name, "") for s in workflow.stages for j in s.jobs if j.name in named)
        if not jobs:
            raise self.errors.error(6160, "no_stages", workflow=key, id=task_id)
        if workflow.disabled:
            raise self.errors.error(6160, "disabled")
        now = self.clock()
        task = CustomTask(
            key, task_id, workflow.project, user.name, "waiting", now, int(now), int(now), jobs=jobs
        )
        await self.store.put_custom(task)
        return task

    async def cancel(self, user: User, workflow_key: str, task_id: int) -> CustomTask:
        task = await self.store.get_custom(workflow_key, task_id)
        if task is None:
            raise self.errors.error(6163, "task_not_found")
        if self.view(task).status == "passed":
            raise self.errors.error(6163, "task_passed", workflow=workflow_key, id=task_id)
        # Cancel does not set end_time: a running task's controller would, a waiting one keeps 0.
        view = self.view(task)
        end = int(self.clock()) if view.status != "waiting" else 0
        cancelled = replace(
            task, status="cancelled", since=self.clock(), revoker=user.name, end_time=end
        )
        await self.store.put_custom(cancelled)
        return cancelled

    async def retry(self, workflow_key: str, task_id: int) -> CustomTask:
        task = await self.store.get_custom(workflow_key, task_id)
        if task is None:
            raise self.errors.error(6161, "task_not_found")
        view = self.view(task)
        if view.status not in RETRYABLE:
            raise self.errors.error(500, "not_retryable")
        now = self.clock()
        # Jobs that passed keep their status; the others run again.
        jobs = tuple((n, s if s in ("passed", "skipped") else "") for n, s in view.jobs)
        retried = replace(
            task,
            status="waiting",
            since=now,
            start_time=int(now),
            end_time=0,
            jobs=jobs,
            decisions=(),
        )
        await self.store.put_custom(retried)
        return retried

    async def approve(self, user: User, body: dict[str, Any]) -> CustomTask:
        key = body.get("workflow_key") or ""
        job_name = body.get("stage_name") or ""  # aslan takes it as the approval job's name
        task_id = body.get("task_id") or 0
        if not key or not job_name or not task_id:
            raise self.errors.error(
                6169, "no_approval_target", workflow=key, id=task_id, job=job_name
            )
        task = await self.store.get_custom(key, task_id)
        view = None if task is None else self.view(task)
        if task is None or view is None or dict(view.jobs).get(job_name) != WAITING_FOR_APPROVAL:
            raise self.errors.error(6169, "not_found_approval")
        job = view.workflow.job(job_name) if view.workflow else None
        if job is None or user.name not in job.approvers:
            raise self.errors.error(6169, "not_approver", user=user.name)
        decided = dict(task.decisions)
        if user.name in decided:
            raise self.errors.error(
                6169, "already_decided", user=user.name, decision=decided[user.name]
            )
        decision = "approve" if body.get("approve") is True else "reject"
        decisions = (*task.decisions, (user.name, decision))
        approvals = sum(1 for _, d in decisions if d == "approve")
        after = WAITING_FOR_APPROVAL
        if decision == "reject":
            after = "reject"
        elif approvals >= job.needed_approvers:
            after = "passed"
        # The other jobs keep running on the clock: store them as set, not as read.
        stored = tuple((n, after if n == job_name else s) for n, s in task.jobs)
        updated = replace(task, jobs=stored, decisions=decisions)
        if decision == "reject":
            now = self.clock()
            updated = replace(updated, status="reject", since=now, end_time=int(now))
        await self.store.put_custom(updated)
        return updated

    async def force_status(
        self, workflow_key: str, task_id: int, status: str, job: str | None = None
    ) -> CustomTask | None:
        """Any status by hand (the admin API), for the task or one of its jobs (e.g.
        `wait_for_approval`); None when there is no such task or job."""
        task = await self.store.get_custom(workflow_key, task_id)
        if task is None:
            return None
        now = self.clock()
        if job is not None:
            if job not in dict(task.jobs):
                return None
            jobs = tuple((n, status if n == job else s) for n, s in task.jobs)
            updated = replace(task, jobs=jobs)
            if status == WAITING_FOR_APPROVAL:
                updated = replace(updated, status="running", since=now, end_time=0)
        else:
            end = int(now) if status in ENDINGS else 0
            updated = replace(task, status=status, since=now, end_time=end)
        await self.store.put_custom(updated)
        return updated

    def caller(self, token: str | None, claims: dict[str, Any] | None = None) -> User:
        """Who a token stands for: its JWT claims when it has them, a user of the world, or the
        world's default user."""
        if claims and isinstance(claims.get("name"), str):
            name = claims["name"]
            known = next((u for u in self.world.users.values() if u.name == name), None)
            return known or User(name, str(claims.get("uid", "")))
        if token is not None and token in self.world.users:
            return self.world.users[token]
        return self.world.default_user
