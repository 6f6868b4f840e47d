"""Where the state that requests change lives: tasks, id counters, the queue of forced answers
and the request journal. In memory (one process), or in a SQLite file that the processes of one
host share. Redis, for several hosts, is redis_store.py; `open_store` picks by --state."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections import deque
from pathlib import Path
from typing import Any, Protocol

import orjson

from mock_server.domain import INT64_MAX, IdsExhausted, Store, Task, World

JOURNAL_SIZE = 500  # requests kept by the journal (GET /_mock/requests)
REDIS_URL = re.compile(r"(rediss?|unix)://", re.IGNORECASE)


class StateError(ValueError):
    """--state cannot be used: not the mock's SQLite file, a malformed URL, another seed."""


class StateUnavailable(Exception):
    """The shared state cannot be reached right now; the API answers 503 until it is back."""


class StateStore(Store, Protocol):
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


def open_store(state: str | Path | None) -> StateStore:
    """The store --state names: none (memory), a redis:// URL, or a SQLite file."""
    if state is None:
        return MemoryStore()
    if REDIS_URL.match(str(state)):
        from mock_server.redis_store import RedisStore  # imported only when used

        return RedisStore(str(state))
    return SqliteStore(state)


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


def take_from(queue: list[dict[str, Any]], operation: str) -> dict[str, Any] | None:
    """The first queued answer for `operation`, used once (gone after its last `times`)."""
    for item in queue:
        if item["operation"] in (None, operation):
            item["times"] -= 1
            if item["times"] <= 0:
                queue.remove(item)
            return dict(item)
    return None


def _fields(task: Task) -> tuple:
    """A task's fields but its targets, in the order every store keeps them."""
    return (
        task.pipeline_name,
        task.task_id,
        task.project,
        task.status,
        task.since,
        task.created_at,
    )


def task_json(task: Task) -> bytes:
    return orjson.dumps([*_fields(task), task.targets])


def json_task(raw: bytes | str) -> Task:
    pipeline, task_id, project, status, since, created_at, targets = orjson.loads(raw)
    return Task(pipeline, task_id, project, status, since, created_at, tuple(targets))


class MemoryStore:
    """In dicts and lists of this process; lost when it ends."""

    kind = "memory"

    def __init__(self) -> None:
        self.tasks: dict[tuple[str, int], Task] = {}
        self.counters: dict[str, int] = {}
        self.queue: list[dict[str, Any]] = []
        self.journal: deque = deque(maxlen=JOURNAL_SIZE)

    def attach(self, world: World, fingerprint: str) -> None:
        self._load(world)

    def _load(self, world: World) -> None:
        self.tasks = {(t.pipeline_name, t.task_id): t for t in world.tasks}
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

    async def add(self, task: Task) -> None:
        self.tasks[(task.pipeline_name, task.task_id)] = task

    async def get(self, pipeline: str, task_id: int) -> Task | None:
        return self.tasks.get((pipeline, task_id))

    async def put(self, task: Task) -> None:
        self.tasks[(task.pipeline_name, task.task_id)] = task

    async def all(self) -> list[Task]:
        return sorted(self.tasks.values(), key=lambda t: (t.pipeline_name, t.task_id))

    async def push_forced(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        self.queue.append(dict(item))
        return await self.forced()

    async def take_forced(self, operation: str) -> dict[str, Any] | None:
        return take_from(self.queue, operation) if self.queue else None

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


SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    pipeline_name TEXT NOT NULL, task_id INTEGER NOT NULL, project TEXT NOT NULL,
    status TEXT NOT NULL, since REAL NOT NULL, created_at REAL NOT NULL, targets TEXT NOT NULL,
    PRIMARY KEY (pipeline_name, task_id));
CREATE TABLE IF NOT EXISTS counters (pipeline_name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS forced (
    id INTEGER PRIMARY KEY AUTOINCREMENT, operation TEXT, item TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
"""
# One statement, so atomic across processes; past int64 no row comes back (aslan's counter).
NEXT_ID = f"""
INSERT INTO counters VALUES (?, 1) ON CONFLICT (pipeline_name) DO UPDATE
SET value = value + 1 WHERE value < {INT64_MAX} RETURNING value"""
BUSY_TIMEOUT = 30  # seconds a write waits for another process's: never "database is locked"


class SqliteStore:
    """A SQLite file (WAL) shared by the processes of one host (--workers, or several mocks on
    one file). Every change is committed before the caller answers, so a kill -9 loses nothing
    acknowledged; counters move in one statement, so no two processes hand out one id."""

    kind = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise StateError(f"{path}: is a directory, expected a file")
        self.lock = threading.Lock()  # one connection, used by the loop and test clients' threads
        try:
            self.db = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None
            )
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL survives a killed process (the OS keeps the WAL); only power loss could
            # drop the last commits.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StateError(f"{path}: {exc}") from exc
        self.journal = SqliteJournal(self)

    def attach(self, world: World, fingerprint: str) -> None:
        """Seed the file when it is new; keep its tasks when it was seeded with this seed."""
        try:
            with self.lock:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    meta = dict(self.db.execute("SELECT key, value FROM meta"))
                    made_with = meta.get("seed")
                    if "seeded" in meta and made_with not in (None, fingerprint):
                        raise StateError(
                            f"{self.path}: made with another seed ({made_with}, this one is "
                            f"{fingerprint}); start with that seed, or use a new state"
                        )
                    if "seeded" not in meta:
                        self._write_seed(world)
                    self.db.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('seed', ?)", (fingerprint,)
                    )
                    self.db.execute("COMMIT")
                except BaseException:
                    self.db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise StateError(f"{self.path}: not a zadig-mock state file ({exc})") from exc

    async def reset(self, world: World) -> None:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for table in ("tasks", "counters", "forced", "journal"):
                    self.db.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
                self._write_seed(world)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _write_seed(self, world: World) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO tasks VALUES (?,?,?,?,?,?,?)", [_row(t) for t in world.tasks]
        )
        self.db.executemany(
            "INSERT OR REPLACE INTO counters VALUES (?,?)", seeded_counters(world).items()
        )
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('seeded', '1')")

    async def next_id(self, pipeline: str) -> int:
        with self.lock:
            rows = self.db.execute(NEXT_ID, (pipeline,)).fetchall()
        if not rows:
            raise IdsExhausted(pipeline)
        return rows[0][0]

    async def add(self, task: Task) -> None:
        await self.put(task)

    async def get(self, pipeline: str, task_id: int) -> Task | None:
        with self.lock:
            row = self.db.execute(
                "SELECT * FROM tasks WHERE pipeline_name = ? AND task_id = ?", (pipeline, task_id)
            ).fetchone()
        return None if row is None else _task(row)

    async def put(self, task: Task) -> None:
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO tasks VALUES (?,?,?,?,?,?,?)", _row(task))

    async def all(self) -> list[Task]:
        with self.lock:
            rows = self.db.execute("SELECT * FROM tasks ORDER BY pipeline_name, task_id")
            return [_task(row) for row in rows]

    async def push_forced(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        with self.lock:
            self.db.execute(
                "INSERT INTO forced (operation, item) VALUES (?, ?)",
                (item["operation"], orjson.dumps(item).decode()),
            )
        return await self.forced()

    async def take_forced(self, operation: str) -> dict[str, Any] | None:
        with self.lock:
            # Most calls find the queue empty: a read, without taking the write lock.
            if self.db.execute("SELECT 1 FROM forced LIMIT 1").fetchone() is None:
                return None
            self.db.execute("BEGIN IMMEDIATE")
            try:
                row = self.db.execute(
                    "SELECT id, item FROM forced WHERE operation IS NULL OR operation = ? "
                    "ORDER BY id LIMIT 1",
                    (operation,),
                ).fetchone()
                item = None
                if row is not None:
                    item = orjson.loads(row[1])
                    item["times"] -= 1
                    if item["times"] <= 0:
                        self.db.execute("DELETE FROM forced WHERE id = ?", (row[0],))
                    else:
                        self.db.execute(
                            "UPDATE forced SET item = ? WHERE id = ?",
                            (orjson.dumps(item).decode(), row[0]),
                        )
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return item

    async def forced(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute("SELECT item FROM forced ORDER BY id").fetchall()
        return [orjson.loads(row[0]) for row in rows]

    async def clear_forced(self) -> None:
        with self.lock:
            self.db.execute("DELETE FROM forced")

    async def requests(self, limit: int) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute(
                "SELECT entry FROM journal ORDER BY id DESC LIMIT ?", (min(limit, JOURNAL_SIZE),)
            ).fetchall()
        return [orjson.loads(row[0]) for row in reversed(rows)]

    async def clear_requests(self) -> None:
        with self.lock:
            self.db.execute("DELETE FROM journal")

    async def health(self) -> dict[str, Any]:
        return {"state": self.kind, "reachable": True}


class SqliteJournal:
    """The journal's entries, written to the file as they come; the oldest beyond JOURNAL_SIZE
    are dropped now and then (the listing never shows more)."""

    TRIM_EVERY = 100

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.written = 0

    def append(self, entry: dict[str, Any]) -> None:
        db = self.store.db
        with self.store.lock:
            cursor = db.execute(
                "INSERT INTO journal (entry) VALUES (?)", (orjson.dumps(entry).decode(),)
            )
            self.written += 1
            if self.written % self.TRIM_EVERY == 0:
                db.execute("DELETE FROM journal WHERE id <= ?", (cursor.lastrowid - JOURNAL_SIZE,))


def _row(task: Task) -> tuple:
    return (*_fields(task), orjson.dumps(list(task.targets)).decode())


def _task(row: tuple) -> Task:
    return Task(row[0], row[1], row[2], row[3], row[4], row[5], tuple(orjson.loads(row[6])))
