"""`LimitedProtocol`: uvicorn's httptools protocol keeping `serving.limits.Limits` on each
connection, and the uvicorn configuration that serves an app with it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from serving.limits import Limits
from serving.refusal import raw_response

# Seconds a refused connection is still read (and what comes dropped) before it is closed.
LINGER = 2.0
# A deadline check this close to the deadline counts as at it (a loop may run a timer up to its
# clock's resolution early).
EARLY = 0.001


class HeadTooLarge(Exception):
    """Raised in a parser callback to stop parsing a head that is over the limit."""


class LimitedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits of `config.limits` (see the module)."""

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.limits: Limits = getattr(config, "limits", None) or Limits()
        self.cap = self.limits.max_connections()
        self.in_head = True  # receiving a request line and headers (or waiting for one)
        self.head_bytes = 0  # bytes received for this head before the current chunk
        self.chunk = 0  # size of the chunk being parsed
        # The phase being timed (head, body): when it runs out and what is done then. One check
        # is pending per connection (`timer`, at `check_at`), moved on when it finds the deadline
        # later, instead of a timer made and cancelled for each request and phase (a tenth of
        # this layer's cost per request on a kept-alive connection).
        self.deadline: float | None = None
        self.expired: Callable[[], None] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.check_at = 0.0
        self.closer: asyncio.TimerHandle | None = None  # a refused connection's close
        self.waiting_since = 0.0
        self.refusal: tuple[int, str] | None = None
        self.refused = False

    # The connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.waiting_since = self.loop.time()
        self.arm(self.limits.head_timeout, self.head_timed_out)
        if len(self.connections) > self.cap:
            self.make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        for handle in (self.timer, self.closer):
            if handle is not None:
                handle.cancel()
        self.timer = self.closer = None
        super().connection_lost(exc)

    def make_room(self) -> None:
        open_ = [c for c in self.connections if not c.transport.is_closing()]
        if len(open_) <= self.cap:
            return
        idle = [c for c in open_ if c is not self and isinstance(c, LimitedProtocol) and c.idle()]
        if idle:
            victim = min(idle, key=lambda c: (not c.refused, c.waiting_since))
            victim.transport.close()
            return
        reason = f"the server has {self.cap} connections open, each with a request"
        self.refuse(503, reason, linger=False)

    def idle(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        self.chunk = len(data)
        super().data_received(data)
        if self.in_head and not self.transport.is_closing():
            self.head_bytes += len(data)
            if self.head_bytes > self.limits.head_bytes:
                self.refuse_head()

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self.in_head:  # a new request on a kept-alive connection
            self.in_head = True
            self.head_bytes = 0
            self.waiting_since = self.loop.time()
            self.arm(self.limits.head_timeout, self.head_timed_out)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.in_head:  # after the head: a chunked body's trailer, never a header
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self.head_bytes + self.chunk > self.limits.head_bytes:  # then count exactly
            size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
            if size > self.limits.head_bytes:
                self.refusal = self.head_refusal()
                raise HeadTooLarge
        self.in_head = False
        self.arm(self.limits.body_timeout, self.body_timed_out)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.disarm()
        self.head_bytes = 0
        super().on_message_complete()

    # Refusals

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a parser error: ours when a callback stopped the parser."""
        if self.refusal is None:
            super().send_400_response(msg)
        else:
            self.refuse(*self.refusal)

    def head_refusal(self) -> tuple[int, str]:
        return 431, f"the request line and headers are over {self.limits.head_bytes} bytes"

    def refuse_head(self) -> None:
        self.refuse(*self.head_refusal())

    def refuse(self, status: int, reason: str, linger: bool = True) -> None:
        """Answer `status` and end the connection. What the client is still sending is read
        and dropped for a moment first (`linger`): closing a socket with unread data resets
        the connection, and the client could lose the answer before reading it."""
        self.disarm()
        if self.transport.is_closing() or self.refused:
            return
        self.refused = True
        self.logger.warning("%s: %s", status, reason)
        self.transport.write(raw_response(status, reason))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.flow.resume_reading()
        self.closer = self.loop.call_later(LINGER if linger else 0, self.transport.close)

    def head_timed_out(self) -> None:
        if not self.in_head:
            return
        if not self.idle():  # a pipelined head while the previous answer is on its way
            self.arm(self.limits.head_timeout, self.head_timed_out)
            return
        seconds = self.limits.head_timeout
        self.refuse(408, f"the request line and headers took longer than {seconds:g} s")

    def body_timed_out(self) -> None:
        if self.cycle is None or not self.cycle.more_body or self.transport.is_closing():
            return
        if self.cycle.response_started:  # answered without the rest of its body
            self.transport.close()
            return
        self.refuse(408, f"the request body took longer than {self.limits.body_timeout:g} s")

    def arm(self, seconds: float, callback: Callable[[], None]) -> None:
        """`callback` in `seconds` unless disarmed or armed again before."""
        self.deadline = self.loop.time() + seconds
        self.expired = callback
        if self.timer is None or self.check_at > self.deadline:
            if self.timer is not None:
                self.timer.cancel()
            self.check_at = self.deadline
            self.timer = self.loop.call_at(self.deadline, self.check_deadline)

    def disarm(self) -> None:
        self.deadline = self.expired = None  # the pending check finds nothing to do

    def check_deadline(self) -> None:
        self.timer = None
        if self.deadline is None or self.expired is None:
            return
        if self.deadline - self.loop.time() > EARLY:  # armed again since: check then
            self.check_at = self.deadline
            self.timer = self.loop.call_at(self.deadline, self.check_deadline)
            return
        expired = self.expired
        self.disarm()
        expired()


def uvicorn_config(app: Any, limits: Limits, **options: Any) -> uvicorn.Config:
    """uvicorn's Config serving `app` (an app, or an import string) with `limits`."""
    config = uvicorn.Config(app, http=LimitedProtocol, **options)
    config.limits = limits  # read by each LimitedProtocol; pickled with it to each worker
    return config


def serve(config: uvicorn.Config) -> uvicorn.Server:
    """Run `config` as uvicorn.run would: in this process, or its workers under uvicorn's
    supervisor (which hands each worker this config, limits included)."""
    from uvicorn.supervisors import Multiprocess  # only with workers

    server = uvicorn.Server(config)
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        server.run()
    return server
