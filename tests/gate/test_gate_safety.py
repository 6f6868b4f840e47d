"""What the safe profile sends, read from the server's own journal of received requests."""

from __future__ import annotations

from urllib.parse import unquote

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
