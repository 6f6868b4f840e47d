"""What tests of every folder share: a free port, the mock started as a user starts it, the
page's create body as the spec documents it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from api_contract.spec import load_contract
from openapi import SPEC_PATH

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = load_contract(SPEC_PATH)
CREATE_OPERATION = CONTRACT.operation("createWorkflowTask")
CREATE = CREATE_OPERATION.path
# The page's create example, as the spec documents it (the page's trailing commas removed).
PAGE_EXAMPLE: dict[str, Any] = CREATE_OPERATION.request_examples["documented"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_mock(*args: str) -> subprocess.CompletedProcess:
    """`python -m mock_server ARGS...` run to its end (usage errors, exits): its output."""
    return subprocess.run(
        [sys.executable, "-m", "mock_server", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


class MockProcess:
    """`python -m mock_server` on a free port, as a user starts it; a context manager."""

    def __init__(self, *args: str, log: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = args
        self.log = log  # where its stderr goes (a pipe fills up under a long run); else a pipe
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> float:
        """Start it; the seconds until its first answer."""
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mock_server", "--port", str(self.port), *self.args],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb") if self.log else subprocess.PIPE,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mock exited: {self.proc.stderr.read().decode()}")
            try:
                httpx.get(f"{self.url}/_mock/tasks", timeout=0.5)
                return time.monotonic() - started
            except httpx.TransportError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError("mock did not answer")

    def kill(self) -> None:
        """kill -9: no chance to flush or close anything."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> MockProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
