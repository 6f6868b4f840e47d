"""Proxies and upstreams for the proxy's tests: the proxy in this process (fast) or as the
installed command (signals, exit codes, files), an upstream that echoes what reached it, and
raw-socket upstreams that misbehave."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from gate.fake_zadig import RawListener, ServerThread
from helpers import CREATE, PAGE_EXAMPLE, MockProcess, free_port
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api_contract.spec import load_contract
from contract_proxy.app import build_app
from contract_proxy.forwarding import Upstream
from contract_proxy.ledger import Ledger
from openapi import SPEC_PATH

CONTRACT = load_contract(SPEC_PATH)
PAGE_BODY = PAGE_EXAMPLE


def task_path(task_id: Any, pipeline: str = "proxy-workflow-dev", restart: bool = False) -> str:
    return f"{CREATE}/id/{task_id}/pipelines/{pipeline}" + ("/restart" if restart else "")


@dataclass
class InProcessProxy:
    url: str
    ledger: Ledger

    def report(self) -> dict[str, Any]:
        return httpx.get(self.url + "/_proxy/report", timeout=10).json()

    def response_violations(self) -> list[dict[str, Any]]:
        return [v for v in self.report()["violations"] if v["side"] == "response"]


@contextmanager
def proxy_in_process(
    upstream: str, timeout: float = 10, cors: bool = True
) -> Iterator[InProcessProxy]:
    ledger = Ledger()
    app = build_app(CONTRACT, Upstream(upstream, timeout), cors=cors, ledger=ledger, log=None)
    with ServerThread(app) as server:
        yield InProcessProxy(server.url, ledger)


@dataclass
class ProxyProcess:
    """`python -m contract_proxy` with its stderr in a file."""

    port: int
    process: subprocess.Popen
    log: Path
    stdout: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, sig: int) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=20)

    def output(self) -> str:
        return self.log.read_text(errors="replace") + self.stdout.read_text(errors="replace")


def start_proxy(tmp: Path, *args: str) -> ProxyProcess:
    port = free_port()
    log, out = tmp / f"proxy-{port}.err", tmp / f"proxy-{port}.out"
    command = [sys.executable, "-m", "contract_proxy", "--port", str(port), *args]
    with log.open("wb") as err, out.open("wb") as std:
        process = subprocess.Popen(command, stdout=std, stderr=err)
    proxy = ProxyProcess(port, process, log, out)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the proxy exited ({process.returncode}): {proxy.output()}")
        try:
            httpx.get(proxy.url + "/_proxy/report", timeout=1)
            return proxy
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the proxy did not start: {proxy.output()}")


@contextmanager
def mock_process(*options: str) -> Iterator[str]:
    """The project's mock (`python -m mock_server`) on a free port; yields its URL."""
    with MockProcess("--quiet", *options) as mock:
        yield mock.url


def echo_app() -> Starlette:
    """Answers with what reached it: method, path, query, headers, body (and `?delay=` first)."""

    async def echo(request: Request) -> Response:
        body = await request.body()
        delay = float(request.query_params.get("delay", 0))
        if delay:
            await asyncio.sleep(delay)
        if request.query_params.get("raw") == "1":  # the body back as it came
            return Response(body, media_type="application/octet-stream")
        seen = {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.headers.raw],
            "body": body.decode("utf-8", "replace"),
        }
        headers = {"X-Upstream": "echo", "Keep-Alive": "timeout=5", "Connection": "keep-alive"}
        if "cookie" in request.query_params:  # a session cookie for this client only
            headers["Set-Cookie"] = f"session={request.query_params['cookie']}; Path=/"
        return Response(json.dumps(seen), headers=headers, media_type="application/json")

    return Starlette(
        routes=[
            Route(
                "/{path:path}", echo, methods=["GET", "POST", "DELETE", "PUT", "OPTIONS", "PATCH"]
            )
        ]
    )


class RawServer(RawListener):
    """A socket server that answers each connection with `reply` bytes, then closes it."""

    def __init__(self, reply: bytes) -> None:
        super().__init__()
        self.reply = reply

    def handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(self.reply)
            except OSError:
                pass
