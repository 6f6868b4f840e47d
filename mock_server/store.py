"""Where tasks and id counters live: in memory, or in SQLite (committed before each answer)."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from mock_server.domain import INT64_MAX, IdsExhausted, Task, World


class StateFileError(ValueError):
    """The --state file cannot be opened or is not the mock's SQLite database."""


class MemoryStore:
    """Tasks and counters in dicts; lost when the process ends."""

    def __init__(self) -> None:
        self.tasks: dict[tuple[str, int], Task] = {}
        self.counters: dict[str, int] = {}

    def load(self, world: World) -> None:
        """Start over from the seed: its tasks, and counters past its highest ids."""
        self.tasks = {(t.pipeline_name, t.task_id): t for t in world.tasks}
        self.counters = dict(world.counters)
        for task in world.tasks:
            last = self.counters.get(task.pipeline_name, 0)
            self.counters[task.pipeline_name] = max(last, task.task_id)

    def reset(self, world: World) -> None:
        self.load(world)

    def next_id(self, pipeline: str) -> int:
        # The event loop runs one handler at a time and this has no await: atomic.
        value = self.peek_id(pipeline)
        self.counters[pipeline] = value
        return value

    def peek_id(self, pipeline: str) -> int:
        """The id next_id would hand out; IdsExhausted past int64 (aslan's counter type)."""
        value = self.counters.get(pipeline, 0) + 1
        if value > INT64_MAX:
            raise IdsExhausted(pipeline)
        return value

    def add(self, task: Task) -> None:
        self.tasks[(task.pipeline_name, task.task_id)] = task

    def get(self, pipeline: str, task_id: int) -> Task | None:
        return self.tasks.get((pipeline, task_id))

    def put(self, task: Task) -> None:
        self.tasks[(task.pipeline_name, task.task_id)] = task

    def all(self) -> list[Task]:
        return sorted(self.tasks.values(), key=lambda t: (t.pipeline_name, t.task_id))


SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    pipeline_name TEXT NOT NULL, task_id INTEGER NOT NULL, project TEXT NOT NULL,
    status TEXT NOT NULL, since REAL NOT NULL, created_at REAL NOT NULL, targets TEXT NOT NULL,
    PRIMARY KEY (pipeline_name, task_id));
CREATE TABLE IF NOT EXISTS counters (pipeline_name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class SqliteStore(MemoryStore):
    """The in-memory store, written through to SQLite: each change is committed before the
    caller answers, so a kill -9 loses nothing that was acknowledged."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        if self.path.is_dir():
            raise StateFileError(f"{path}: is a directory, expected a file")
        self.lock = threading.Lock()
        try:
            # Used from the event loop and from test clients' threads, one at a time.
            self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL survives a killed process (the OS keeps the WAL); only power loss could
            # drop the last commits.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StateFileError(f"{path}: {exc}") from exc

    def load(self, world: World) -> None:
        """Keep a state file's tasks when it has been seeded before; else seed it."""
        try:
            if self.db.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone():
                self._read()
            else:
                self.reset(world)
        except (sqlite3.Error, ValueError, IndexError) as exc:
            raise StateFileError(f"{self.path}: not a zadig-mock state file ({exc})") from exc

    def reset(self, world: World) -> None:
        super().load(world)
        with self.lock, self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM tasks")
            self.db.execute("DELETE FROM counters")
            self.db.executemany("INSERT INTO tasks VALUES (?,?,?,?,?,?,?)",
                                [_row(t) for t in self.tasks.values()])
            self.db.executemany("INSERT INTO counters VALUES (?,?)", self.counters.items())
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('seeded', '1')")

    def next_id(self, pipeline: str) -> int:
        value = self.peek_id(pipeline)
        with self.lock:  # stored first: the counter in memory never runs ahead of the file
            self.db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (pipeline, value))
        self.counters[pipeline] = value
        return value

    def add(self, task: Task) -> None:
        self.put(task)

    def put(self, task: Task) -> None:
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO tasks VALUES (?,?,?,?,?,?,?)", _row(task))
        super().put(task)

    def _read(self) -> None:
        rows = self.db.execute("SELECT * FROM tasks").fetchall()
        self.tasks = {(r[0], r[1]): _task(r) for r in rows}
        self.counters = dict(self.db.execute("SELECT pipeline_name, value FROM counters"))


def _row(task: Task) -> tuple:
    return (task.pipeline_name, task.task_id, task.project, task.status, task.since,
            task.created_at, json.dumps(list(task.targets)))


def _task(row: tuple) -> Task:
    return Task(row[0], row[1], row[2], row[3], row[4], row[5], tuple(json.loads(row[6])))
