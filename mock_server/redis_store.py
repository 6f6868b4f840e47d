"""The state of a group of mocks (workers, replicas on several hosts) in one Redis database:
tasks, id counters, forced answers, the journal. Counters move by HINCRBY and the queue by a Lua
script, both atomic in Redis, so no two processes hand out one id or use one forced answer twice.
While Redis cannot be reached, every call raises StateUnavailable (answered 503); the client
reconnects by itself once it is back.

A Redis without persistence forgets everything when it restarts. Each process remembers the
database it saw (a token made at each seeding and reset) and the highest id it handed out per
workflow since; an id is taken by a script that checks both. When the database came back
empty, or a counter is behind an id already handed out, the loss is logged loudly, marked in
the database for the whole group, and creates are refused (503) until an operator resets the
mock (`POST /_mock/reset`): a process cannot know which ids the other processes of its group
acknowledged, so going on from its own highest id could still repeat theirs."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import orjson
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import AuthenticationError, NoScriptError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from mock_server.custom_workflow import CustomTask
from mock_server.domain import IdsExhausted, Task, World
from mock_server.store import (
    JOURNAL_SIZE,
    StateError,
    StateUnavailable,
    json_task,
    seeded_counters,
    task_json,
)

log = logging.getLogger("zadig_mock")

PREFIX = "zadig-mock:"
# pushed: a channel; custom: today's OpenAPI's tasks
KEYS = ("meta", "tasks", "counters", "forced", "journal", "pushed", "custom")
DOWN = (RedisConnectionError, RedisTimeoutError, OSError)  # Redis gone: 503, try again later
CONNECT_TIMEOUT = 1.0  # seconds; a request waits at most about twice this while Redis is away
COMMAND_TIMEOUT = 5.0
DB = re.compile(r"/[0-9]+")
POOL_SIZE = 64  # connections per process; more requests wait for one

# KEYS: meta tasks counters forced journal pushed custom. ARGV: fingerprint, "reset" or "init",
# a new epoch token, "known" when the caller saw this database seeded before, the number of task
# fields, then task field/value pairs, then counter field/value pairs. "init" seeds an empty
# database; when the caller knew it seeded (its state is gone), it is marked lost instead. Answers
# {the fingerprint it was made with (nil when seeded now), its epoch, why it is lost (or nil)}.
SEED = """
if ARGV[2] == 'init' then
  local made = redis.call('HGET', KEYS[1], 'seed')
  if not made and ARGV[4] == 'known' then
    redis.call('HSET', KEYS[1], 'seed', ARGV[1], 'epoch', ARGV[3],
      'lost', 'the database came back empty: Redis without persistence restarted?')
  end
  if made or ARGV[4] == 'known' then
    return redis.call('HMGET', KEYS[1], 'seed', 'epoch', 'lost')
  end
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[7])
local n = tonumber(ARGV[5])
local i = 6
for _ = 1, n do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i < #ARGV do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  i = i + 2
end
redis.call('HDEL', KEYS[1], 'lost')
redis.call('HSET', KEYS[1], 'seed', ARGV[1], 'epoch', ARGV[3])
return {false, ARGV[3], false}
"""

# KEYS: meta counters. ARGV: workflow, the epoch the caller knows, the highest id it handed out
# for the workflow since. Answers {"id", id}; {"epoch", epoch} when the mock was reset since
# (the caller forgets its highest ids); {"gone", ""} when the database is empty; {"lost", why}
# when the state is marked lost, or is found so now: the counter is behind the caller's
# highest id.
NEXT = """
local meta = redis.call('HMGET', KEYS[1], 'seed', 'epoch', 'lost')
if not meta[1] then return {'gone', ''} end
if meta[3] then return {'lost', meta[3]} end
if meta[2] ~= ARGV[2] then return {'epoch', meta[2]} end
local id = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
if id <= tonumber(ARGV[3]) then
  redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
  local why = 'the id counter of ' .. ARGV[1] .. ' went back to ' .. (id - 1) ..
    ' while ids up to ' .. ARGV[3] .. ' had been handed out'
  redis.call('HSET', KEYS[1], 'lost', why)
  return {'lost', why}
end
return {'id', id}
"""

# KEYS: forced. ARGV: the operation. The first entry for it (or for any operation) is used once:
# its `times` goes down, and at 0 it leaves the queue. Answers the entry, or nil.
TAKE = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i, raw in ipairs(items) do
  local item = cjson.decode(raw)
  if item.operation == cjson.null or item.operation == ARGV[1] then
    item.times = item.times - 1
    if item.times <= 0 then
      redis.call('LSET', KEYS[1], i - 1, '')
      redis.call('LREM', KEYS[1], 1, '')
    else
      redis.call('LSET', KEYS[1], i - 1, cjson.encode(item))
    end
    return raw
  end
end
return false
"""


TAKE_SHA = hashlib.sha1(TAKE.encode()).hexdigest()  # how EVALSHA names it
NEXT_SHA = hashlib.sha1(NEXT.encode()).hexdigest()
LOST = (
    "the shared state lost its tasks and id counters ({why}); creates are refused until "
    "the mock is reset (POST /_mock/reset: ids then start again from the seed)"
)


def parse_url(url: str) -> dict[str, Any]:
    """redis-py's reading of the URL (host, port, db, password, TLS for rediss://); StateError
    when it is not one."""
    try:
        kwargs = aioredis.connection.parse_url(url)
        path = urlsplit(url).path
    except (ValueError, TypeError) as exc:
        raise StateError(f"{safe_url(url)}: not a Redis URL ({exc})") from None
    # redis-py reads a path that is not a number as db 0; a typo should not share db 0.
    if not url.lower().startswith("unix:") and path not in ("", "/") and not DB.fullmatch(path):
        raise StateError(
            f"{safe_url(url)}: not a Redis URL (database {path[1:]!r} is not a "
            "number: redis://HOST:PORT/DB)"
        )
    return kwargs


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}{sep}{user}{':***' if ':' in userinfo else ''}@{host}"


class RedisStore:
    kind = "redis"

    def __init__(self, url: str) -> None:
        parse_url(url)  # a malformed URL is a usage error now, not a 503 later
        self.url = url
        self.name = safe_url(url)
        self.keys = {key: PREFIX + key for key in KEYS}
        self.client: aioredis.Redis | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.world: World | None = None
        self.fingerprint = ""
        self.ready = False  # the database is known to be seeded with this seed
        self.batches: Batches | None = None
        # Most calls find the forced-answer queue empty. Each push is published, and while this
        # process listens it knows the queue is empty without asking (see take_forced).
        self.listening = False
        self.pushes = 0  # pushes heard (and (re)subscriptions): a take's "empty" is stale after
        self.queue_empty = False
        self.listener: asyncio.Task | None = None
        self.journal = RedisJournal(self)
        # The database as this process knows it (see the module): its epoch token (b"" until
        # seen) and the highest id handed out per workflow since.
        self.epoch = b""
        self.highest: dict[str, int] = {}
        self.lost_logged = ""

    def connect(self) -> aioredis.Redis:
        # A short connect timeout and a single retry: while Redis is away a request gets its
        # 503 at once instead of waiting on backoff.
        pool = aioredis.BlockingConnectionPool.from_url(
            self.url,
            max_connections=POOL_SIZE,
            timeout=COMMAND_TIMEOUT,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=COMMAND_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
        )
        return aioredis.Redis(connection_pool=pool)

    def attach(self, world: World, fingerprint: str) -> None:
        """Remember the seed; the database is checked (or seeded) on first use, in the loop
        that serves, or before serving by `check`."""
        self.world = world
        self.fingerprint = fingerprint

    def check(self) -> bool:
        """Before serving: seed an empty database, or refuse one made with another seed
        (StateError); warn when Redis keeps its data in memory only. False when Redis cannot be
        reached (the mock serves 503 meanwhile)."""

        async def run() -> None:
            client = self.connect()
            try:
                await self._seed(client, "init")
                kept = await persistence(client)
                if kept == "none":
                    log.warning("WARNING: %s: %s", self.name, NO_PERSISTENCE)
            finally:
                await client.aclose()

        try:
            asyncio.run(run())
        except AuthenticationError as exc:
            raise StateError(f"{self.name}: {exc}") from None
        except DOWN as exc:
            log.warning("%s: cannot be reached (%s); answering 503 until it can", self.name, exc)
            return False
        except SeedMismatch as exc:
            raise StateError(str(exc)) from None
        except ResponseError as exc:  # e.g. a password Redis refuses, a db it does not have
            raise StateError(f"{self.name}: {exc}") from None
        return True

    async def _seed(self, client: aioredis.Redis, mode: str) -> None:
        assert self.world is not None, "attach() first"
        tasks = [(f, v) for t in self.world.tasks for f, v in [(task_field(t), task_json(t))]]
        counters = [(name, str(value)) for name, value in seeded_counters(self.world).items()]
        known = "known" if self.epoch else ""
        args = [self.fingerprint, mode, secrets.token_hex(8), known, len(tasks)]
        args += [x for pair in tasks for x in pair] + [x for pair in counters for x in pair]
        keys = [self.keys[k] for k in KEYS]
        made, epoch, lost = await client.eval(SEED, len(keys), *keys, *args)
        if made is not None and made.decode() != self.fingerprint:
            raise SeedMismatch(
                f"{self.name}: made with another seed ({made.decode()}, this one is "
                f"{self.fingerprint}); start every process with the same --seed, or reset it"
            )
        if not self.epoch or mode == "reset":
            self.epoch, self.highest, self.lost_logged = epoch, {}, ""
        self.ready = True
        if lost is not None:
            self.lost(lost.decode())

    def lost(self, why: str) -> str:
        """The loss said loudly, once per loss (a reset ends it) however many creates are
        refused; the refusal's reason."""
        message = f"{self.name}: {LOST.format(why=why)}"
        if self.lost_logged != why:
            self.lost_logged = why
            log.error("!!! %s", message)
        return message

    @asynccontextmanager
    async def redis(self) -> AsyncIterator[aioredis.Redis]:
        """The client of the running loop, the database seeded; StateUnavailable while Redis
        cannot be reached."""
        loop = asyncio.get_running_loop()
        if self.loop is not loop:  # a client belongs to one event loop
            self.client, self.loop, self.ready = self.connect(), loop, False
            self.batches = Batches(self.client)
            self.listening = self.queue_empty = False
            self.listener = loop.create_task(self.listen())
        try:
            if not self.ready:
                await self._seed(self.client, "init")
            yield self.client
        except DOWN as exc:
            self.ready = False  # check the seed again when it is back (it may have lost data)
            raise StateUnavailable(f"{self.name}: {exc}") from None
        except SeedMismatch as exc:
            raise StateUnavailable(str(exc)) from None

    async def reset(self, world: World) -> None:
        self.world = world
        async with self.redis() as client:
            await self._seed(client, "reset")

    async def call(self, *command: Any) -> Any:
        """One command, sent along with the others of this moment (see Batches)."""
        async with self.redis():
            return await self.batches.call(command)

    async def next_id(self, pipeline: str) -> int:
        keys = (self.keys["meta"], self.keys["counters"])
        for _ in range(3):
            args = (pipeline, self.epoch, self.highest.get(pipeline, 0))
            try:
                try:
                    kind, value = await self.call("EVALSHA", NEXT_SHA, 2, *keys, *args)
                except NoScriptError:  # a restarted Redis has no script cached yet
                    kind, value = await self.call("EVAL", NEXT, 2, *keys, *args)
            except ResponseError as exc:
                if "overflow" in str(exc):  # past int64, as MongoDB's $inc
                    raise IdsExhausted(pipeline) from None
                raise
            if kind == b"id":
                self.highest[pipeline] = value
                self.lost_logged = ""
                return value
            if kind == b"epoch":  # reset since, by an operator, through any process of the group
                self.epoch, self.highest = value, {}
            elif kind == b"gone":  # empty: marked lost, as this process knew it seeded
                async with self.redis() as client:
                    await self._seed(client, "init")
            else:
                raise StateUnavailable(self.lost(value.decode()))
        raise StateUnavailable(f"{self.name}: the database keeps changing under this process")

    async def get(self, pipeline: str, task_id: int) -> Task | None:
        raw = await self.call("HGET", self.keys["tasks"], field(pipeline, task_id))
        return None if raw is None else json_task(raw)

    async def put(self, task: Task) -> None:
        await self.call("HSET", self.keys["tasks"], task_field(task), task_json(task))

    async def all(self) -> list[Task]:
        async with self.redis() as client:
            raw = await client.hvals(self.keys["tasks"])
        return sorted(map(json_task, raw), key=lambda t: (t.pipeline_name, t.task_id))

    async def get_custom(self, workflow_key: str, task_id: int) -> CustomTask | None:
        raw = await self.call("HGET", self.keys["custom"], field(workflow_key, task_id))
        return None if raw is None else CustomTask.from_dict(orjson.loads(raw))

    async def put_custom(self, task: CustomTask) -> None:
        value = orjson.dumps(task.as_dict())
        await self.call("HSET", self.keys["custom"], field(task.workflow_key, task.task_id), value)

    async def custom_tasks(self, workflow_key: str) -> list[CustomTask]:
        async with self.redis() as client:
            raw = await client.hvals(self.keys["custom"])
        tasks = (CustomTask.from_dict(orjson.loads(r)) for r in raw)
        return sorted((t for t in tasks if t.workflow_key == workflow_key), key=lambda t: t.task_id)

    async def push_forced(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        async with self.redis() as client:
            async with client.pipeline(transaction=True) as pipe:
                pipe.rpush(self.keys["forced"], orjson.dumps(item))
                pipe.publish(self.keys["pushed"], b"")
                pipe.lrange(self.keys["forced"], 0, -1)
                _, _, items = await pipe.execute()
        return [orjson.loads(raw) for raw in items]

    async def take_forced(self, operation: str) -> dict[str, Any] | None:
        if self.queue_empty:
            return None
        key, pushes = self.keys["forced"], self.pushes
        try:
            raw = await self.call("EVALSHA", TAKE_SHA, 1, key, operation)
        except NoScriptError:  # a restarted Redis has no script cached yet
            raw = await self.call("EVAL", TAKE, 1, key, operation)
        if raw is None:
            # Empty when it was taken, and no push heard since: it stays so until one is.
            self.queue_empty = self.listening and self.pushes == pushes
            return None
        return orjson.loads(raw)

    async def listen(self) -> None:
        """Hears every push to the forced-answer queue (from any process), for take_forced.
        Not listening (Redis away, reconnecting), every take asks Redis."""
        while True:
            try:
                async with self.client.pubsub() as pubsub:
                    await pubsub.subscribe(self.keys["pushed"])
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":  # (re)subscribed: pushes missed?
                            self.listening = True
                        self.heard()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 (Redis away: takes ask it, and listen again)
                self.listening = False
                self.heard()
                await asyncio.sleep(0.5)

    def heard(self) -> None:
        self.pushes += 1
        self.queue_empty = False

    async def forced(self) -> list[dict[str, Any]]:
        async with self.redis() as client:
            items = await client.lrange(self.keys["forced"], 0, -1)
        return [orjson.loads(raw) for raw in items]

    async def clear_forced(self) -> None:
        async with self.redis() as client:
            await client.delete(self.keys["forced"])

    async def requests(self, limit: int) -> list[dict[str, Any]]:
        await self.journal.flushed()  # this process's latest requests are in the list
        async with self.redis() as client:
            raw = await client.lrange(self.keys["journal"], -min(limit, JOURNAL_SIZE), -1)
        return [orjson.loads(entry) for entry in raw]

    async def clear_requests(self) -> None:
        async with self.redis() as client:
            await client.delete(self.keys["journal"])

    async def health(self) -> dict[str, Any]:
        try:
            async with self.redis() as client:
                lost = await client.hget(self.keys["meta"], "lost")
                kept = await persistence(client)
        except StateUnavailable as exc:
            return {"state": self.kind, "reachable": False, "error": str(exc)}
        found: dict[str, Any] = {"state": self.kind, "reachable": True, "persistence": kept}
        if kept == "none":
            found["warning"] = NO_PERSISTENCE
        if lost is not None:
            found["lost"] = LOST.format(why=lost.decode())
        return found


NO_PERSISTENCE = (
    "Redis keeps its data in memory only (no appendonly, no save): if it restarts, the "
    "tasks and id counters are gone, and the mock refuses creates until POST /_mock/reset. "
    "Start it with --appendonly yes (docs/team-mock.md)"
)


async def persistence(client: aioredis.Redis) -> str:
    """How Redis keeps its data: "aof", "rdb", "none", or "unknown" (CONFIG refused, as
    managed services do)."""
    try:
        appendonly = await client.config_get("appendonly")
        save = await client.config_get("save")
    except ResponseError:
        return "unknown"
    if appendonly.get("appendonly") == "yes":
        return "aof"
    return "rdb" if save.get("save") else "none"


class Batches:
    """Sends the commands that concurrent requests issue in one turn of the event loop as one
    pipeline: one write and one read for all of them. Each round trip costs two system calls,
    which dominate a request's time on a busy host; under load this divides them by the number
    of requests in flight. Commands keep their order; each caller gets its own reply or error."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self.waiting: list[tuple[tuple[Any, ...], asyncio.Future]] = []

    def call(self, command: tuple[Any, ...]) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        reply = loop.create_future()
        self.waiting.append((command, reply))
        if len(self.waiting) == 1:  # the first of this turn: send them all after it
            loop.call_soon(self.send)
        return reply

    def send(self) -> None:
        batch, self.waiting = self.waiting, []
        asyncio.get_running_loop().create_task(self.execute(batch))

    async def execute(self, batch: list[tuple[tuple[Any, ...], asyncio.Future]]) -> None:
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for command, _ in batch:
                    pipe.execute_command(*command)
                replies = await pipe.execute(raise_on_error=False)
        except BaseException as exc:  # the connection failed: every caller hears it
            for _, reply in batch:
                if not reply.done():
                    reply.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, reply), value in zip(batch, replies, strict=True):
            if reply.done():  # its request was cancelled (client gone)
                continue
            if isinstance(value, Exception):
                reply.set_exception(value)
            else:
                reply.set_result(value)


class SeedMismatch(Exception):
    """The database was made with another seed than this process's."""


def field(pipeline: str, task_id: int) -> bytes:
    return orjson.dumps([pipeline, task_id])


def task_field(task: Task) -> bytes:
    return field(task.pipeline_name, task.task_id)


class RedisJournal:
    """The journal's entries, sent to Redis in batches after the answers went out (a request
    never waits for its own entry); the list keeps the latest JOURNAL_SIZE. While Redis is away
    entries are dropped: the journal is a diagnostic, not an acknowledged write."""

    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self.pending: list[bytes] = []
        self.sending: asyncio.Task | None = None
        self.warned = False

    def append(self, entry: dict[str, Any]) -> None:
        self.pending.append(orjson.dumps(entry))
        if self.sending is None or self.sending.done():
            self.sending = asyncio.get_running_loop().create_task(self.send())

    async def send(self) -> None:
        key = self.store.keys["journal"]
        while self.pending:
            batch, self.pending = self.pending, []
            try:
                async with self.store.redis() as client:
                    async with client.pipeline(transaction=False) as pipe:
                        pipe.rpush(key, *batch)
                        pipe.ltrim(key, -JOURNAL_SIZE, -1)
                        await pipe.execute()
                self.warned = False
            except StateUnavailable as exc:
                if not self.warned:
                    log.warning("request journal: entries dropped while %s", exc)
                    self.warned = True

    async def flushed(self) -> None:
        if self.sending is not None and not self.sending.done():
            await asyncio.shield(self.sending)
