"""Running the gate in this process (fast: one import of the suite) and reading its verdict."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from dataclasses import dataclass, field

import pytest

from api_contract.spec import load_contract
from contract_tests.cli import pytest_args
from openapi import SPEC_PATH

CONTRACT = load_contract(SPEC_PATH)
# Named 400 examples whose situation needs a task in a given state, which only the project's
# mock can set up (its admin API): a fake server skips them.
NEEDS_A_TASK_IN_STATE = {"task_not_restartable", "task_passed"}
# Reachable only by naming the fixture workflow, which the safe profile never does.
NEEDS_THE_FIXTURE = {"env_not_found", "no_stages"}
PAGE_SAMPLE = "documented"
LIFECYCLE_RULES = (
    "test_create_answers_workflow_and_id",
    "test_create_again_gives_greater_id",
    "test_task_action[cancel_created_task]",
    "test_task_action[cancel_cancelled_task_again]",
    "test_task_action[cancel_restarted_task]",
    "test_task_action[restart_cancelled_task]",
    "test_stateful_task_chains",
)


@dataclass(eq=False)  # hashable, as pytest wants a plugin to be
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

    def passed(self) -> list[str]:
        return sorted(name for name, outcome in self.outcomes.items() if outcome == "passed")

    def not_passed(self, expected: list[str]) -> list[str]:
        """The rules of `expected` (a rule id, or its start up to `[`...`-`) that no passed rule
        matches: a run that skipped them exits 0 too."""
        passed = self.passed()
        return [
            rule
            for rule in expected
            if not any(name == rule or name.startswith(rule + "-") for name in passed)
        ]


def checked_rules(profile: str, *, auth: bool = False, states: bool = False) -> list[str]:
    """The rules a run in `profile` checks against a server that keeps the contract, from the
    spec: each operation's named 400 examples and generated cases, the page's required create
    fields missing and mistyped; the full profile's lifecycle; with `auth` (a token given) the
    refusals; with `states` (the mock's admin API) the examples that need a task in a state."""
    rules = []
    for operation in CONTRACT.operations.values():
        op = operation.operation_id
        for name in operation.errors:
            if name == PAGE_SAMPLE:
                continue
            if name in NEEDS_A_TASK_IN_STATE:
                if states:  # one rule per state that must refuse, named after it
                    rules.append(f"test_refused_in_state[{op}-{name}")
                continue
            if name in NEEDS_THE_FIXTURE and profile == "safe":
                continue
            rules.append(f"test_documented_error[{op}-{name}]")
        for field_name in operation.page_required:
            rules.append(f"test_documented_error[{op}-missing_{field_name}")
            rules.append(f"test_documented_error[{op}-wrong_type_{field_name}")
        rules.append(f"test_generated_cases[{op}]")
        if auth:
            rules += [
                f"test_refused_without_valid_token[{op}-auth_{k}_token]" for k in ("none", "bad")
            ]
    if profile == "full":
        rules += LIFECYCLE_RULES
    return rules


def run_gate(base_url: str, *options: str, max_examples: int = 4, plugins: tuple = ()) -> GateRun:
    collector = Collector()
    argv = ["--base-url", base_url, "--max-examples", str(max_examples), "--seed", "7"]
    args = pytest_args([*argv, *options, "-q"])
    out = io.StringIO()
    with redirect_stdout(out):
        code = pytest.main(args, plugins=[*plugins, collector])
    return GateRun(int(code), collector.outcomes, collector.texts, out.getvalue())
