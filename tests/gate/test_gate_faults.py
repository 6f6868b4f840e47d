"""The gate fails each deliberately broken server, in the profile that can see the fault, and
passes faithful servers that differ where the contract is silent."""

from __future__ import annotations

import itertools
import time

import pytest

from .fake_zadig import DribblingServer, ServerThread, Switches, build_app
from .runner import CONTRACT, checked_rules, run_gate

TOKEN = "gate-test-token"
OPERATIONS = list(CONTRACT.operations)

# (fault, switches, profile, the rule that must fail, or a prefix of it)
FAULTS = [
    (
        "wrong code on restart",
        Switches(wrong_code="restart"),
        "safe",
        "test_documented_error[restartWorkflowTask-task_not_found]",
    ),
    (
        "wrong code on cancel",
        Switches(wrong_code="cancel"),
        "safe",
        "test_documented_error[cancelWorkflowTask-task_not_found]",
    ),
    (
        "wrong code on create",
        Switches(wrong_code="create"),
        "safe",
        "test_documented_error[createWorkflowTask-project_not_found]",
    ),
    (
        "envelope without extra",
        Switches(drop_field="extra"),
        "safe",
        "test_documented_error[cancelWorkflowTask-task_not_found]",
    ),
    (
        "envelope without message",
        Switches(drop_field="message"),
        "safe",
        "test_documented_error[createWorkflowTask-workflow_not_found]",
    ),
    (
        "type is not error",
        Switches(error_type="failure"),
        "safe",
        "test_documented_error[restartWorkflowTask-bad_task_id]",
    ),
    (
        "errors sent with HTTP 200",
        Switches(error_status=200),
        "safe",
        "test_documented_error[restartWorkflowTask-task_not_found]",
    ),
    (
        "errors sent with HTTP 500",
        Switches(error_status=500),
        "safe",
        "test_documented_error[createWorkflowTask-project_not_found]",
    ),
    (
        "500 on malformed JSON",
        Switches(malformed_json_500=True),
        "safe",
        "test_documented_error[createWorkflowTask-bad_body]",
    ),
    (
        "text/plain errors",
        Switches(error_media_type="text/plain"),
        "safe",
        "test_documented_error[cancelWorkflowTask-bad_task_id]",
    ),
    (
        "unknown workflow accepted",
        Switches(accept_unknown_workflow=True),
        "safe",
        "test_documented_error[createWorkflowTask-workflow_not_found]",
    ),
    (
        "500 on a body without a required field",
        Switches(missing_field_500=True),
        "safe",
        "test_documented_error[createWorkflowTask-missing_namespace-safe]",
    ),
    (
        "create without targets accepted",
        Switches(accept_no_targets=True),
        "full",
        "test_documented_error[createWorkflowTask-missing_targets-full]",
    ),
    (
        "wrong catalogue message",
        Switches(wrong_message=6163),
        "safe",
        "test_documented_error[cancelWorkflowTask-task_not_found]",
    ),
    (
        "wrong catalogue message for 400",
        Switches(wrong_message=400),
        "safe",
        "test_documented_error[createWorkflowTask-bad_body]",
    ),
    (
        "success with the wrong message",
        Switches(success_message="ok"),
        "full",
        "test_task_action[cancel_created_task]",
    ),
    (
        "task_id as a string",
        Switches(task_id_as_string=True),
        "full",
        "test_create_answers_workflow_and_id",
    ),
    (
        "pipeline_name is not the workflow",
        Switches(pipeline_name="proxy"),
        "full",
        "test_create_answers_workflow_and_id",
    ),
    (
        "ids that do not increase",
        Switches(ids_do_not_increase=True),
        "full",
        "test_create_again_gives_greater_id",
    ),
    (
        "500 on an unknown query parameter",
        Switches(crash_on_unknown_query=True),
        "safe",
        "test_generated_cases[",
    ),
    (
        "restart of a passed task accepted",
        Switches(admin=True, restart_accepted_in=("passed",)),
        "full",
        "test_refused_in_state[restartWorkflowTask-task_not_restartable-passed]",
    ),
    (
        "restart of a running task accepted",
        Switches(admin=True, restart_accepted_in=("running",)),
        "full",
        "test_refused_in_state[restartWorkflowTask-task_not_restartable-running]",
    ),
    (
        "cancel of a passed task accepted",
        Switches(admin=True, cancel_of_passed_accepted=True),
        "full",
        "test_refused_in_state[cancelWorkflowTask-task_passed-passed]",
    ),
]


@pytest.mark.parametrize(
    ("switches", "profile", "rule"),
    [pytest.param(s, p, r, id=name) for name, s, p, r in FAULTS],
)
def test_gate_fails_a_faulty_server(switches: Switches, profile: str, rule: str) -> None:
    with ServerThread(build_app(switches)) as server:
        run = run_gate(server.url, "--profile", profile)
    assert run.exit_code == 1, run.output
    failed = run.failed_matching(rule)
    assert failed, f"{rule} did not fail; failed: {run.failed()}"
    text = run.texts[failed[0]]
    # CI-friendly: the rule, the page's section, a runnable request, expected vs got.
    for part in (
        "contract rule broken:",
        "documented in: page section «",
        "curl ",
        "expected:",
        "got: HTTP",
    ):
        assert part in text, text


def test_gate_sees_each_fault_only_where_it_can() -> None:
    """The full-profile success faults are invisible to the safe profile (it creates nothing)."""
    with ServerThread(build_app(Switches(success_message="ok", task_id_as_string=True))) as server:
        run = run_gate(server.url, "--profile", "safe")
    assert run.exit_code == 0, run.failed()
    assert run.not_passed(checked_rules("safe")) == []


def test_gate_fails_a_server_that_ignores_auth() -> None:
    with ServerThread(build_app(Switches(tokens=(TOKEN,), ignore_auth=True))) as server:
        run = run_gate(server.url, "--token", TOKEN)
    assert run.exit_code == 1
    assert run.failed_matching("test_refused_without_valid_token[restartWorkflowTask-auth_none")
    assert run.failed_matching("test_refused_without_valid_token[createWorkflowTask-auth_bad")


@pytest.mark.parametrize(
    "switches",
    [
        pytest.param(Switches(admin=True, success_message="ok"), id="cancel answers wrongly"),
        pytest.param(Switches(admin=True, task_id_as_string=True), id="task_id as a string"),
    ],
)
def test_full_run_cancels_every_task_it_created_even_when_rules_fail(switches: Switches) -> None:
    app = build_app(switches)
    with ServerThread(app) as server:
        run = run_gate(server.url, "--profile", "full")
    assert run.exit_code == 1
    tasks = app.state.fake.tasks
    assert tasks, "the full profile created no task"
    # Forced to passed by the status rules, those cannot be cancelled; all others are.
    assert {status for status in tasks.values()} <= {"cancelled", "passed"}, tasks


def test_generated_cases_get_past_the_gateway_with_a_project_scoped_token() -> None:
    """A token scoped to the fixture project: generated cases must reach the service."""
    switches = Switches(
        tokens=(TOKEN,), token_projects={TOKEN: "proxy"}, crash_on_unknown_query=True
    )
    with ServerThread(build_app(switches)) as server:
        run = run_gate(server.url, "--token", TOKEN, "--project", "proxy")
    assert run.exit_code == 1
    assert run.failed_matching("test_generated_cases[")


def test_generated_cases_refused_with_the_token_fail() -> None:
    """A 403 for the project the token is meant to cover: nothing was checked, not a pass."""
    switches = Switches(tokens=(TOKEN,), token_projects={TOKEN: "billing"})
    with ServerThread(build_app(switches)) as server:
        run = run_gate(server.url, "--token", TOKEN, "-k", "generated")
    assert run.exit_code == 1
    failed = run.failed_matching("test_generated_cases[")
    assert failed and "the token was refused for project 'proxy'" in run.texts[failed[0]]
    hint = "every answer was HTTP 403: check --token and --project"
    assert run.output.count(hint) == 1, run.output[-2000:]


def test_failures_do_not_print_the_token() -> None:
    switches = Switches(tokens=(TOKEN,), wrong_code="cancel", crash_on_unknown_query=True)
    with ServerThread(build_app(switches)) as server:
        run = run_gate(server.url, "--token", TOKEN)
    assert run.failed_matching("test_documented_error[cancelWorkflowTask")
    assert run.failed_matching("test_generated_cases[")
    assert TOKEN not in run.output
    assert 'curl -H "Authorization: Bearer $ZADIG_TOKEN"' in run.output


def test_gate_fails_fast_on_an_endpoint_that_never_answers() -> None:
    """With the default 10 s timeout, a hung endpoint fails the gate well within 2 minutes."""
    started = time.monotonic()
    with ServerThread(build_app(Switches(hang="cancel"))) as server:
        run = run_gate(server.url, "--profile", "full")
    elapsed = time.monotonic() - started
    assert run.exit_code == 1
    assert "test_documented_error[cancelWorkflowTask-task_not_found]" in run.failed()
    assert "no answer within 10 s" in run.output
    assert elapsed < 60, f"the gate took {elapsed:.0f} s on a hung endpoint"


@pytest.mark.parametrize("headers", [True, False], ids=["dribbled body", "dribbled headers"])
def test_gate_fails_fast_on_a_target_that_dribbles_its_answer(headers: bool) -> None:
    """A byte every 0.5 s never trips a read timeout: the request timeout is a total one."""
    started = time.monotonic()
    with DribblingServer(headers=headers) as server:
        run = run_gate(server.url, "--request-timeout", "2")
    elapsed = time.monotonic() - started
    assert run.exit_code == 1
    assert "no answer within 2 s" in run.output
    assert "During handling of the above exception" not in run.output
    assert elapsed < 30, f"the gate took {elapsed:.0f} s on a dribbling target"


def test_run_budget_ends_a_run_against_a_target_that_answers_slowly() -> None:
    """Every answer within the request timeout, but too slow for the run to end in time."""
    started = time.monotonic()
    with ServerThread(build_app(Switches(latency=0.5))) as server:
        run = run_gate(server.url, "--run-budget", "4")
    elapsed = time.monotonic() - started
    assert run.exit_code == 1
    assert "the run budget of 4 s is spent" in run.output
    # The summary names the rules that the budget cut, each once.
    summary = run.output.split("zadig contract summary", 1)[1]
    note = summary.split("(--run-budget) ran out; these rules failed without being checked:")[1]
    # The list is the block of "  - " lines right after the heading; pytest's own short
    # summary follows it and (with CI set) repeats the failure messages, so stop there.
    cut = list(itertools.takewhile(lambda line: line.startswith("  - "), note.splitlines()[1:]))
    cut = [line[4:] for line in cut]
    assert cut and len(cut) == len(set(cut)), note
    # Generated cases go through the same budget as the probes: they run last, and are cut.
    assert {f"{op}: generated requests get documented answers" for op in OPERATIONS} <= set(cut)
    assert elapsed < 15, f"the gate took {elapsed:.0f} s with a budget of 4 s"


FAITHFUL = [
    ("as the behavior file says", Switches()),
    ("stricter: refuses incomplete bodies with 400", Switches(strict=True)),
    ("extra fields", Switches(extra_fields=True, admin=True)),
    ("other descriptions", Switches(description="something else went wrong")),
    ("ids from 1000 with gaps of 7", Switches(first_id=1000, id_step=7)),
    ("ids from 42 with gaps of 3", Switches(first_id=42, id_step=3)),
    ("extra headers and charset", Switches(extra_headers=True)),
    ("200 ms latency", Switches(latency=0.2)),
]


@pytest.mark.parametrize("profile", ["safe", "full"])
@pytest.mark.parametrize("switches", [pytest.param(s, id=name) for name, s in FAITHFUL])
def test_gate_passes_a_faithful_server(switches: Switches, profile: str) -> None:
    # Few generated cases when every answer is slow: the fixed rules make most requests.
    examples = 1 if switches.latency else 4
    with ServerThread(build_app(switches)) as server:
        run = run_gate(server.url, "--profile", profile, max_examples=examples)
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(checked_rules(profile)) == []


def test_only_the_full_profile_checks_the_unknown_env_rule() -> None:
    """6160 is only reachable by naming a real workflow: safe leaves it, and says so."""
    world = {"billing": {"workflows": {"billing-deploy"}, "envs": {"prod"}}}
    fixture = ("--project", "billing", "--workflow", "billing-deploy", "--env", "prod")
    with ServerThread(build_app(Switches(world=world))) as server:
        safe = run_gate(server.url, *fixture)
        full = run_gate(server.url, "--profile", "full", *fixture)
    rule = "test_documented_error[createWorkflowTask-env_not_found]"
    assert safe.exit_code == 0 and safe.outcomes[rule] == "skipped"
    note = "not checked by the safe profile: createWorkflowTask: env_not_found (6160)"
    assert note in safe.output
    assert full.exit_code == 0 and full.outcomes[rule] == "passed"


def test_gate_passes_a_faithful_server_with_auth() -> None:
    with ServerThread(build_app(Switches(tokens=(TOKEN,)))) as server:
        run = run_gate(server.url, "--profile", "full", "--token", TOKEN)
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(checked_rules("full", auth=True)) == []
    assert (
        run.outcomes["test_refused_without_valid_token[cancelWorkflowTask-auth_bad_token]"]
        == "passed"
    )
