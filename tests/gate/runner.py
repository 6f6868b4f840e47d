"""Running the gate in this process (fast: one import of the suite) and reading its verdict."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from dataclasses import dataclass, field

import pytest

from contract_tests.cli import pytest_args


@dataclass
class Collector:
    """A pytest plugin that keeps each rule's outcome and failure text."""

    outcomes: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = report.nodeid.split("::", 1)[-1]
        if report.when == "call" or not report.passed:
            if self.outcomes.get(name) != "failed":
                self.outcomes[name] = report.outcome
            if report.failed:
                self.texts[name] = report.longreprtext


@dataclass
class GateRun:
    exit_code: int
    outcomes: dict[str, str]
    texts: dict[str, str]
    output: str

    def failed(self) -> list[str]:
        return sorted(name for name, outcome in self.outcomes.items() if outcome == "failed")

    def failed_matching(self, fragment: str) -> list[str]:
        return [name for name in self.failed() if fragment in name]


def run_gate(base_url: str, *options: str, max_examples: int = 4, plugins: tuple = ()) -> GateRun:
    collector = Collector()
    argv = ["--base-url", base_url, "--max-examples", str(max_examples), "--seed", "7"]
    args = pytest_args([*argv, *options, "-q"])
    out = io.StringIO()
    with redirect_stdout(out):
        code = pytest.main(args, plugins=[*plugins, collector])
    return GateRun(int(code), collector.outcomes, collector.texts, out.getvalue())
