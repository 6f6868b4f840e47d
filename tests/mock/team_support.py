"""Helpers for the team-mock tests: a redis-server of the test's own, raw concurrent requests."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import trustme

from .support import CREATE, PAGE_EXAMPLE, free_port

# Any bearer token: the API may want one (a token is never refused by a mock that wants none).
AUTH = {"Authorization": "Bearer team-test"}


def redis_server_binary() -> str:
    """redis-server's path; skips the test when it is absent, unless CI requires it."""
    found = shutil.which("redis-server")
    if found is None:
        why = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get("ZADIG_REDIS_TESTS") == "required":
            pytest.fail(f"{why}, and ZADIG_REDIS_TESTS=required")
        pytest.skip(why)
    return found


class RedisServer:
    """A redis-server of the test's own: a free port on 127.0.0.1, its files in `directory`.
    `durable`: append-only file fsynced at every write, as docs/team-mock.md advises."""

    def __init__(
        self, directory: Path, durable: bool = False, password: str = "", tls: bool = False
    ) -> None:
        self.binary = redis_server_binary()
        self.directory = directory
        self.durable = durable
        self.password = password
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        # tls: TLS only (no plain port), with a certificate from a CA of the test's own.
        self.ca_file = directory / "redis-ca.pem" if tls else None
        self.client_tls: ssl.SSLContext | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        if self.ca_file:
            return f"rediss://{auth}127.0.0.1:{self.port}/0?ssl_ca_certs={self.ca_file}"
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def _tls_options(self) -> list[str]:
        if self.ca_file is None:
            return ["--port", str(self.port)]
        ca = trustme.CA()
        ca.cert_pem.write_to_path(str(self.ca_file))
        pem = str(self.directory / "redis-server.pem")
        ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(pem)
        self.client_tls = ssl.create_default_context(cafile=str(self.ca_file))
        return [
            *("--port", "0", "--tls-port", str(self.port)),
            *("--tls-cert-file", pem, "--tls-key-file", pem),
            *("--tls-ca-cert-file", str(self.ca_file), "--tls-auth-clients", "no"),
        ]

    def _connect(self, timeout: float) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        if self.client_tls is None:
            return sock
        return self.client_tls.wrap_socket(sock, server_hostname="127.0.0.1")

    def start(self, timeout: float = 10) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.durable else []
        if self.password:
            persistence += ["--requirepass", self.password]
        self.proc = subprocess.Popen(
            [
                self.binary,
                *self._tls_options(),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--save",
                "",
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
            if self.ping():
                return
            time.sleep(0.02)
        raise RuntimeError("redis-server did not answer")

    def ping(self) -> bool:
        try:
            with self._connect(timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                answer = sock.recv(64)
                return answer.startswith(b"+PONG") or answer.startswith(b"-NOAUTH")
        except OSError:
            return False

    def integer(self, *command: str) -> int:
        """The integer reply of one Redis command (RESP), e.g. integer("LLEN", key)."""
        parts = [f"*{len(command)}\r\n"] + [f"${len(c)}\r\n{c}\r\n" for c in command]
        with self._connect(timeout=2) as sock:
            if self.password:
                sock.sendall(f"AUTH {self.password}\r\n".encode())
                sock.recv(64)
            sock.sendall("".join(parts).encode())
            reply = sock.recv(64)
        assert reply.startswith(b":"), reply
        return int(reply[1:].strip())

    def kill(self) -> None:
        """kill -9: Redis keeps only what its append-only file has."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def pause(self) -> None:
        """SIGSTOP: Redis keeps its connections open but answers nothing."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


async def raw_request(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """One request on its own connection (a pool would serialise hundreds of waiting requests);
    (status, JSON body), or (0, error) when the connection fails."""
    payload = b"" if body is None else json.dumps(body).encode()
    head = [
        f"{method} {path} HTTP/1.1",
        "Host: localhost",
        "Connection: close",
        f"Content-Length: {len(payload)}",
    ]
    if body is not None:
        head.append("Content-Type: application/json")
    head += [f"{k}: {v}" for k, v in {**AUTH, **(headers or {})}.items()]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        response = await reader.read()
        writer.close()
    except OSError as exc:
        return 0, str(exc)
    status_line, _, rest = response.partition(b"\r\n")
    if not status_line:
        return 0, "no answer"
    head_text, _, text = rest.partition(b"\r\n\r\n")
    # An answer cut short (its process killed while sending) was never acknowledged.
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head_text.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        len(text),
    )
    if len(text) < length:
        return 0, "answer cut short"
    return int(status_line.split()[1]), json.loads(text) if text else None


def create_many(ports: list[int], count: int, body: dict | None = None) -> list[tuple[int, Any]]:
    """`count` concurrent creates, spread over `ports` in turn; every answer."""

    async def run() -> list[tuple[int, Any]]:
        return await asyncio.gather(
            *(
                raw_request(ports[i % len(ports)], "POST", CREATE, body or PAGE_EXAMPLE)
                for i in range(count)
            )
        )

    return asyncio.run(run())


def ids_of(answers: list[tuple[int, Any]]) -> list[int]:
    """The task ids of the answers that were 200, sorted."""
    return sorted(body["task_id"] for status, body in answers if status == 200)
