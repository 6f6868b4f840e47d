"""The rules of today's workflow-task OpenAPI (mock_server/custom_workflow.py), table-driven from
the behavior file `zadig-openapi-workflow-behavior.md`: every row of its error catalogue
(section 7) that aslan answers, the lifecycle (section 4), ids (section 6), the list (5.3).

Expected statuses, codes, messages and descriptions are the behavior file's, written out here."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml

from api_contract.catalogue import ZadigError, read_catalogue
from mock_server.custom_workflow import (
    CustomTask,
    CustomWorkflow,
    CustomWorkflowTasks,
    CustomWorld,
    Job,
    Stage,
    User,
)
from openapi import CUSTOM_SPEC_PATH

from .today_bodies import MONGO, envelope, plain

ADMIN = User("admin", "uid-admin", admin=True)
DEV = User("dev", "uid-dev", projects=frozenset({"helm"}))
GUEST = User("guest", "uid-guest")
DURATION = 30.0


@dataclass
class DictStore:
    """Tasks and counters in dicts: the rules alone, without a real store."""

    counters: dict[str, int] = field(default_factory=dict)
    tasks: dict[tuple[str, int], CustomTask] = field(default_factory=dict)

    async def next_id(self, counter: str) -> int:
        self.counters[counter] = self.counters.get(counter, 0) + 1
        return self.counters[counter]

    async def get_custom(self, workflow_key: str, task_id: int) -> CustomTask | None:
        return self.tasks.get((workflow_key, task_id))

    async def put_custom(self, task: CustomTask) -> None:
        self.tasks[(task.workflow_key, task.task_id)] = task

    async def custom_tasks(self, workflow_key: str) -> list[CustomTask]:
        return [t for (key, _), t in self.tasks.items() if key == workflow_key]


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def workflows() -> dict[str, CustomWorkflow]:
    build = Stage("build", (Job("build-myapps", "zadig-build"),))
    deploy = Stage("deploy", (Job("deploy-myapps", "zadig-deploy"),))
    approval = Stage("approve", (Job("approval", "approval", approvers=("admin", "lead")),))
    pair = Stage(
        "pair", (Job("pair", "approval", approvers=("admin", "lead"), needed_approvers=2),)
    )
    forced = Stage("always", (Job("audit", "freestyle", run_policy="force_run"),))
    return {
        "test-openapi": CustomWorkflow(
            "test-openapi", "helm", "Test OpenAPI", (build, deploy), {"test": None, "abc": ("1",)}
        ),
        "nightly": CustomWorkflow("nightly", "helm", "Nightly", (build,), outcome="failed"),
        "other": CustomWorkflow("other", "shop", "Other", (build,)),
        "ticketed": CustomWorkflow("ticketed", "helm", "T", (build,), approval_ticket=True),
        "off": CustomWorkflow("off", "helm", "Off", (build,), disabled=True),
        "audited": CustomWorkflow("audited", "helm", "A", (build, forced)),
        "gated": CustomWorkflow("gated", "helm", "G", (build, approval, deploy)),
        "paired": CustomWorkflow("paired", "helm", "P", (pair,)),
    }


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rules(clock: Clock) -> CustomWorkflowTasks:
    overlay = yaml.safe_load(CUSTOM_SPEC_PATH.read_text(encoding="utf-8"))
    catalogue = read_catalogue(overlay)
    world = CustomWorld(workflows(), task_duration=DURATION)
    return CustomWorkflowTasks(world, DictStore(), catalogue, clock)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def body(workflow: str = "test-openapi", project: str = "helm", jobs=("build-myapps",), **more):
    return {
        "project_key": project,
        "workflow_key": workflow,
        "inputs": [{"job_name": j, "job_type": "zadig-build", "parameters": {}} for j in jobs],
        **more,
    }


def refused(coro: Any) -> ZadigError:
    with pytest.raises(ZadigError) as caught:
        run(coro)
    return caught.value


# (situation, user, body, HTTP status, body) -- section 7 rows for the trigger, and 5.1's steps.
TRIGGER_ROWS = [
    ("no project permission", GUEST, body(), 403, None),
    ("permission in another project", DEV, body("other", "shop"), 403, None),
    ("unknown workflow", ADMIN, body("nope"), 400, envelope(6542, "查询workflow失败", MONGO)),
    ("empty workflow key", ADMIN, body(""), 400, envelope(6542, "查询workflow失败", MONGO)),
    (
        "approval-ticket workflow",
        ADMIN,
        body("ticketed"),
        400,
        envelope(
            6160,
            "创建工作流任务失败",
            "workflow need approval ticket to run, which is not supported by openAPI right now.",
        ),
    ),
    (
        "unknown parameter",
        ADMIN,
        body(parameters=[{"name": "nope", "type": "string", "value": "x"}]),
        500,
        plain("param nope not found in workflow"),
    ),
    (
        "choice outside its options",
        ADMIN,
        body(parameters=[{"name": "abc", "type": "choice", "value": "9"}]),
        500,
        plain("invalid choice value 9 for param abc"),
    ),
    (
        "no jobs selected",
        ADMIN,
        body(jobs=()),
        400,
        envelope(
            6160, "创建工作流任务失败", "no stage found in workflow task: test-openapi,taskID: 1"
        ),
    ),
    (
        "force_run job skipped",
        ADMIN,
        body("audited"),
        400,
        envelope(
            6160, "创建工作流任务失败", "job audit skipped, but the run policy is set to force run"
        ),
    ),
    (
        "disabled workflow",
        ADMIN,
        body("off"),
        400,
        envelope(6160, "创建工作流任务失败", "workflow is disabled"),
    ),
]


@pytest.mark.parametrize(
    ("user", "request_body", "status", "answer"),
    [pytest.param(*row[1:], id=row[0]) for row in TRIGGER_ROWS],
)
def test_trigger_refusals(rules, user, request_body, status, answer) -> None:
    error = refused(rules.trigger(user, request_body))
    assert (error.status, error.body) == (status, answer)
    if answer is None:
        assert error.render() == b""


def test_a_refusal_after_the_id_leaves_a_gap(rules) -> None:
    refused(rules.trigger(ADMIN, body(jobs=())))  # takes id 1 (section 6)
    assert run(rules.trigger(ADMIN, body())).task_id == 2


def test_ids_count_per_workflow_from_one(rules) -> None:
    ids = [run(rules.trigger(ADMIN, body(w))).task_id for w in ("test-openapi", "nightly") * 2]
    assert ids == [1, 1, 2, 2]


def test_trigger_answers_the_project_and_creator(rules, clock) -> None:
    task = run(rules.trigger(DEV, body()))
    assert (task.project, task.creator, task.status) == ("helm", "dev", "waiting")
    assert task.create_time == task.start_time == int(clock.now)


def test_lifecycle_waiting_running_outcome(rules, clock) -> None:
    passing = run(rules.trigger(ADMIN, body()))
    failing = run(rules.trigger(ADMIN, body("nightly")))
    seen = []
    for step in (0, DURATION / 3, DURATION - 0.01, DURATION):
        clock.now = passing.since + step
        seen.append(
            (
                run(rules.detail("test-openapi", passing.task_id)).status,
                run(rules.detail("nightly", failing.task_id)).status,
            )
        )
    assert seen == [
        ("waiting", "waiting"),
        ("running", "running"),
        ("running", "running"),
        ("passed", "failed"),
    ]
    ended = run(rules.detail("test-openapi", passing.task_id))
    assert ended.end_time == int(passing.since + DURATION)
    assert ended.jobs == (("build-myapps", "passed"),)


def test_detail_of_an_unknown_task(rules) -> None:
    error = refused(rules.detail("test-openapi", 99))
    assert (error.status, error.body) == (500, plain(MONGO))


def test_list_filters_by_project_newest_first_and_pages(rules, clock) -> None:
    for _ in range(3):
        run(rules.trigger(ADMIN, body()))
        clock.now += 1
    total, page = run(rules.page("test-openapi", "helm", 1, 2))
    assert total == 3
    assert [v.task.task_id for v in page] == [3, 2]
    total, page = run(rules.page("test-openapi", "helm", 2, 2))
    assert [v.task.task_id for v in page] == [1]
    assert run(rules.page("test-openapi", "shop", 1, 10)) == (0, [])
    assert run(rules.page("nope", "helm", 1, 10)) == (0, [])
    total, page = run(rules.page("test-openapi", "helm", 0, 1))  # pageNum 0: no skip nor limit
    assert (total, len(page)) == (3, 3)


@pytest.mark.parametrize(
    "status", ["waiting", "running", "failed", "timeout", "cancelled", "reject"]
)
def test_cancel_any_status_but_passed(rules, status) -> None:
    task = run(rules.trigger(ADMIN, body()))
    run(rules.force_status("test-openapi", task.task_id, status))
    cancelled = run(rules.cancel(DEV, "test-openapi", task.task_id))
    read = run(rules.detail("test-openapi", task.task_id))
    assert (read.status, cancelled.revoker) == ("cancelled", "dev")


def test_cancel_refusals(rules, clock) -> None:
    error = refused(rules.cancel(ADMIN, "test-openapi", 7))
    assert (error.status, error.body) == (400, envelope(6163, "取消工作流任务失败", MONGO))
    task = run(rules.trigger(ADMIN, body()))
    clock.now += DURATION  # passed on the clock
    error = refused(rules.cancel(ADMIN, "test-openapi", task.task_id))
    description = f"task: test-openapi:{task.task_id} is passed, cannot cancel"
    assert (error.status, error.body) == (400, envelope(6163, "取消工作流任务失败", description))


def test_cancel_of_a_waiting_task_keeps_end_time_zero(rules) -> None:
    task = run(rules.trigger(ADMIN, body()))
    run(rules.cancel(ADMIN, "test-openapi", task.task_id))
    assert run(rules.detail("test-openapi", task.task_id)).end_time == 0


@pytest.mark.parametrize("status", ["failed", "timeout", "cancelled", "reject"])
def test_retry_keeps_the_id_and_waits_again(rules, clock, status) -> None:
    task = run(rules.trigger(ADMIN, body()))
    run(rules.force_status("test-openapi", task.task_id, status))
    clock.now += 5
    run(rules.retry("test-openapi", task.task_id))
    read = run(rules.detail("test-openapi", task.task_id))
    assert (read.task.task_id, read.status, read.end_time) == (task.task_id, "waiting", 0)
    assert read.task.start_time == int(clock.now)
    assert run(rules.page("test-openapi", "helm", 1, 10))[0] == 1  # no second task


@pytest.mark.parametrize("status", ["waiting", "running", "passed", "pause", "created"])
def test_retry_refused_in_other_states(rules, status) -> None:
    task = run(rules.trigger(ADMIN, body()))
    run(rules.force_status("test-openapi", task.task_id, status))
    error = refused(rules.retry("test-openapi", task.task_id))
    assert (error.status, error.body) == (500, plain("工作流任务状态无法重试"))


def test_retry_of_an_unknown_task(rules) -> None:
    error = refused(rules.retry("test-openapi", 5))
    assert (error.status, error.body) == (400, envelope(6161, "获取工作流任务失败", MONGO))


def approve_body(task_id: int, job: str = "approval", approve: bool = True, key: str = "gated"):
    return {"workflow_key": key, "task_id": task_id, "stage_name": job, "approve": approve}


def waiting_for_approval(rules, clock, workflow: str = "gated", job: str = "approval") -> int:
    task = run(rules.trigger(ADMIN, body(workflow, jobs=("build-myapps", job))))
    clock.now += DURATION / 3
    read = run(rules.detail(workflow, task.task_id))
    assert (read.status, dict(read.jobs)[job]) == ("running", "wait_for_approval")
    return task.task_id


def test_approve_passes_the_job_and_the_task_ends(rules, clock) -> None:
    task_id = waiting_for_approval(rules, clock)
    clock.now += DURATION  # the task waits for the approval however long it takes
    assert run(rules.detail("gated", task_id)).status == "running"
    run(rules.approve(User("lead", "uid-lead"), approve_body(task_id)))
    read = run(rules.detail("gated", task_id))
    assert (read.status, dict(read.jobs)["approval"]) == ("passed", "passed")


def test_reject_ends_the_task_reject(rules, clock) -> None:
    task_id = waiting_for_approval(rules, clock)
    run(rules.approve(ADMIN, approve_body(task_id, approve=False)))
    assert run(rules.detail("gated", task_id)).status == "reject"


def test_approve_refusals(rules, clock) -> None:
    def error_of(user: User, request: dict[str, Any]) -> tuple[int, dict]:
        error = refused(rules.approve(user, request))
        return error.status, error.body

    def row(description: str) -> tuple[int, dict]:
        return 400, envelope(6169, "批准工作流任务失败", description)

    assert error_of(ADMIN, approve_body(0)) == row(
        "can not find approved workflow: gated, taskID: 0,jobName: approval"
    )
    assert error_of(ADMIN, approve_body(3, job="")) == row(
        "can not find approved workflow: gated, taskID: 3,jobName: "
    )
    assert error_of(ADMIN, approve_body(3)) == row("not found approval")  # no such task
    task_id = waiting_for_approval(rules, clock)
    assert error_of(ADMIN, approve_body(task_id, job="deploy-myapps")) == row("not found approval")
    assert error_of(DEV, approve_body(task_id)) == row("user dev has no authority to Approve")
    paired = waiting_for_approval(rules, clock, "paired", "pair")
    run(rules.approve(ADMIN, approve_body(paired, job="pair", key="paired")))
    assert error_of(ADMIN, approve_body(paired, job="pair", key="paired")) == row(
        "admin have approve already"
    )
    run(rules.approve(User("lead", "l"), approve_body(paired, job="pair", key="paired")))
    assert error_of(ADMIN, approve_body(paired, job="pair", key="paired")) == row(
        "not found approval"
    )


def test_forced_wait_for_approval_can_be_approved(rules) -> None:
    task = run(rules.trigger(ADMIN, body("gated", jobs=("approval",))))
    assert run(rules.force_status("gated", task.task_id, "wait_for_approval", job="approval"))
    run(rules.approve(ADMIN, approve_body(task.task_id)))
    assert dict(run(rules.detail("gated", task.task_id)).jobs)["approval"] == "passed"


def test_tasks_round_trip_as_data(rules) -> None:
    task = run(rules.trigger(ADMIN, body()))
    assert CustomTask.from_dict(task.as_dict()) == task


def test_the_caller_is_the_token_claims_or_a_user_of_the_world(rules) -> None:
    rules.world.users["t"] = DEV
    assert rules.caller("t") == DEV
    assert rules.caller("other") == rules.world.default_user
    assert rules.caller("x", {"name": "lead", "uid": "u-9"}) == User("lead", "u-9")
