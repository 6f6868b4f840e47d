"""Start, probe and stop the servers under test, each on its own 127.0.0.1 port."""

from __future__ import annotations

import http.client
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from spec import CREATE_BODY, MISSING_TASK_ID, SPEC_PATH

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PYTHON = sys.executable
PRISM = BENCH_DIR / "node_modules" / ".bin" / "prism"

CREATE_PATH = "/api/aslan/workflow/workflowtask"
RESTART_MISSING_PATH = (
    f"/api/aslan/workflow/workflowtask/id/{MISSING_TASK_ID}/pipelines/"
    f"{CREATE_BODY['workflow_name']}/restart"
)
TOKEN = "bench-token"


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    body: dict | None
    status: int  # the answer every request must get
    prism_prefer: str = ""  # Prism has no state: it is told which documented answer to give


ENDPOINTS = {
    "create": Endpoint("create", CREATE_PATH, CREATE_BODY, 200),
    "restart-missing": Endpoint("restart-missing", RESTART_MISSING_PATH, None, 400, "code=400"),
}


def default_mock_cmd() -> str:
    if (ROOT / "mock_server" / "cli.py").exists():
        return f"{shlex.quote(PYTHON)} -m mock_server --host 127.0.0.1 --port {{port}} --quiet"
    # Until the mock exists: a stock connexion AsyncApp on the same spec stands in.
    return f"{shlex.quote(PYTHON)} bench/stock_app.py --port {{port}}"


def builtin_commands(mock_cmd: str) -> dict[str, str]:
    return {
        "mock": mock_cmd,
        # Request validation (body, parameters, bearer security) is always on in Prism;
        # --errors also turns violations into error answers. -v warn: no log line per request.
        "prism": f"{PRISM} mock -h 127.0.0.1 -p {{port}} --errors -v warn {SPEC_PATH}",
        "bare": f"{shlex.quote(PYTHON)} bench/bare_app.py --port {{port}}",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(
    port: int, endpoint: Endpoint, prefer: str = "", timeout: float = 5
) -> tuple[int, dict]:
    """One request as the load generator sends it; returns (status, JSON body or {})."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = None
    if endpoint.body is not None:
        body = json.dumps(endpoint.body)
        headers["Content-Type"] = "application/json"
    if prefer:
        headers["Prefer"] = prefer
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", endpoint.path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw or b"{}")
    except ValueError:
        return response.status, {"_raw": raw[:200].decode(errors="replace")}


@dataclass
class Server:
    name: str
    command: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    # A file, not a pipe: a chatty server must never block on a full pipe mid-run.
    log: tempfile.TemporaryFile | None = None

    @property
    def is_prism(self) -> bool:
        return "prism" in self.command.split()[0]

    def prefer(self, endpoint: Endpoint) -> str:
        return endpoint.prism_prefer if self.is_prism else ""

    def start(self) -> None:
        argv = shlex.split(self.command.format(port=self.port))
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def log_tail(self, size: int = 2000) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-size:]

    def wait_ready(self, timeout: float = 60) -> float:
        """Seconds until the first HTTP answer; raises when the process dies or time runs out."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.process.returncode}): {self.log_tail()}"
                )
            try:
                request(self.port, ENDPOINTS["restart-missing"], timeout=1)
                return time.monotonic() - started
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s: {self.command}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
