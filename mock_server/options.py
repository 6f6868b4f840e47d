"""The mock's options: one value that `zadig-mock` builds from its command line and
`create_app` takes (tests and benchmarks build it directly)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mock_server.domain import Clock

BODY_LIMIT = 1024 * 1024  # bytes of a request body


@dataclass(frozen=True)
class MockOptions:
    """How one mock serves.

    `seed`: its world (None: the one where the spec's create example succeeds).
    `state_file`: a SQLite file, or a redis:// (rediss://, unix://) URL, that several processes
    share (None: in memory). `auth`: the API wants a bearer token (any, unless `tokens` or the
    seed list some). `strict`: a create body lacking a field the page requires is refused with
    400, instead of taking the field's zero value as aslan does. `latency_ms`: added to every
    API answer. `task_duration`: seconds from created to the end (None: the seed's).
    `admin_token`: the bearer token the admin API wants (None: open). `workers`: how many
    processes serve it on one port (`--workers`; the console shows it). `hosts`: the Host
    names taken besides local ones (None: any); `origins`: the web pages allowed to use the
    admin API besides the mock's own (`--allow-host`, `--allow-origin`; serving.origins).
    `spec`: the OpenAPI document served (None: the committed v1.7.1 spec), with an error
    catalogue."""

    seed: dict[str, Any] | None = None
    state_file: str | Path | None = None
    tokens: tuple[str, ...] = ()
    auth: bool = True
    strict: bool = False
    latency_ms: float = 0
    task_duration: float | None = None
    clock: Clock = time.time
    cors: bool = True
    body_limit: int = BODY_LIMIT
    admin_token: str | None = None
    spec: dict[str, Any] | None = None
    workers: int = 1
    hosts: frozenset[str] | None = None
    origins: frozenset[str] = frozenset()
