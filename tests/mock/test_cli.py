"""Starting the mock from the command line: first answer, options, one log line per request."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .support import CREATE, PAGE_EXAMPLE, ROOT, MockProcess

# The first answer must come within a second of start. Measured in CPU seconds of the mock
# until it answers, which other load on the machine does not inflate as it does wall time.
STARTUP_CPU_LIMIT = float(os.environ.get("ZADIG_MOCK_STARTUP_LIMIT", "1.0"))


def test_first_answer_soon_after_start() -> None:
    proc = MockProcess("--quiet")
    try:
        wall = proc.start()
        cpu = proc.cpu_seconds()
        assert cpu < STARTUP_CPU_LIMIT, f"{cpu:.2f} s CPU ({wall:.2f} s wall) to the first answer"
    finally:
        proc.stop()


def test_latency_delays_api_answers() -> None:
    with MockProcess("--latency", "250", "--quiet") as proc:
        started = time.monotonic()
        answer = httpx.post(f"{proc.url}{CREATE}", json=PAGE_EXAMPLE)
        assert answer.status_code == 200
        assert time.monotonic() - started >= 0.25


def test_one_log_line_per_request(tmp_path: Path) -> None:
    proc = MockProcess()
    proc.start()
    try:
        httpx.post(f"{proc.url}{CREATE}", json=PAGE_EXAMPLE)
        httpx.delete(f"{proc.url}{CREATE}/id/7/pipelines/proxy-workflow-dev")
    finally:
        proc.stop()
    lines = proc.proc.stderr.read().decode().splitlines()
    api = [line for line in lines if "/api/aslan" in line]
    assert len(api) == 2, lines
    assert f"POST {CREATE} 200" in api[0] and " 400 " in api[1]


def test_bad_seed_exits_with_a_message(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("workflows: {w: {project: nowhere}}\n")
    run = subprocess.run([sys.executable, "-m", "mock_server", "--seed", str(seed)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "unknown project nowhere" in run.stderr


def test_deferred_import_loads_on_first_use() -> None:
    """zadig-mock does not import `requests` at start, yet it works when connexion needs it."""
    code = (
        "import sys\n"
        "from mock_server.cli import trim_imports\n"
        "trim_imports()\n"
        "import connexion\n"
        "assert 'urllib3' not in sys.modules, 'requests was imported at start'\n"
        "import requests\n"
        "assert callable(requests.get) and 'urllib3' in sys.modules\n"
        "real = sys.modules['requests']\n"
        "assert not hasattr(requests, 'no_such_attribute')\n"
        "assert sys.modules['requests'] is real, 'requests imported twice'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
