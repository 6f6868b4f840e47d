"""Helpers for the mock's tests: expected envelopes from the spec, a fake clock, a real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from starlette.testclient import TestClient

from openapi import SPEC_PATH

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
CATALOGUE = SPEC["components"]["x-zadig-error-catalogue"]

CREATE = "/api/aslan/workflow/workflowtask"
# The page's create example, as the spec documents it (trailing commas removed).
PAGE_EXAMPLE: dict[str, Any] = SPEC["paths"][CREATE]["post"]["requestBody"]["content"][
    "application/json"
]["examples"]["documented"]["value"]
PIPELINE = PAGE_EXAMPLE["workflow_name"]


# Out of the box the mock wants a bearer token, as Zadig's gateway does, and takes any.
TOKEN = "mock-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def api_client(app: Any, **kwargs: Any) -> TestClient:
    """A test client of the ASGI app `app` that sends a bearer token, as a Zadig client does."""
    return TestClient(app, headers=AUTH, **kwargs)


def http_client(url: str, **kwargs: Any) -> httpx.Client:
    """An HTTP client of a running mock at `url` that sends a bearer token."""
    return httpx.Client(base_url=url, headers=AUTH, **kwargs)


def restart_path(task_id: object, pipeline: str = PIPELINE) -> str:
    return f"{CREATE}/id/{task_id}/pipelines/{pipeline}/restart"


def cancel_path(task_id: object, pipeline: str = PIPELINE) -> str:
    return f"{CREATE}/id/{task_id}/pipelines/{pipeline}"


def envelope(code: int, reason: str | None = None, **params: Any) -> dict[str, Any]:
    """The error body the spec's catalogue prescribes (description only when a reason is named)."""
    entry = CATALOGUE[str(code)]
    body: dict[str, Any] = {"code": code, "extra": {}, "message": entry["message"], "type": "error"}
    if reason is not None:
        body["description"] = entry["reasons"][reason].format(**params)
    return body


def assert_error(
    response: httpx.Response, code: int, reason: str | None = None, **params: Any
) -> None:
    """`response` is the catalogue's error `code`, in the five-field envelope."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"code", "description", "extra", "message", "type"}, body
    assert isinstance(body["description"], str)
    expected = envelope(code, reason, **params)
    assert {k: body[k] for k in expected} == expected, body
    assert response.status_code == CATALOGUE[str(code)]["status"], response.text


@dataclass
class FakeClock:
    now: float = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


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
    """`python -m mock_server` on a free port, as a user starts it."""

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
