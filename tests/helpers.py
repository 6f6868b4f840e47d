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


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
    """`python -m mock_server` on a free port, as a user starts it; a context manager.
    `log`: the file its output goes to (else a pipe, which a long chatty run could fill);
    `env`: variables added to its environment; `cwd`: the folder it runs in."""

    def __init__(
        self,
        *args: str,
        log: Path | None = None,
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
    ) -> None:
        self.args = args
        self.log = log
        self.env = env or {}
        self.cwd = cwd
        self.proc: subprocess.Popen | None = None
        self._choose_port()

    def _choose_port(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """What it wrote so far (the log file's tail), or its pipe's content once it exited."""
        if self.log is not None:
            return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
        if self.proc is not None and self.proc.poll() is not None and self.proc.stderr:
            return self.proc.stderr.read().decode(errors="replace")
        return ""

    def start(self, timeout: float = 30, attempts: int = 3) -> float:
        """Start it; the seconds until its first answer. Another process may take the port
        between choosing and binding it: then it tries another."""
        started = time.monotonic()
        for _ in range(attempts):
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "mock_server", "--port", str(self.port), *self.args],
                cwd=self.cwd,
                stdout=subprocess.DEVNULL,
                stderr=self.log.open("wb") if self.log else subprocess.PIPE,
                env={**os.environ, "PYTHONWARNINGS": "ignore", **self.env},
            )
            while time.monotonic() - started < timeout:
                if self.proc.poll() is not None:
                    break
                try:
                    httpx.get(f"{self.url}/_mock/health", timeout=0.5)
                    return time.monotonic() - started
                except httpx.TransportError:
                    time.sleep(0.02)
            else:
                self.stop()
                raise RuntimeError(f"mock did not answer within {timeout} s: {self.output()}")
            output = self.output()
            if "address already in use" not in output.lower():
                raise RuntimeError(f"mock exited ({self.proc.returncode}): {output}")
            self._choose_port()
        raise RuntimeError(f"no free port for the mock after {attempts} attempts")

    def kill(self) -> None:
        """kill -9: no chance to flush or close anything."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    def __enter__(self) -> MockProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
