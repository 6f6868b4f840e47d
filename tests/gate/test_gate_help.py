"""The gate explains itself: `--help` (its own options first, examples, short), pytest's help
behind `--help-pytest`, `--version` on every command, and the HTML report of a failing run
against a faulty server (the summary matrix, the failure's curl line and page section)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from contract_tests.settings import OPTIONS

from .fake_zadig import ServerThread, Switches, build_app
from .test_gate_cli import gate

REPO = Path(__file__).resolve().parents[2]
# The distribution's version as pyproject.toml declares it.
VERSION = re.search(
    r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M
).group(1)


def test_help_shows_the_gates_own_options_first_with_two_examples(tmp_path: Path) -> None:
    done = gate(tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) < 60
    assert lines[0].startswith("usage: zadig-contract --base-url URL")
    flags = [m.group(1) for line in lines if (m := re.match(r"\s{2}(-[-\w]+)", line))]
    gate_flags = [option.flag for option in OPTIONS]
    assert flags[: len(gate_flags)] == gate_flags
    assert {"--html", "--junitxml", "--help-pytest", "--version"} <= set(flags)
    examples = [line for line in lines if line.strip().startswith("zadig-contract --base-url")]
    assert len(examples) == 2
    assert "pytest.main()" not in done.stdout
    for option in OPTIONS:  # each option names its environment variable
        assert option.env in done.stdout


def test_pytest_options_stay_reachable(tmp_path: Path) -> None:
    done = gate(tmp_path, "--help-pytest")
    assert done.returncode == 0, done.stderr
    for flag in ("-k EXPRESSION", "--junit-xml", "--deselect", "--base-url", "--html"):
        assert flag in done.stdout


@pytest.mark.parametrize(
    ("command", "module"),
    [
        ("zadig-spec", "openapi.cli"),
        ("zadig-mock", "mock_server.cli"),
        ("zadig-contract", "contract_tests.cli"),
        ("zadig-proxy", "contract_proxy.cli"),
    ],
)
def test_every_command_tells_its_version(command: str, module: str) -> None:
    code = f"import sys; sys.argv[0] = {command!r}; from {module} import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-c", code, "--version"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, f"{command} {VERSION}\n"), done.stderr


class Tables(HTMLParser):
    """The rows of the table with id `zadig-summary`: (class, cells)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.rows: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id") == "zadig-summary":
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append((attributes.get("class") or "", []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside and self.rows and data.strip():
            self.rows[-1][1].append(data.strip())


def test_html_report_of_a_failing_run(tmp_path: Path) -> None:
    secret = "html-report-secret-token"
    with ServerThread(build_app(Switches(wrong_code="restart", tokens=(secret,)))) as server:
        done = gate(
            tmp_path,
            "--html",
            "report.html",
            ZADIG_BASE_URL=server.url,
            ZADIG_TOKEN=secret,
            ZADIG_MAX_EXAMPLES="2",
        )
    assert done.returncode == 1, done.stdout[-3000:]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert secret not in html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # self-contained

    tables = Tables()
    tables.feed(html)
    rows = {tuple(cells[:2]): (kind, cells[2:]) for kind, cells in tables.rows[1:]}
    kind, counts = rows[("restartWorkflowTask", "400/6164")]
    assert kind == "failed" and counts[2] != "0", counts
    assert rows[("createWorkflowTask", "400/6542")][0] == "ok"

    # The failing rule's row, as the terminal shows it: page section, curl line, expected, got.
    # (pytest-html keeps the rows as JSON in the page, rendered by its script.)
    blob = re.search(r'data-jsonblob="([^"]*)"', html).group(1)
    tests = json.loads(unescape(blob))["tests"]
    rule = (
        "contract_tests/test_errors.py::test_documented_error[restartWorkflowTask-task_not_found]"
    )
    (row,) = tests[rule]
    log = unescape(row["log"])
    assert row["result"] == "Failed"
    assert "documented in: page section «工作流任务重试 › 异常返回»" in log
    assert 'request: curl -H "Authorization: Bearer $ZADIG_TOKEN" -sS -i -X POST' in log
    assert '"code": 6164' in log.split("expected:")[1]
