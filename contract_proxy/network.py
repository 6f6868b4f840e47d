"""httpcore's network backend on asyncio's own transports.

httpcore's default backend goes through anyio: every read and write opens a cancel scope and
every keep-alive check walks anyio's typed attributes. Under load that was about a fifth of the
proxy's CPU. This backend, plugged in through httpcore's documented `network_backend` hook,
reads and writes the event loop's transport directly (uvloop's when uvicorn runs on it). HTTP
itself stays httpcore's; the proxy bounds each exchange with one total deadline, so the
per-operation timeouts below are only honoured when a caller passes them.
"""

from __future__ import annotations

import asyncio
import collections
import socket
import ssl
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

import httpcore

T = TypeVar("T")
SocketOption = tuple[int, int, int | bytes] | tuple[int, int, None, int]


class Stream(asyncio.Protocol, httpcore.AsyncNetworkStream):
    """One connection: bytes the transport delivered wait in `chunks` until httpcore reads."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.chunks: collections.deque[bytes] = collections.deque()
        self.eof = False
        self.lost: Exception | None = None
        self.readable: asyncio.Future[None] | None = None
        self.writable: asyncio.Future[None] | None = None  # set while the transport is paused

    # asyncio.Protocol: called by the event loop.
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self._wake_reader()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake_reader()
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof, self.lost = True, exc
        self._wake_reader()
        self.resume_writing()

    def pause_writing(self) -> None:
        if self.writable is None:
            self.writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)
        self.writable = None

    def _wake_reader(self) -> None:
        if self.readable is not None and not self.readable.done():
            self.readable.set_result(None)

    # httpcore.AsyncNetworkStream: called by httpcore.
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        while not self.chunks:
            if self.eof:
                return b""  # httpcore reads this as the server closing the connection
            self.readable = asyncio.get_running_loop().create_future()
            await _bounded(self.readable, timeout, httpcore.ReadTimeout)
        chunk = self.chunks.popleft()
        if len(chunk) > max_bytes:
            self.chunks.appendleft(chunk[max_bytes:])
            chunk = chunk[:max_bytes]
        return chunk

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self.transport is None or self.transport.is_closing():
            raise httpcore.WriteError(f"the connection is closed ({self.lost or 'by the peer'})")
        self.transport.write(buffer)
        if self.writable is not None:  # the kernel's buffer is full: wait until it drains
            await _bounded(asyncio.shield(self.writable), timeout, httpcore.WriteTimeout)

    async def aclose(self) -> None:
        if self.transport is not None:
            self.transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        handshake = loop.start_tls(
            self.transport, self, ssl_context, server_hostname=server_hostname
        )
        try:
            self.transport = await _bounded(handshake, timeout, httpcore.ConnectTimeout)
        except (OSError, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if self.transport is None:
            return None
        if info == "is_readable":  # asked of an idle connection: only a close makes it so
            return self.eof or bool(self.chunks)
        names = {"client_addr": "sockname", "server_addr": "peername"}
        return self.transport.get_extra_info(names.get(info, info))


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        connecting = loop.create_connection(Stream, host, port, local_addr=local)
        return await self._connected(connecting, timeout, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        connecting = asyncio.get_running_loop().create_unix_connection(Stream, path)
        return await self._connected(connecting, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def _connected(
        self,
        connecting: Awaitable[tuple[asyncio.BaseTransport, Stream]],
        timeout: float | None,
        socket_options: Iterable[SocketOption] | None,
    ) -> Stream:
        try:
            transport, stream = await _bounded(connecting, timeout, httpcore.ConnectTimeout)
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock: socket.socket | None = transport.get_extra_info("socket")
        for option in socket_options or ():
            if sock is not None:
                sock.setsockopt(*option)
        return stream


async def _bounded(
    awaitable: Awaitable[T], timeout: float | None, error: type[httpcore.TimeoutException]
) -> T:
    if timeout is None:
        return await awaitable
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except asyncio.TimeoutError as exc:
        raise error(f"no progress within {timeout:g} s") from exc
