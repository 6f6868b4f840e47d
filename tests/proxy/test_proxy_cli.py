"""`zadig-proxy` as a command: usage errors, what it writes when stopped by a signal, its exit
status, and that a token never reaches its log, report or JUnit file."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from gate.fake_zadig import ServerThread, Switches, build_app

from .support import CREATE, PAGE_BODY, start_proxy, task_path

SECRET = "s3cr3t-token-9f8e7d"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="no --upstream"),
        pytest.param(["--upstream", "localhost:8080"], id="no scheme"),
        pytest.param(["--upstream", "not a url"], id="not a URL"),
        pytest.param(["--upstream", "ftp://zadig.example.com"], id="not http"),
        pytest.param(["--upstream", "http://"], id="no host"),
        pytest.param(["--upstream", "http://x", "--port", "70000"], id="bad port"),
        pytest.param(["--upstream", "http://x", "--timeout", "0"], id="zero timeout"),
        pytest.param(
            ["--upstream", "http://x", "--report", "/no/such/dir/r.json"], id="report dir"
        ),
        pytest.param(["--upstream", "http://x", "--spec", "/no/such/spec.yaml"], id="no spec"),
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "contract_proxy", *args], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2, run.stderr
    assert "zadig-proxy" in run.stderr and "Traceback" not in run.stderr


def session(url: str) -> None:
    """A client session with the token in the header and in ?token=."""
    auth = {"Authorization": f"Bearer {SECRET}"}
    with httpx.Client(timeout=10) as client:
        client.post(url + CREATE, params={"projectName": "proxy"}, json=PAGE_BODY, headers=auth)
        client.delete(url + task_path(777), params={"token": SECRET, "projectName": "proxy"})
        client.post(url + task_path("abc", restart=True), headers=auth)  # request side
        client.delete(url + task_path(424242), headers=auth)  # the fault (code 6161)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_writes_report_junit_and_summary(tmp_path: Path, sig: int) -> None:
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    # A server that echoes the token in its error descriptions.
    switches = Switches(wrong_code="cancel", description=f"token {SECRET} not useful")
    with ServerThread(build_app(switches)) as fake:
        proxy = start_proxy(
            tmp_path,
            "--upstream",
            fake.url,
            "--report",
            str(report),
            "--junitxml",
            str(junit),
            "--fail-on-violation",
        )
        session(proxy.url)
        code = proxy.stop(sig)
    output = proxy.output()
    assert code == 1, output
    written = json.loads(report.read_text())
    assert written["exchanges"] == 4
    response_side = [v for v in written["violations"] if v["side"] == "response"]
    assert [v["operation"] for v in response_side] == ["cancelWorkflowTask"] * 2
    assert all("code 6161" in " ".join(v["problems"]) for v in response_side)
    request_side = [v for v in written["violations"] if v["side"] == "request"]
    assert [v["operation"] for v in request_side] == ["restartWorkflowTask"]
    assert "$ZADIG_TOKEN" in response_side[1]["curl"]  # the ?token= one
    cases = {
        (case.get("classname"), case.get("name")): case.find("failure") is not None
        for case in ET.parse(junit).getroot().iter("testcase")
    }
    assert cases[("zadig-proxy.cancelWorkflowTask", "400/6161")] is True
    assert cases[("zadig-proxy.createWorkflowTask", "200")] is False
    assert cases[("zadig-proxy.restartWorkflowTask", "request")] is True
    # The gate's summary matrix, on stdout.
    assert "operation" in output and "status/code" in output and "cancelWorkflowTask" in output
    for text in (output, report.read_text(), junit.read_text()):
        assert SECRET not in text


def test_exit_0_without_fail_on_violation_or_violations(tmp_path: Path) -> None:
    with ServerThread(build_app(Switches(wrong_code="cancel"))) as fake:
        proxy = start_proxy(tmp_path, "--upstream", fake.url, "--quiet")
        session(proxy.url)
        assert proxy.stop(signal.SIGTERM) == 0
        assert "zadig-proxy: POST" not in proxy.output()  # --quiet: no line per exchange

    with ServerThread(build_app(Switches())) as fake:
        proxy = start_proxy(tmp_path, "--upstream", fake.url, "--fail-on-violation")
        session(proxy.url)  # request-side findings only
        code = proxy.stop(signal.SIGTERM)
        assert code == 0, proxy.output()
        assert "request violation" in proxy.output()


def test_stops_promptly_with_an_exchange_still_open(tmp_path: Path) -> None:
    """SIGTERM while the upstream hangs on a request: the report is written within seconds,
    the waiting client gets an answer in the envelope, and no stack trace is logged."""
    report = tmp_path / "report.json"
    with ServerThread(build_app(Switches(hang="restart"))) as fake:
        proxy = start_proxy(tmp_path, "--upstream", fake.url, "--report", str(report))
        answers: list[httpx.Response] = []
        waiting = threading.Thread(
            target=lambda: answers.append(
                httpx.post(proxy.url + task_path(1, restart=True), timeout=60)
            )
        )
        waiting.start()
        time.sleep(1)
        started = time.monotonic()
        code = proxy.stop(signal.SIGTERM)
        waiting.join(timeout=30)
    assert code == 0 and time.monotonic() - started < 10
    assert json.loads(report.read_text())["exchanges"] == 0
    assert answers and answers[0].status_code == 502 and answers[0].json()["code"] == 502
    assert "Traceback" not in proxy.output()
