"""Starting the mock from the command line: first answer, options, one log line per request."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from .support import AUTH, CREATE, PAGE_EXAMPLE, ROOT, MockProcess, http_client, run_mock


def test_latency_delays_api_answers() -> None:
    with MockProcess("--latency", "250", "--quiet") as proc:
        started = time.monotonic()
        answer = httpx.post(f"{proc.url}{CREATE}", json=PAGE_EXAMPLE, headers=AUTH)
        assert answer.status_code == 200
        assert time.monotonic() - started >= 0.25


def test_one_log_line_per_request(tmp_path: Path) -> None:
    proc = MockProcess()
    proc.start()
    try:
        with http_client(proc.url) as client:
            client.post(CREATE, json=PAGE_EXAMPLE)
            client.delete(f"{CREATE}/id/7/pipelines/proxy-workflow-dev")
            client.get("/api/aslan/a%0Afake%20line%00")  # decoded: a newline, a NUL
            # Without the page's namespace and targets: named on the line, answered anyway.
            lacking = {k: v for k, v in PAGE_EXAMPLE.items() if k not in ("namespace", "targets")}
            client.post(CREATE, json=lacking)
        httpx.post(f"{proc.url}{CREATE}", json=PAGE_EXAMPLE, params={"token": "s3cret"})
        httpx.post(f"{proc.url}{CREATE}", json=PAGE_EXAMPLE)
    finally:
        proc.stop()
    lines = proc.proc.stderr.read().decode().splitlines()
    api = [line for line in lines if "/api/aslan" in line]
    assert len(api) == 6, lines
    assert f"POST {CREATE} 200" in api[0] and " 400 " in api[1]
    assert "GET /api/aslan/a%0Afake%20line%00 404" in api[2]
    assert not any(line.startswith("fake") for line in lines)
    assert f"POST {CREATE} 400 " in api[3] and "lacks namespace, targets" in api[3], api[3]
    assert "lacks" not in " ".join(api[:3] + api[4:])
    assert f"POST {CREATE}?token=*** 200" in api[4], api[4]
    assert "s3cret" not in "\n".join(lines)
    assert f"POST {CREATE} 401" in api[5]


def test_no_warning_at_start() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mock_server", "--seed", "/nonexistent.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"},
    )
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "zadig-mock: /nonexistent.yaml: [Errno 2] No such file or directory: '/nonexistent.yaml'"
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--port", "99999"), "argument --port: 99999 is not a TCP port (1..65535)"),
        (("--port", "-1"), "argument --port: -1 is not a TCP port"),
        (("--port", "0"), "argument --port: 0 is not a TCP port"),
        (("--latency", "-5"), "argument --latency: -5 is not a number >= 0"),
        (("--latency", "nan"), "argument --latency: nan is not a number >= 0"),
        (("--task-duration", "-1"), "argument --task-duration: -1 is not a number >= 0"),
        (("--no-auth", "--token", "t"), "argument --token: not allowed with argument --no-auth"),
    ],
)
def test_bad_option_is_a_usage_error(args: tuple[str, ...], says: str) -> None:
    run = run_mock(*args)
    assert run.returncode == 2
    assert "usage: zadig-mock" in run.stderr and says in run.stderr, run.stderr


SEEDS = [
    (
        "workflows: {w: {project: nowhere}}\n",
        "invalid seed at workflows/w/project: unknown project 'nowhere'",
    ),
    (b"\xff\xfe", "not UTF-8 text"),
    ("projects: [unclosed\n", "while parsing"),
    ("projekts: {proxy: {}}\n", "'projekts' was unexpected"),
    ("projects: {proxy: {envs: dev}}\n", 'at projects/proxy/envs: "dev" is not of type "array"'),
]


@pytest.mark.parametrize(("content", "says"), SEEDS)
def test_bad_seed_exits_with_a_message(tmp_path: Path, content: str | bytes, says: str) -> None:
    seed = tmp_path / "seed.yaml"
    if isinstance(content, bytes):
        seed.write_bytes(content)
    else:
        seed.write_text(content)
    run = run_mock("--seed", str(seed))
    assert run.returncode == 2
    assert f"zadig-mock: {seed}: " in run.stderr and says in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def state_files(tmp_path: Path) -> list[tuple[Path, str]]:
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("not a database, just text that is long enough to have a header\n" * 3)
    return [
        (tmp_path / "missing" / "dir" / "x.sqlite", "unable to open database file"),
        (tmp_path, "is a directory"),
        (not_sqlite, "file is not a database"),
    ]


def test_bad_state_file_exits_with_a_message(tmp_path: Path) -> None:
    for path, says in state_files(tmp_path):
        run = run_mock("--state", str(path))
        assert run.returncode == 2, run.stderr
        last = run.stderr.strip().splitlines()[-1]
        assert last.startswith(f"zadig-mock: {path}: {says}"), run.stderr
        assert "Traceback" not in run.stderr


def test_deferred_import_loads_on_first_use() -> None:
    """zadig-mock imports neither `requests`, starlette's test client nor uvicorn's supervisors
    at start, yet each works when first used."""
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
        "assert 'httpx._client' not in sys.modules, 'the test client was imported at start'\n"
        "import starlette.testclient\n"
        "client = connexion.AsyncApp('x').test_client()\n"
        "from starlette.testclient import TestClient\n"
        "assert isinstance(client, TestClient) and 'httpx._client' in sys.modules\n"
        "assert starlette.testclient is sys.modules['starlette.testclient']\n"
        "import uvicorn\n"
        "assert 'uvicorn.supervisors.basereload' not in sys.modules, 'supervisors imported'\n"
        "from uvicorn.supervisors import Multiprocess\n"
        "assert Multiprocess.__name__ == 'Multiprocess'\n"
        "assert 'uvicorn.supervisors.basereload' in sys.modules\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert out.stdout.strip() == "ok", out.stderr[-2000:]


def test_collector_is_back_on_when_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start-up runs with the garbage collector off; serving (and a refused start) with it on."""
    import gc
    from types import SimpleNamespace

    from mock_server import cli
    from serving import protocol

    seen = {}

    def serve(config: Any) -> SimpleNamespace:
        seen.update(enabled=gc.isenabled(), threshold=gc.get_threshold(), port=config.port)
        return SimpleNamespace(started=True)

    monkeypatch.setattr(protocol, "serve", serve)
    try:
        assert cli.main(["--port", "8123", "--quiet"]) == 0
        assert seen["enabled"] and seen["threshold"][0] == 50_000
        assert seen["port"] == 8123
        assert cli.main(["--seed", "/nonexistent/seed.yaml"]) == 2
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.set_threshold(700, 10, 10)
        gc.enable()
