"""`zadig-contract` as CI runs it: a subprocess, options from the environment, JUnit output,
exit status, and no hang or litter."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import free_port

from contract_tests.cli import main

from .fake_zadig import ServerThread, Switches, build_app
from .runner import checked_rules, run_gate

REPO = Path(__file__).resolve().parents[2]


def gate(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZADIG_")}
    return subprocess.run(
        [sys.executable, "-m", "contract_tests", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_from_environment_writes_one_junit_case_per_rule(tmp_path: Path) -> None:
    with ServerThread(build_app(Switches())) as server:
        result = gate(
            tmp_path,
            "--junitxml",
            "gate.xml",
            ZADIG_BASE_URL=server.url,
            ZADIG_PROFILE="full",
            ZADIG_MAX_EXAMPLES="3",
        )
    assert result.returncode == 0, result.stdout[-3000:]
    cases = ET.parse(tmp_path / "gate.xml").getroot().iter("testcase")
    names = [f"{case.get('classname')}.{case.get('name')}" for case in cases]
    assert len(names) == len(set(names)) > 30
    assert any("createWorkflowTask-env_not_found" in name for name in names)
    # The summary table: one row per operation and documented status/code.
    assert "zadig contract summary" in result.stdout
    rows = [line.split()[:2] for line in result.stdout.splitlines()]
    assert ["createWorkflowTask", "400/6542"] in rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gate.xml"]


def test_cli_without_base_url_is_a_usage_error(monkeypatch, capsys) -> None:
    for name in [k for k in os.environ if k.startswith("ZADIG_")]:
        monkeypatch.delenv(name)
    assert main(["-q"]) == 4
    assert "--base-url (or ZADIG_BASE_URL) is required" in capsys.readouterr().err


def test_cli_rejects_an_unknown_profile(capsys) -> None:
    assert main(["--base-url", "http://127.0.0.1:9", "--profile", "everything"]) == 4
    assert "--profile must be one of safe, full" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--base-url", "127.0.0.1:9"], "--base-url must be an http:// or https:// URL"),
        (["--request-timeout", "0"], "--request-timeout must be a number of seconds above 0"),
        (["--request-timeout", "-1"], "--request-timeout must be a number of seconds above 0"),
        (["--max-examples", "0"], "--max-examples must be at least 1"),
        (["--spec", str(REPO / "README.md")], "README.md is not YAML"),
        (["--spec", str(REPO / "pyproject.toml")], "pyproject.toml is not YAML"),
    ],
)
def test_cli_configuration_mistakes_are_usage_errors(options, message, capsys) -> None:
    argv = ["--base-url", "http://127.0.0.1:9", *options]
    assert main([*argv, "-q"]) == 4
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err


class PytestBaseUrl:
    """Stands for pytest-base-url, which also defines --base-url."""

    def pytest_addoption(self, parser) -> None:
        parser.addoption("--base-url", dest="base_url", default=None)


def test_gate_shares_base_url_with_a_plugin_that_owns_it() -> None:
    with ServerThread(build_app(Switches())) as server:
        run = run_gate(server.url, plugins=(PytestBaseUrl(),))
    assert run.exit_code == 0, run.output[-2000:]
    assert run.not_passed(checked_rules("safe")) == []
    assert run.outcomes["test_documented_error[cancelWorkflowTask-task_not_found]"] == "passed"


def test_unreachable_target_fails_at_once() -> None:
    started = time.monotonic()
    run = run_gate(f"http://127.0.0.1:{free_port()}", "--profile", "full")
    assert run.exit_code == 1
    assert "cannot reach the target" in run.output
    assert time.monotonic() - started < 60


def test_summary_marks_rows_that_did_not_run() -> None:
    with ServerThread(build_app(Switches())) as server:
        run = run_gate(server.url, "-k", "cancelWorkflowTask-task_not_found")
    assert run.exit_code == 0, run.output[-2000:]
    assert run.passed() == ["test_documented_error[cancelWorkflowTask-task_not_found]"]
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in run.output.splitlines()}
    assert rows[("cancelWorkflowTask", "400/6163")] == ["1", "1", "0", "0"]
    assert rows[("createWorkflowTask", "400/6542")] == ["-", "-", "-", "not", "run"]


def test_a_wrong_base_url_gets_a_hint() -> None:
    with ServerThread(build_app(Switches())) as server:
        run = run_gate(server.url + "/zadig")
    assert run.exit_code == 1
    assert f"--base-url {server.url}/zadig is probably wrong" in run.output


def test_help_lists_every_gate_option_in_the_gate_section(tmp_path: Path) -> None:
    """--strict is pytest's flag too; the gate's section of pytest's help (--help-pytest) still
    says what it does to the gate."""
    run = gate(tmp_path, "--help-pytest")
    assert run.returncode == 0, run.stderr
    section = run.stdout.split("Zadig workflow-task conformance gate", 1)[1].split("\n\n", 1)[0]
    for flag, env in (("--strict", "ZADIG_STRICT"), ("--profile", "ZADIG_PROFILE")):
        assert flag in section and env in section, section
    assert "page calls incomplete" in section
