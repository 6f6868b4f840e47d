"""One thin handler per operationId of the spec; the rules are in `domain`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mock_server.domain import WorkflowTasks

SUCCESS = {"message": "success"}

# Parameter names follow the spec (`id`, `projectName`): connexion passes them by name.


@dataclass
class WorkflowTaskHandlers:
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
