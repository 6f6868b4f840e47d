"""The admin API under /_mock (described by admin.yaml): reset, tasks, journal, forced answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.domain import World
from mock_server.forced_answers import Forced
from mock_server.options import MockOptions
from mock_server.state import MockState


def auth_mode(world: World) -> str:
    """What the API wants: "off", "any-token" (out of the box) or "tokens" (listed ones)."""
    if not world.auth:
        return "off"
    return "tokens" if world.tokens else "any-token"


@dataclass
class AdminHandlers:
    mock: MockState
    forced_defaults: dict[str, Any]  # admin.yaml's defaults for a queued Forced
    answers: list[dict[str, Any]] = field(default_factory=list)  # forced_answers.documented_answers
    options: MockOptions = field(default_factory=MockOptions)  # how this mock was started

    async def reset_mock(self) -> tuple[dict, int]:
        await self.mock.reset()
        return {"message": "reset"}, 200

    async def show_world(self) -> tuple[dict, int]:
        world = self.mock.tasks.world
        return {
            "projects": {
                p.name: {"envs": sorted(p.envs), "services": sorted(p.services)}
                for p in world.projects.values()
            },
            "workflows": {
                w.name: {"project": w.project, "outcome": w.outcome, "services": sorted(w.services)}
                for w in world.workflows.values()
            },
            "auth": auth_mode(world),
            "lifecycle": {"task_duration": world.task_duration, "failure_rate": world.failure_rate},
        }, 200

    async def list_tasks(self, pipeline: str | None = None) -> tuple[list, int]:
        return [t.as_dict() for t in await self.mock.tasks.tasks(pipeline)], 200

    async def set_task_status(self, pipeline: str, id: int, body: dict[str, Any]) -> tuple:
        tasks = self.mock.tasks
        tasks.check_id(id)
        task = await tasks.force_status(pipeline, id, body["status"])
        if task is None:
            raise self.mock.catalogue.error(404, description=f"no task {pipeline}:{id}")
        return tasks.current(task).as_dict(), 200

    async def list_custom_tasks(self) -> tuple[list, int]:
        rules = self.mock.custom
        views = await rules.all() if rules is not None else []
        return [
            {
                "workflow_key": view.task.workflow_key,
                "task_id": view.task.task_id,
                "project_key": view.task.project,
                "status": view.status,
                "jobs": [
                    {"name": name, "type": job.type if job else "", "status": status}
                    for name, status in view.jobs
                    for job in [view.workflow.job(name) if view.workflow else None]
                ],
            }
            for view in views
        ], 200

    async def set_custom_task_status(
        self,
        workflowKey: str,
        taskId: int,
        body: dict[str, Any],  # noqa: N803 (the spec's names)
    ) -> tuple[dict, int]:
        rules = self.mock.custom
        task = None
        if rules is not None:
            task = await rules.force_status(workflowKey, taskId, body["status"], body.get("job"))
        if rules is None or task is None:
            where = f" job {body['job']}" if body.get("job") else ""
            raise self.mock.catalogue.error(
                404, description=f"no task {workflowKey}:{taskId}{where}"
            )
        return task.as_dict(), 200

    async def list_requests(self, limit: int = 100) -> tuple[list, int]:
        return await self.mock.store.requests(limit), 200

    async def clear_requests(self) -> tuple[dict, int]:
        await self.mock.store.clear_requests()
        return {"message": "cleared"}, 200

    async def list_forced(self) -> tuple[list, int]:
        return [f.as_dict() for f in await self.mock.overrides.queue()], 200

    async def push_forced(self, body: dict[str, Any]) -> tuple[list, int]:
        operation = body.get("operation")
        if operation is not None and operation not in self.mock.operations:
            known = ", ".join(sorted(self.mock.operations))
            raise self.mock.catalogue.error(
                400, description=f"unknown operation {operation!r} ({known})"
            )
        given = {key: value for key, value in body.items() if value is not None}
        queue = await self.mock.overrides.push(Forced(**{**self.forced_defaults, **given}))
        return [f.as_dict() for f in queue], 200

    async def clear_forced(self) -> tuple[dict, int]:
        await self.mock.overrides.clear()
        return {"message": "cleared"}, 200

    async def list_answers(self) -> tuple[list, int]:
        return self.answers, 200

    async def show_options(self) -> tuple[dict, int]:
        world = self.mock.tasks.world
        found = await self.mock.store.health()
        options = self.options
        return {
            "auth": auth_mode(world),
            "task_duration": world.task_duration,
            "latency_ms": options.latency_ms,
            "strict": options.strict,
            "cors": options.cors,
            "admin_token": options.admin_token is not None,
            "workers": options.workers,
            "state": found["state"],
            "reachable": found["reachable"],
        }, 200

    async def health(self) -> tuple[dict, int]:
        """Answered whether or not the shared state can be reached (a load balancer's probe)."""
        found = await self.mock.store.health()
        ok = found["reachable"] and "lost" not in found
        return {"status": "ok" if ok else "degraded", **found}, 200
