"""The state in a SQLite file (WAL) that the processes of one host share (--workers, or several
mocks on one file). Every change is committed before the caller answers, so a kill -9 loses
nothing acknowledged; counters move in one statement, so no two processes hand out one id."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from mock_server.custom_workflow import CustomTask
from mock_server.domain import INT64_MAX, IdsExhausted, Task, World
from mock_server.store import JOURNAL_SIZE, StateError, row_task, seeded_counters, task_row

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
CREATE TABLE IF NOT EXISTS custom_tasks (
    workflow_key TEXT NOT NULL, task_id INTEGER NOT NULL, task TEXT NOT NULL,
    PRIMARY KEY (workflow_key, task_id));
"""
# One statement, so atomic across processes; past int64 no row comes back (aslan's counter).
NEXT_ID = f"""
INSERT INTO counters VALUES (?, 1) ON CONFLICT (pipeline_name) DO UPDATE
SET value = value + 1 WHERE value < {INT64_MAX} RETURNING value"""
PUT_TASK = "INSERT OR REPLACE INTO tasks VALUES (?,?,?,?,?,?,?)"
BUSY_TIMEOUT = 30  # seconds a write waits for another process's: never "database is locked"


class SqliteStore:
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

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection, in a write transaction (other processes' writes wait) that commits
        when the block ends and rolls back when it raises."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def attach(self, world: World, fingerprint: str) -> None:
        """Seed the file when it is new; keep its tasks when it was seeded with this seed."""
        try:
            with self.transaction() as db:
                meta = dict(db.execute("SELECT key, value FROM meta"))
                made_with = meta.get("seed")
                if "seeded" in meta and made_with not in (None, fingerprint):
                    raise StateError(
                        f"{self.path}: made with another seed ({made_with}, this one is "
                        f"{fingerprint}); start with that seed, or use a new state"
                    )
                if "seeded" not in meta:
                    self._write_seed(world)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('seed', ?)", (fingerprint,))
        except sqlite3.Error as exc:
            raise StateError(f"{self.path}: not a zadig-mock state file ({exc})") from exc

    async def reset(self, world: World) -> None:
        with self.transaction() as db:
            for table in ("tasks", "counters", "forced", "journal", "custom_tasks"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
            self._write_seed(world)

    def _write_seed(self, world: World) -> None:
        self.db.executemany(PUT_TASK, [task_row(t) for t in world.tasks])
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

    async def get(self, pipeline: str, task_id: int) -> Task | None:
        with self.lock:
            row = self.db.execute(
                "SELECT * FROM tasks WHERE pipeline_name = ? AND task_id = ?", (pipeline, task_id)
            ).fetchone()
        return None if row is None else row_task(row)

    async def put(self, task: Task) -> None:
        with self.lock:
            self.db.execute(PUT_TASK, task_row(task))

    async def all(self) -> list[Task]:
        with self.lock:
            rows = self.db.execute("SELECT * FROM tasks ORDER BY pipeline_name, task_id")
            return [row_task(row) for row in rows]

    async def get_custom(self, workflow_key: str, task_id: int) -> CustomTask | None:
        with self.lock:
            row = self.db.execute(
                "SELECT task FROM custom_tasks WHERE workflow_key = ? AND task_id = ?",
                (workflow_key, task_id),
            ).fetchone()
        return None if row is None else CustomTask.from_dict(orjson.loads(row[0]))

    async def put_custom(self, task: CustomTask) -> None:
        with self.lock:
            self.db.execute(
                "INSERT OR REPLACE INTO custom_tasks VALUES (?,?,?)",
                (task.workflow_key, task.task_id, orjson.dumps(task.as_dict()).decode()),
            )

    async def custom_tasks(self, workflow_key: str) -> list[CustomTask]:
        with self.lock:
            rows = self.db.execute(
                "SELECT task FROM custom_tasks WHERE workflow_key = ? ORDER BY task_id",
                (workflow_key,),
            ).fetchall()
        return [CustomTask.from_dict(orjson.loads(row[0])) for row in rows]

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
        with self.transaction() as db:
            row = db.execute(
                "SELECT id, item FROM forced WHERE operation IS NULL OR operation = ? "
                "ORDER BY id LIMIT 1",
                (operation,),
            ).fetchone()
            if row is None:
                return None
            item = orjson.loads(row[1])
            item["times"] -= 1
            if item["times"] <= 0:
                db.execute("DELETE FROM forced WHERE id = ?", (row[0],))
            else:
                db.execute(
                    "UPDATE forced SET item = ? WHERE id = ?", (orjson.dumps(item).decode(), row[0])
                )
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
