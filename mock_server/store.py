"""The mock's state store: what every store keeps (tasks, id counters, the queue of forced
answers, the request journal), as the `StateStore` protocol, and how they encode a task.

The stores are `memory_store.py` (one process), `sqlite_store.py` (the processes of one host)
and `redis_store.py` (a group on several hosts); `app.py` opens the one --state names."""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

import orjson

from mock_server.custom_workflow import CustomTaskStore
from mock_server.domain import Store, Task, World

JOURNAL_SIZE = 500  # requests kept by the journal (GET /_mock/requests)


class StateError(ValueError):
    """--state cannot be used: not the mock's SQLite file, a malformed URL, another seed."""


class StateUnavailable(Exception):
    """The shared state cannot be reached right now; the API answers 503 until it is back."""


class StateStore(Store, CustomTaskStore, Protocol):
    """Everything a request can change, as every process of a group sees it."""

    kind: str
    journal: Any  # takes the Journal middleware's entries: `journal.append(entry)`, never waits

    def attach(self, world: World, fingerprint: str) -> None: ...
    async def push_forced(self, item: dict[str, Any]) -> list[dict[str, Any]]: ...
    async def take_forced(self, operation: str) -> dict[str, Any] | None: ...
    async def forced(self) -> list[dict[str, Any]]: ...
    async def clear_forced(self) -> None: ...
    async def requests(self, limit: int) -> list[dict[str, Any]]: ...
    async def clear_requests(self) -> None: ...
    async def health(self) -> dict[str, Any]: ...


def seed_fingerprint(seed: dict[str, Any]) -> str:
    """Names a seed's content: a shared state remembers the seed it was made with."""
    text = orjson.dumps(seed, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(text).hexdigest()[:16]


def seeded_counters(world: World) -> dict[str, int]:
    """The seed's counters, moved past its tasks' highest ids."""
    counters = dict(world.counters)
    for task in world.tasks:
        counters[task.pipeline_name] = max(counters.get(task.pipeline_name, 0), task.task_id)
    return counters


def task_fields(task: Task) -> tuple:
    """A task's fields but its targets, in the order every store keeps them."""
    return (
        task.pipeline_name,
        task.task_id,
        task.project,
        task.status,
        task.since,
        task.created_at,
    )


def task_row(task: Task) -> tuple:
    """A task as a table row: its targets as JSON text."""
    return (*task_fields(task), orjson.dumps(list(task.targets)).decode())


def row_task(row: tuple) -> Task:
    return Task(*row[:6], tuple(orjson.loads(row[6])))


def task_json(task: Task) -> bytes:
    """A task as one JSON document (a list: its fields, then its targets)."""
    return orjson.dumps([*task_fields(task), task.targets])


def json_task(raw: bytes | str) -> Task:
    *fields, targets = orjson.loads(raw)
    return Task(*fields, tuple(targets))
