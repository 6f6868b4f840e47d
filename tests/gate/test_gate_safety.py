"""What the safe profile sends, read from the server's own journal of received requests."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from contract_tests.settings import ABSENT_ID_FLOOR

from .fake_zadig import ServerThread, Switches, build_app
from .runner import run_gate


def safe_journal(switches: Switches, *options: str) -> list:
    app = build_app(switches)
    with ServerThread(app) as server:
        run_gate(server.url, "--profile", "safe", *options, max_examples=10)
    return app.state.fake.journal


def test_safe_task_ids_are_far_above_real_ones_or_have_no_digit() -> None:
    ids = [
        unquote(sent.path.split("/id/", 1)[1].split("/", 1)[0])
        for sent in safe_journal(Switches())
        if "/id/" in sent.path
    ]
    assert ids
    for task_id in ids:
        if task_id.isdigit():
            assert int(task_id) >= ABSENT_ID_FLOOR, task_id
        else:
            assert not any(char.isdigit() for char in task_id), task_id


# The default fixture workflow (the spec's example, which the fake server has).
FIXTURE_WORKFLOW = "proxy-workflow-dev"
TOKEN = "gate-test-token"
LAX = [
    ("accepts unknown workflows", Switches(accept_unknown_workflow=True)),
    ("creates tasks with nothing to run", Switches(accept_no_targets=True)),
    ("as v1.7.1: creates a task for a body without namespace", Switches()),
    ("ignores auth", Switches(tokens=(TOKEN,), ignore_auth=True)),
    ("restarts any task", Switches(restart_accepted_in=("running", "passed"))),
    ("cancels passed tasks", Switches(cancel_of_passed_accepted=True)),
]


@pytest.mark.parametrize("switches", [pytest.param(s, id=name) for name, s in LAX])
def test_safe_profile_never_names_the_fixture_workflow(switches: Switches) -> None:
    """A lax server could turn any create, restart or cancel naming a real workflow into an
    action on a real task: the safe profile sends none."""
    options = ("--token", TOKEN) if switches.tokens else ()
    app = build_app(switches)
    with ServerThread(app) as server:
        run_gate(server.url, "--profile", "safe", *options, max_examples=10)
    journal = app.state.fake.journal
    assert len(journal) > 20
    for sent in journal:
        assert FIXTURE_WORKFLOW not in unquote(sent.path), sent
        assert FIXTURE_WORKFLOW.encode() not in sent.body, sent
    assert not [key for key in app.state.fake.tasks if key[0] == FIXTURE_WORKFLOW]
