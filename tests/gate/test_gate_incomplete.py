"""Bodies the page calls incomplete or malformed, answered as the behavior file says v1.7.1
answers them (a missing field is its zero value), by a stricter server, and by faulty ones."""

from __future__ import annotations

from .fake_zadig import ServerThread, Switches, build_app
from .runner import checked_rules, run_gate

MISSING_NAMESPACE_FULL = "test_documented_error[createWorkflowTask-missing_namespace-full]"
NULL_BODY = "test_documented_error[createWorkflowTask-null_body]"
LENIENCY = "accepted a create without `namespace`, which the page marks required"


def test_faithful_server_passes_full_and_its_leniency_is_noted() -> None:
    """v1.7.1 creates a task for a body without namespace: a pass, shown in the summary, and
    the task is cancelled at the end like every task the gate creates."""
    app = build_app(Switches())
    with ServerThread(app) as server:
        run = run_gate(server.url, "--profile", "full")
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(checked_rules("full")) == []
    assert run.outcomes[MISSING_NAMESPACE_FULL] == "passed"
    summary = run.output.split("zadig contract summary", 1)[1]
    assert summary.count(LENIENCY) == 1, summary
    assert set(app.state.fake.tasks.values()) == {"cancelled"}


def test_strict_fails_a_server_that_accepts_a_body_without_namespace() -> None:
    with ServerThread(build_app(Switches())) as server:
        run = run_gate(server.url, "--profile", "full", "--strict")
    assert run.exit_code == 1
    assert run.failed() == [MISSING_NAMESPACE_FULL]
    assert LENIENCY in run.texts[MISSING_NAMESPACE_FULL]


def test_strict_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("ZADIG_STRICT", "1")
    with ServerThread(build_app(Switches())) as server:
        run = run_gate(server.url, "--profile", "full", "-k", "missing_namespace")
    assert run.failed() == [MISSING_NAMESPACE_FULL]


def test_strict_passes_a_server_that_refuses_incomplete_bodies() -> None:
    with ServerThread(build_app(Switches(strict=True))) as server:
        run = run_gate(server.url, "--profile", "full", "--strict")
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(checked_rules("full")) == []
    assert LENIENCY not in run.output


def test_safe_profile_passes_the_faithful_server_in_strict_mode_too() -> None:
    """The safe profile names no real workflow, so the release's leniency cannot show there."""
    with ServerThread(build_app(Switches())) as server:
        run = run_gate(server.url, "--strict")
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(checked_rules("safe")) == []


def test_null_body_answered_500_is_reported_as_a_defect_of_the_service() -> None:
    """v1.7.1's own answer to a `null` body: the safe profile's fixed probe reports it."""
    with ServerThread(build_app(Switches(null_body_500=True))) as server:
        run = run_gate(server.url, "-k", "not generated")
        deselected = run_gate(
            server.url, "--deselect", f"contract_tests/test_errors.py::{NULL_BODY}"
        )
    assert run.failed() == [NULL_BODY]
    text = run.texts[NULL_BODY]
    assert "HTTP 500" in text and "a defect of the service" in text
    assert f"--deselect 'contract_tests/test_errors.py::{NULL_BODY}'" in text
    assert deselected.exit_code == 0, deselected.failed()
    assert NULL_BODY not in deselected.outcomes


def test_a_fixture_that_cannot_run_is_reported_once() -> None:
    """Create answers 6160 for a reason of the deployment's own (no image registry): one
    failure naming the fixture and the server's description; the rules that need a task skip."""
    reason = "no image registry configured for service proxy"
    with ServerThread(build_app(Switches(cannot_run=reason, admin=True))) as server:
        run = run_gate(server.url, "--profile", "full")
    assert run.exit_code == 1
    assert run.failed() == ["test_create_answers_workflow_and_id"], run.failed()
    text = run.texts["test_create_answers_workflow_and_id"]
    assert "fixture problem, not a contract violation" in text and reason in text
    assert "contract rule broken" not in text
    assert run.outcomes["test_task_action[cancel_created_task]"] == "skipped"
    assert run.outcomes["test_create_again_gives_greater_id"] == "skipped"
    assert run.outcomes[MISSING_NAMESPACE_FULL] == "passed"
