"""The gate on today's workflow-task OpenAPI (`--api custom-workflow`), against the stand-in of
tests/gate/fake_today.py (written from the behavior file): it passes every faithful and stricter
form in both profiles, and fails each faulty form on the rule that sees the fault."""

from __future__ import annotations

import pytest

from .fake_today import Switches, build_app
from .fake_zadig import ServerThread
from .runner import GateRun, run_gate

TOKEN = "admin-token"  # the stand-in's system admin


def gate(switches: Switches, profile: str, *options: str) -> GateRun:
    with ServerThread(build_app(switches)) as server:
        return run_gate(
            server.url,
            "--api",
            "custom-workflow",
            "--token",
            TOKEN,
            "--profile",
            profile,
            *options,
        )


FAITHFUL = [
    ("as the source", Switches()),
    ("more keys in answers", Switches(extra_fields=True)),
    ("the page's default page size (50)", Switches(page_size_50=True)),
    ("refuses a trigger without inputs, as the page requires them", Switches(inputs_required=True)),
    ("tasks start running at once", Switches(queue_seconds=0)),
]


@pytest.mark.parametrize("profile", ["safe", "full"])
@pytest.mark.parametrize(("why", "switches"), FAITHFUL, ids=[f[0] for f in FAITHFUL])
def test_a_faithful_server_passes(why, switches, profile) -> None:
    run = gate(switches, profile)
    assert run.exit_code == 0, (run.failed(), run.texts)
    assert "failed" not in run.outcomes.values()
    if profile == "full":
        assert run.outcomes["test_retry_keeps_the_id"] == "passed"


# (fault, switches, profile, the rule that must fail)
FAULTS = [
    (
        "no token accepted",
        Switches(ignore_auth=True),
        "safe",
        "test_a_request_without_a_valid_token_is_refused[none]",
    ),
    (
        "an absent task is 404",
        Switches(detail_missing_status=404),
        "safe",
        "test_detail_of_an_absent_task",
    ),
    (
        "the plain error's message",
        Switches(plain_message="Internal Error"),
        "safe",
        "test_detail_of_an_absent_task",
    ),
    (
        "a non-numeric id is 500",
        Switches(non_numeric_status=500),
        "safe",
        "test_a_task_id_that_is_not_an_integer[getCustomWorkflowTask]",
    ),
    ("cancel's code", Switches(cancel_code=6161), "safe", "test_cancel_of_an_absent_task"),
    (
        "an envelope without extra",
        Switches(drop_field="extra"),
        "safe",
        "test_cancel_of_an_absent_task",
    ),
    (
        "an absent workflow's list is an error",
        Switches(list_unknown_404=True),
        "safe",
        "test_list_of_an_absent_workflow_is_empty",
    ),
    ("retry's code", Switches(retry_code=6163), "safe", "test_retry_of_an_absent_task"),
    ("approve's code", Switches(approve_code=6163), "safe", "test_approve_of_an_absent_task"),
    (
        "an absent workflow is triggered",
        Switches(unknown_workflow_accepted=True),
        "safe",
        "test_trigger_of_an_absent_workflow",
    ),
    ("trigger's code", Switches(trigger_code=6161), "safe", "test_trigger_of_an_absent_workflow"),
    ("ids from 0", Switches(first_id=0), "full", "test_trigger_answers_the_workflow_and_a_task_id"),
    (
        "ids do not increase",
        Switches(ids_do_not_increase=True),
        "full",
        "test_a_second_trigger_gets_a_greater_id",
    ),
    (
        "a new task reads created",
        Switches(triggered_status="created"),
        "full",
        "test_a_new_task_reads_back",
    ),
    (
        "oldest first",
        Switches(list_oldest_first=True),
        "full",
        "test_the_list_shows_the_new_tasks_newest_first",
    ),
    (
        "statuses not lower-cased",
        Switches(list_upper_status=True),
        "full",
        "test_the_list_shows_the_new_tasks_newest_first",
    ),
    (
        "the list ignores projectKey",
        Switches(list_ignores_project=True),
        "full",
        "test_the_list_of_another_project_is_empty",
    ),
    (
        "cancel answers another message",
        Switches(success_message="ok"),
        "full",
        "test_cancel_and_cancel_again",
    ),
    (
        "a cancel leaves another status",
        Switches(cancel_status="canceled"),
        "full",
        "test_cancel_and_cancel_again",
    ),
    ("retry makes a new task", Switches(retry_new_id=True), "full", "test_retry_keeps_the_id"),
    (
        "retry of a running task accepted",
        Switches(retry_accepted_from=("waiting", "running")),
        "full",
        "test_retry_of_a_task_that_runs_is_refused",
    ),
    (
        "retry's wrong state is 400",
        Switches(retry_wrong_state_status=400),
        "full",
        "test_retry_of_a_task_that_runs_is_refused",
    ),
]


@pytest.mark.parametrize(
    ("fault", "switches", "profile", "rule"), FAULTS, ids=[f[0] for f in FAULTS]
)
def test_a_faulty_server_fails(fault, switches, profile, rule) -> None:
    run = gate(switches, profile)
    assert run.exit_code != 0
    assert rule in run.failed(), (rule, run.failed())
    assert "contract rule broken" in run.texts[rule]


def test_the_full_profile_cancels_what_it_triggered() -> None:
    app = build_app(Switches())
    with ServerThread(app) as server:
        run = run_gate(
            server.url, "--api", "custom-workflow", "--token", TOKEN, "--profile", "full"
        )
    assert run.exit_code == 0
    statuses = {task.status for task in app.state.fake.tasks.values()}
    assert statuses == {"cancelled"}, statuses


def test_the_safe_profile_triggers_nothing() -> None:
    app = build_app(Switches())
    with ServerThread(app) as server:
        run = run_gate(server.url, "--api", "custom-workflow", "--token", TOKEN)
    assert run.exit_code == 0
    assert app.state.fake.tasks == {}


def test_only_the_rules_of_the_api_are_collected() -> None:
    run = gate(Switches(), "safe")
    assert run.outcomes
    assert all("custom" not in name or "Custom" in name for name in run.outcomes)
    assert not any(name.startswith("test_documented_error") for name in run.outcomes)


def test_api_and_spec_must_agree(capsys) -> None:
    from openapi import SPEC_PATH

    run = run_gate("http://127.0.0.1:9", "--api", "custom-workflow", "--spec", str(SPEC_PATH))
    assert run.exit_code != 0
    assert "describes the API workflow" in capsys.readouterr().err


@pytest.mark.parametrize("profile", ["safe", "full"])
def test_the_mock_passes(profile) -> None:
    """The mock serves today's OpenAPI beside the v1.7.1 page; the gate finds it faithful."""
    from mock_server.app import create_app
    from mock_server.options import MockOptions

    with ServerThread(create_app(MockOptions(task_duration=600))) as server:
        run = run_gate(
            server.url, "--api", "custom-workflow", "--token", TOKEN, "--profile", profile
        )
    assert run.exit_code == 0, (run.failed(), run.texts)
    if profile == "full":
        assert run.outcomes["test_retry_keeps_the_id"] == "passed"
