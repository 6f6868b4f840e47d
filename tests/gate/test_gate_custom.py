"""The gate on today's workflow-task OpenAPI (`--api custom-workflow`), against the stand-in of
tests/gate/fake_today.py (written from the behavior file): it passes every faithful and stricter
form in both profiles, and fails each faulty form on the rule that sees the fault."""

from __future__ import annotations

import json

import pytest

from .fake_today import Switches, build_app
from .fake_zadig import ServerThread
from .runner import GateRun, run_gate

TOKEN = "admin-token"  # the stand-in's system admin
# The stand-in's workflow with an approval job that the admin approves, and a user who may not.
APPROVAL = (
    "--approval-workflow",
    "with-approval",
    "--approval-job",
    "approval",
    "--non-approver-token",
    "dev-token",
)
APPROVE_RULES = (
    "test_an_approval_task_is_triggered",
    "test_the_approval_job_waits_for_approval",
    "test_a_user_who_is_not_an_approver_cannot_approve",
    "test_the_approver_approves",
    "test_an_approver_decides_once",
    "test_approve_of_a_real_task_that_waits_for_no_approval",
)
NO_JOB_RULES = (
    "test_a_trigger_that_selects_no_job_is_6160[unknown_job]",
    "test_a_trigger_that_selects_no_job_is_6160[no_inputs]",
)


def gate(switches: Switches, profile: str, *options: str, approval=APPROVAL) -> GateRun:
    with ServerThread(build_app(switches)) as server:
        return run_gate(
            server.url,
            "--api",
            "custom-workflow",
            "--token",
            TOKEN,
            "--profile",
            profile,
            *approval,
            *options,
        )


FAITHFUL = [
    ("as the source", Switches()),
    ("more keys in answers", Switches(extra_fields=True)),
    ("the page's default page size (50)", Switches(page_size_50=True)),
    ("refuses a trigger without inputs, as the page requires them", Switches(inputs_required=True)),
    ("tasks start running at once", Switches(queue_seconds=0)),
    ("a workflow with a history of tasks", Switches(history=3)),
    ("null for an empty list or object inside a task (Go's nil)", Switches(nil_lists=True)),
    ("tasks of one second listed oldest first", Switches(list_ties_in_insertion_order=True)),
]


@pytest.mark.parametrize("profile", ["safe", "full"])
@pytest.mark.parametrize(("why", "switches"), FAITHFUL, ids=[f[0] for f in FAITHFUL])
def test_a_faithful_server_passes(why, switches, profile) -> None:
    run = gate(switches, profile)
    assert run.exit_code == 0, (run.failed(), run.texts)
    assert "failed" not in run.outcomes.values()
    if profile == "full":
        assert run.not_passed(["test_retry_keeps_the_id", *APPROVE_RULES, *NO_JOB_RULES]) == []


# (fault, switches, profile, the rules that must fail: all of them and no other)
FAULTS = [
    (
        "no token accepted",
        Switches(ignore_auth=True),
        "safe",
        (
            "test_a_request_without_a_valid_token_is_refused[bad]",
            "test_a_request_without_a_valid_token_is_refused[none]",
        ),
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
        ("test_approve_with_a_body_that_is_not_json", "test_detail_of_an_absent_task"),
    ),
    (
        "a non-numeric id is 500",
        Switches(non_numeric_status=500),
        "safe",
        (
            "test_a_task_id_that_is_not_an_integer[cancelCustomWorkflowTask]",
            "test_a_task_id_that_is_not_an_integer[getCustomWorkflowTask]",
            "test_list_with_a_page_that_is_not_an_integer",
        ),
    ),
    ("cancel's code", Switches(cancel_code=6161), "safe", "test_cancel_of_an_absent_task"),
    (
        "an envelope without extra",
        Switches(drop_field="extra"),
        "safe",
        (
            "test_approve_of_an_absent_task",
            "test_approve_without_a_task_id",
            "test_cancel_of_an_absent_task",
            "test_retry_of_a_task_id_that_is_not_an_integer",
            "test_retry_of_an_absent_task",
            "test_trigger_of_an_absent_workflow",
            "test_trigger_with_a_body_that_is_not_json",
        ),
    ),
    (
        "an absent workflow's list is an error",
        Switches(list_unknown_404=True),
        "safe",
        "test_list_of_an_absent_workflow_is_empty",
    ),
    ("retry's code", Switches(retry_code=6163), "safe", "test_retry_of_an_absent_task"),
    (
        "approve's code",
        Switches(approve_code=6163),
        "safe",
        ("test_approve_of_an_absent_task", "test_approve_without_a_task_id"),
    ),
    (
        "an absent workflow is triggered",
        Switches(unknown_workflow_accepted=True),
        "safe",
        "test_trigger_of_an_absent_workflow",
    ),
    ("trigger's code", Switches(trigger_code=6161), "safe", "test_trigger_of_an_absent_workflow"),
    (
        "ids from 0",
        Switches(first_id=0),
        "full",
        ("test_an_approval_task_is_triggered", "test_trigger_answers_the_workflow_and_a_task_id"),
    ),
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
        ("test_cancel_and_cancel_again", "test_retry_keeps_the_id", "test_the_approver_approves"),
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
    (
        "oldest first, in a workflow with a history",
        Switches(history=3, list_oldest_first=True),
        "safe",
        ("test_list_of_the_fixture_workflow[None]", "test_list_of_the_fixture_workflow[2]"),
    ),
    (
        "a retry stores a copy of the task",
        Switches(retry_inserts=True),
        "full",
        "test_retry_keeps_the_id",
    ),
    ("no job selected: another code", Switches(no_stage_code=6161), "full", NO_JOB_RULES),
    (
        "no job selected: another description",
        Switches(no_stage_description="no job selected in {workflow}"),
        "full",
        NO_JOB_RULES,
    ),
    (
        "a trigger without inputs runs every job",
        Switches(no_inputs_runs_every_job=True),
        "full",
        "test_a_trigger_that_selects_no_job_is_6160[no_inputs]",
    ),
    (
        "the task reads wait_for_approval",
        Switches(approval_task_status="wait_for_approval"),
        "full",
        "test_the_approval_job_waits_for_approval",
    ),
    (
        "a user who is not an approver approves",
        Switches(approve_ignores_approvers=True),
        "full",
        "test_a_user_who_is_not_an_approver_cannot_approve",
    ),
    (
        "a user who is not an approver is refused with 403",
        Switches(non_approver_403=True),
        "full",
        "test_a_user_who_is_not_an_approver_cannot_approve",
    ),
    (
        "a refused approval passes the job all the same",
        Switches(refused_approval_decides=True),
        "full",
        "test_a_user_who_is_not_an_approver_cannot_approve",
    ),
    (
        "an approval rejects the job",
        Switches(approve_records_reject=True),
        "full",
        "test_the_approver_approves",
    ),
    (
        "an approval decides nothing",
        Switches(approve_decides_nothing=True),
        "full",
        "test_an_approver_decides_once",
    ),
    (
        "a job the task does not have is approved",
        Switches(approve_unknown_job_accepted=True),
        "full",
        "test_approve_of_a_real_task_that_waits_for_no_approval",
    ),
]


@pytest.mark.parametrize(
    ("fault", "switches", "profile", "rules"), FAULTS, ids=[f[0] for f in FAULTS]
)
def test_a_faulty_server_fails(fault, switches, profile, rules) -> None:
    rules = (rules,) if isinstance(rules, str) else rules
    run = gate(switches, profile)
    assert run.exit_code != 0
    assert run.failed() == sorted(rules), run.failed()
    for rule in rules:
        assert "contract rule broken" in run.texts[rule]
        assert "rests on: zadig-openapi-workflow-behavior.md §" in run.texts[rule]


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

    # Its tasks wait a third of the duration, then their approval job waits for approval: the
    # approve example's workflow and job, which the mock's default user approves.
    with ServerThread(create_app(MockOptions(task_duration=30))) as server:
        run = run_gate(
            server.url,
            "--api",
            "custom-workflow",
            "--token",
            TOKEN,
            "--profile",
            profile,
            "--approval-workflow",
            "infra-dev-workflow",
            "--approval-job",
            "deploy",
        )
    assert run.exit_code == 0, (run.failed(), run.texts)
    if profile == "full":
        approve = [rule for rule in APPROVE_RULES if "not_an_approver" not in rule]
        assert run.not_passed(["test_retry_keeps_the_id", *approve, *NO_JOB_RULES]) == []


def test_without_an_approval_workflow_approve_is_skipped_and_said() -> None:
    run = gate(Switches(), "full", approval=())
    assert run.exit_code == 0, run.failed()
    approve = [rule for rule in APPROVE_RULES if "real_task" not in rule]
    assert {run.outcomes[rule] for rule in approve} == {"skipped"}
    assert run.outcomes["test_approve_of_a_real_task_that_waits_for_no_approval"] == "passed"
    assert "approve: not checked" in run.output


def test_without_a_non_approver_token_that_refusal_is_skipped_and_said() -> None:
    run = gate(Switches(), "full", approval=APPROVAL[:4])
    assert run.exit_code == 0, run.failed()
    assert run.outcomes["test_a_user_who_is_not_an_approver_cannot_approve"] == "skipped"
    assert run.outcomes["test_the_approver_approves"] == "passed"
    assert "no --non-approver-token" in run.output


@pytest.mark.parametrize(
    "options",
    [
        ("--approval-workflow", "with-approval"),
        ("--approval-job", "approval"),
        ("--non-approver-token", "dev-token"),
    ],
    ids=["workflow alone", "job alone", "token alone"],
)
def test_the_approval_options_go_together(options, capsys) -> None:
    run = run_gate("http://127.0.0.1:9", "--api", "custom-workflow", *options)
    assert run.exit_code == 4
    assert "--approval-workflow and --approval-job go together" in capsys.readouterr().err


def test_the_approval_trigger_body_names_the_approval_workflow(tmp_path, capsys) -> None:
    body = tmp_path / "approval.json"
    body.write_text('{"project_key": "helm", "workflow_key": "test-openapi", "inputs": []}')
    run = run_gate(
        "http://127.0.0.1:9",
        "--api",
        "custom-workflow",
        *APPROVAL[:4],
        "--approval-trigger-body",
        str(body),
    )
    assert run.exit_code == 4
    assert "is not --approval-workflow 'with-approval'" in capsys.readouterr().err


def test_a_non_approver_token_never_shows_in_a_report() -> None:
    """A refused approval by the non-approver prints its curl line with the variable."""
    run = gate(Switches(approve_ignores_approvers=True), "full")
    text = run.texts["test_a_user_who_is_not_an_approver_cannot_approve"]
    assert "$ZADIG_NON_APPROVER_TOKEN" in text
    assert "dev-token" not in text


def test_the_mock_with_a_seed_of_its_own_passes_with_a_non_approver(tmp_path) -> None:
    """A seeded mock (a workflow of a team's own, an approval job, a user who may not approve
    it): the gate's full profile passes, the non-approver's refusal included."""
    from mock_server.app import create_app
    from mock_server.options import MockOptions

    build = {"name": "build", "type": "zadig-build"}
    approve = {"name": "approve", "type": "approval", "approvers": ["admin"]}
    seed = {
        "custom_workflows": {
            "gate-check": {"project": "demo", "stages": [{"name": "build", "jobs": [build]}]},
            "gate-approval": {"project": "demo", "stages": [{"name": "ok", "jobs": [approve]}]},
        },
        "tokens": [
            {"token": TOKEN, "user": "admin"},
            {"token": "dev-token", "user": "dev", "projects": ["demo"]},
        ],
    }
    trigger = tmp_path / "trigger.json"
    body = {"project_key": "demo", "workflow_key": "gate-check", "inputs": [{"job_name": "build"}]}
    trigger.write_text(json.dumps(body), encoding="utf-8")
    with ServerThread(create_app(MockOptions(seed=seed, task_duration=30))) as server:
        run = run_gate(
            server.url,
            "--api",
            "custom-workflow",
            "--token",
            TOKEN,
            "--profile",
            "full",
            "--project",
            "demo",
            "--workflow",
            "gate-check",
            "--trigger-body",
            str(trigger),
            "--approval-workflow",
            "gate-approval",
            "--approval-job",
            "approve",
            "--non-approver-token",
            "dev-token",
        )
    assert run.exit_code == 0, (run.failed(), run.texts)
    assert run.not_passed(["test_retry_keeps_the_id", *APPROVE_RULES, *NO_JOB_RULES]) == []
