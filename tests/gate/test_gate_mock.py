"""The gate against the project's own mock, run as a subprocess: it must conform in both
profiles, with and without a token, and a safe run must leave it exactly as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import CREATE, PAGE_EXAMPLE, MockProcess

from .runner import checked_rules, run_gate

TOKEN = "mock-gate-token"
SEED = Path(__file__).resolve().parents[2] / "mock_server" / "seed-example.yaml"


@pytest.fixture(scope="module")
def mock() -> Iterator[str]:
    # Tasks never move on their own, so the task list only changes through requests. A token
    # as a real gateway wants one; pinned, so that a wrong token is refused.
    with MockProcess("--quiet", "--task-duration", "0", "--token", TOKEN) as mock:
        yield mock.url


@pytest.mark.parametrize("profile", ["safe", "full"])
def test_mock_conforms(mock: str, profile: str) -> None:
    run = run_gate(mock, "--profile", profile, "--token", TOKEN)
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    # The mock can put a task in any state: the full profile checks those rules too.
    states = profile == "full"
    assert run.not_passed(checked_rules(profile, auth=True, states=states)) == []
    auth_rule = "test_refused_without_valid_token[createWorkflowTask-auth_none_token]"
    assert run.outcomes[auth_rule] == "passed"
    # Full runs the lifecycle and the mock-only status rules; they must have run, not skipped.
    if profile == "full":
        assert run.outcomes["test_create_again_gives_greater_id"] == "passed"
        assert (
            run.outcomes["test_refused_in_state[cancelWorkflowTask-task_passed-passed]"] == "passed"
        )


def test_gate_without_token_fails_a_mock_that_wants_one(mock: str) -> None:
    run = run_gate(mock, "--profile", "safe", "-k", "not generated")
    assert run.exit_code == 1
    assert "HTTP 401" in run.texts["test_documented_error[restartWorkflowTask-task_not_found]"]
    hint = "every answer was HTTP 401: check --token and --project"
    assert run.output.count(hint) == 1, run.output[-3000:]


def test_safe_run_leaves_the_mock_unchanged(mock: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=mock, timeout=10, headers=auth) as client:
        first = client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"]
        before = client.get("/_mock/tasks").json()
        run = run_gate(mock, "--profile", "safe", "--token", TOKEN, max_examples=10)
        after = client.get("/_mock/tasks").json()
        following = client.post(CREATE, json=PAGE_EXAMPLE).json()["task_id"]
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert after == before
    # Not even the id counter moved (a refused create with empty targets would bump it).
    assert following == first + 1


@pytest.fixture(scope="module")
def seeded_mock() -> Iterator[str]:
    with MockProcess("--quiet", "--seed", str(SEED)) as mock:
        yield mock.url


@pytest.mark.parametrize("profile", ["safe", "full"])
def test_mock_conforms_with_a_project_scoped_token(seeded_mock: str, profile: str) -> None:
    """The seed's shop-dev-token may only act in project shop: every rule gets past the gateway."""
    fixture = ("--project", "shop", "--workflow", "shop-nightly", "--env", "staging")
    options = ("--token", "shop-dev-token", *fixture, "--service", "cart")
    run = run_gate(seeded_mock, "--profile", profile, *options)
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(checked_rules(profile, auth=True, states=profile == "full")) == []
    assert run.outcomes["test_generated_cases[createWorkflowTask]"] == "passed"
