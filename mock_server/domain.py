"""The rules of Zadig v1.7.1 for workflow tasks: create, restart, cancel, and the task lifecycle."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import orjson

from api_contract.catalogue import Catalogue

STATUSES = (
    "created",
    "waiting",
    "blocked",
    "queued",
    "running",
    "passed",
    "failed",
    "timeout",
    "cancelled",
)
# The clock moves a task along these steps; other statuses stay until changed by hand.
LIFECYCLE = ("created", "queued", "running")
ENDINGS = ("passed", "failed", "timeout", "cancelled")  # how a task can end
# The statuses in which v1.7.1 refuses a restart (6164) or a cancel (6163) of a task.
NOT_RESTARTABLE = ("running", "passed")
NOT_CANCELLABLE = ("passed",)
INT64_MAX = 2**63 - 1


class IdsExhausted(Exception):
    """A workflow's task id counter is at int64's maximum (only a seed can get it there)."""


Clock = Callable[[], float]


@dataclass(frozen=True)
class Project:
    name: str
    envs: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Workflow:
    name: str
    project: str
    outcome: str | None = None  # "passed"/"failed"/...: how its tasks end; None = failure_rate
    services: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)  # slots: a million stored tasks, no __dict__ each
class Task:
    pipeline_name: str
    task_id: int
    project: str
    status: str
    since: float  # when `status` was set; the lifecycle counts from here
    created_at: float
    targets: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "pipeline_name": self.pipeline_name,
            "task_id": self.task_id,
            "project": self.project,
            "status": self.status,
            "status_since": self.since,
            "created_at": self.created_at,
            "targets": list(self.targets),
        }


@dataclass
class World:
    """What exists besides tasks: projects, workflows, tokens, and how tasks progress."""

    projects: dict[str, Project] = field(default_factory=dict)
    workflows: dict[str, Workflow] = field(default_factory=dict)
    tokens: dict[str, frozenset[str] | None] = field(default_factory=dict)  # None: any project
    tasks: list[Task] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)  # last id handed out per workflow
    task_duration: float = 30.0  # seconds from created to the end; 0 freezes every task
    failure_rate: float = 0.0
    auth: bool = True  # False: no token wanted (--no-auth); no tokens listed: any token passes


class Store(Protocol):
    """Tasks and id counters (see store.py); async, since a shared one is remote."""

    async def next_id(self, pipeline: str) -> int: ...  # atomic; IdsExhausted past int64
    async def get(self, pipeline: str, task_id: int) -> Task | None: ...
    async def put(self, task: Task) -> None: ...
    async def all(self) -> list[Task]: ...
    async def reset(self, world: World) -> None: ...


def status_at(task: Task, world: World, now: float) -> str:
    """The task's status at `now`: created -> queued -> running -> outcome, a third of
    `task_duration` each."""
    if task.status not in LIFECYCLE or world.task_duration <= 0:
        return task.status
    steps = int((now - task.since) // (world.task_duration / 3))
    position = LIFECYCLE.index(task.status) + max(steps, 0)
    if position < len(LIFECYCLE):
        return LIFECYCLE[position]
    return outcome(task, world)


def outcome(task: Task, world: World) -> str:
    workflow = world.workflows.get(task.pipeline_name)
    if workflow and workflow.outcome:
        return workflow.outcome
    # Seeded by the task's identity so that every read agrees on the outcome.
    draw = random.Random(f"{task.pipeline_name}:{task.task_id}:{task.since}").random()
    return "failed" if draw < world.failure_rate else "passed"


class SharedTargets:
    """One tuple for identical `targets` lists: clients send the same few bodies again and
    again, and a million tasks should not hold a million copies. At most `limit` distinct
    lists are remembered; others are stored as they come."""

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self.known: dict[bytes, tuple[dict[str, Any], ...]] = {}

    def share(self, targets: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
        key = orjson.dumps(targets)  # same bytes: same items, same order
        found = self.known.get(key)
        if found is None:
            found = tuple(targets)
            if len(self.known) < self.limit:
                self.known[key] = found
        return found


class WorkflowTasks:
    """Create, restart and cancel tasks as aslan v1.7.1 does; ids from a per-workflow counter."""

    def __init__(
        self, world: World, store: Store, catalogue: Catalogue, clock: Clock = time.time
    ) -> None:
        self.world = world
        self.store = store
        self.errors = catalogue
        self.clock = clock
        self.targets = SharedTargets()

    async def create(self, body: dict[str, Any]) -> Task:
        project = body["product_tmpl_name"]
        name = body["workflow_name"]
        env = body["namespace"]
        if project not in self.world.projects:
            raise self.errors.error(6542, "project_not_found")
        workflow = self.world.workflows.get(name)
        # aslan looks workflows up by name alone (names are unique across projects).
        if workflow is None:
            raise self.errors.error(6542, "workflow_not_found")
        if env and env not in self.world.projects[project].envs:
            raise self.errors.error(6160, "env_not_found", project=project, env=env)
        # The counter is bumped before the stages check: an empty create leaves a gap.
        try:
            task_id = await self.store.next_id(name)
        except IdsExhausted:
            # MongoDB refuses to $inc past int64 and aslan answers its internal error.
            raise self.errors.error(
                500, description=f"task id counter of {name} is at the int64 maximum"
            ) from None
        if not body["targets"]:
            raise self.errors.error(6160, "no_stages")
        now = self.clock()
        targets = self.targets.share(body["targets"])
        task = Task(name, task_id, project, "created", now, now, targets)
        await self.store.put(task)
        return task

    async def restart(self, pipeline: str, task_id: int) -> Task:
        task = await self._find(pipeline, task_id, 6164)
        if self.status(task) in NOT_RESTARTABLE:
            raise self.errors.error(6164, "task_not_restartable")
        return await self._set(task, "created")

    async def cancel(self, pipeline: str, task_id: int) -> Task:
        task = await self._find(pipeline, task_id, 6163)
        if self.status(task) in NOT_CANCELLABLE:
            raise self.errors.error(6163, "task_passed", pipeline=pipeline, id=task_id)
        return await self._set(task, "cancelled")

    async def force_status(self, pipeline: str, task_id: int, status: str) -> Task | None:
        """Set any status by hand (the admin API); None when there is no such task."""
        task = await self.store.get(pipeline, task_id)
        return None if task is None else await self._set(task, status)

    async def tasks(self, pipeline: str | None = None) -> list[Task]:
        return [
            self.current(t)
            for t in await self.store.all()
            if pipeline is None or t.pipeline_name == pipeline
        ]

    def status(self, task: Task) -> str:
        return status_at(task, self.world, self.clock())

    def current(self, task: Task) -> Task:
        return replace(task, status=self.status(task))

    def check_id(self, task_id: int) -> None:
        if not -INT64_MAX - 1 <= task_id <= INT64_MAX:
            raise self.errors.error(400, "bad_task_id")

    async def _find(self, pipeline: str, task_id: int, code: int) -> Task:
        self.check_id(task_id)
        task = await self.store.get(pipeline, task_id)
        if task is None:
            raise self.errors.error(code, "task_not_found")
        return task

    async def _set(self, task: Task, status: str) -> Task:
        updated = replace(task, status=status, since=self.clock())
        await self.store.put(updated)
        return updated
