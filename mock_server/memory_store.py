"""The state in this process's dicts and lists: one mock, lost when it ends."""

from __future__ import annotations

from collections import deque
from typing import Any

from mock_server.custom_workflow import CustomTask
from mock_server.domain import INT64_MAX, IdsExhausted, Task, World
from mock_server.store import JOURNAL_SIZE, seeded_counters


class MemoryStore:
    kind = "memory"

    def __init__(self) -> None:
        self.tasks: dict[tuple[str, int], Task] = {}
        self.custom: dict[tuple[str, int], CustomTask] = {}  # today's OpenAPI's tasks
        self.counters: dict[str, int] = {}
        self.queue: list[dict[str, Any]] = []
        self.journal: deque = deque(maxlen=JOURNAL_SIZE)

    def attach(self, world: World, fingerprint: str) -> None:
        self._load(world)

    def _load(self, world: World) -> None:
        self.tasks = {(t.pipeline_name, t.task_id): t for t in world.tasks}
        self.custom = {}
        self.counters = seeded_counters(world)

    async def reset(self, world: World) -> None:
        self._load(world)
        self.queue.clear()
        self.journal.clear()

    async def next_id(self, pipeline: str) -> int:
        # The event loop runs one handler at a time and this has no await: atomic.
        value = self.counters.get(pipeline, 0) + 1
        if value > INT64_MAX:
            raise IdsExhausted(pipeline)
        self.counters[pipeline] = value
        return value

    async def get(self, pipeline: str, task_id: int) -> Task | None:
        return self.tasks.get((pipeline, task_id))

    async def put(self, task: Task) -> None:
        self.tasks[(task.pipeline_name, task.task_id)] = task

    async def all(self) -> list[Task]:
        return sorted(self.tasks.values(), key=lambda t: (t.pipeline_name, t.task_id))

    async def get_custom(self, workflow_key: str, task_id: int) -> CustomTask | None:
        return self.custom.get((workflow_key, task_id))

    async def put_custom(self, task: CustomTask) -> None:
        self.custom[(task.workflow_key, task.task_id)] = task

    async def custom_tasks(self, workflow_key: str) -> list[CustomTask]:
        return [t for (key, _), t in sorted(self.custom.items()) if key == workflow_key]

    async def push_forced(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        self.queue.append(dict(item))
        return await self.forced()

    async def take_forced(self, operation: str) -> dict[str, Any] | None:
        """The first queued answer for `operation`, used once (gone after its last `times`)."""
        for item in self.queue:
            if item["operation"] in (None, operation):
                item["times"] -= 1
                if item["times"] <= 0:
                    self.queue.remove(item)
                return dict(item)
        return None

    async def forced(self) -> list[dict[str, Any]]:
        return [dict(item) for item in self.queue]

    async def clear_forced(self) -> None:
        self.queue.clear()

    async def requests(self, limit: int) -> list[dict[str, Any]]:
        return list(self.journal)[-limit:]

    async def clear_requests(self) -> None:
        self.journal.clear()

    async def health(self) -> dict[str, Any]:
        return {"state": self.kind, "reachable": True}
