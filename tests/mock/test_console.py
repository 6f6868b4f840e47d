"""What the mock console stands on: its page for browsers at the root (JSON clients still get the
404 envelope), its files, and the admin API it reads: the journal with bodies (credentials
hidden) and the forced answers consumed, every documented answer to queue, the running options.
The page itself is tried in Chromium (tests/browser/test_browser_console.py)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mock_server.app import create_app
from mock_server.options import MockOptions

from .support import (
    CATALOGUE,
    CREATE,
    PAGE_EXAMPLE,
    SPEC,
    TOKEN,
    MockProcess,
    api_client,
    assert_error,
    cancel_path,
    restart_path,
)

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # what a browser sends
CONSOLE_FILES = Path(__file__).resolve().parents[2] / "mock_server" / "console"


@pytest.fixture
def asgi() -> httpx.Client:
    with api_client(create_app(MockOptions(task_duration=0)), raise_server_exceptions=False) as c:
        yield c


def test_a_browser_opening_the_root_gets_the_console(client: httpx.Client) -> None:
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.text == (CONSOLE_FILES / "index.html").read_text(encoding="utf-8")
    for name in ("console.js", "console.css"):
        served = client.get(f"/_mock/console/{name}")
        assert served.status_code == 200
        assert served.text == (CONSOLE_FILES / name).read_text(encoding="utf-8")
        assert f'"/_mock/console/{name}"' in page.text


@pytest.mark.parametrize("accept", [None, "application/json", "*/*"])
def test_an_api_client_asking_the_root_still_gets_the_404_envelope(
    client: httpx.Client, accept: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    assert_error(client.get("/", headers=headers), 404, "no_route", method="GET", path="/")


def test_a_missing_console_file_is_a_404_envelope(client: httpx.Client) -> None:
    answer = client.get("/_mock/console/nothing.js")
    assert answer.status_code == 404 and answer.json()["code"] == 404
    assert client.get("/_mock/console/../admin.yaml").status_code == 404


def test_journal_keeps_headers_and_bodies_with_the_token_hidden(client: httpx.Client) -> None:
    client.delete("/_mock/requests")
    created = client.post(CREATE, json=PAGE_EXAMPLE, params={"projectName": "proxy"})
    refused = client.post(restart_path(99), params={"projectName": "proxy", "token": TOKEN})
    journal = client.get("/_mock/requests").json()
    create_entry, restart_entry = journal[-2:]

    assert create_entry["request"]["headers"]["authorization"] == "Bearer ***"
    assert create_entry["request"]["headers"]["content-type"] == "application/json"
    assert httpx.Response(200, content=create_entry["request"]["body"]).json() == PAGE_EXAMPLE
    assert create_entry["response"]["body"] == created.text
    assert create_entry["code"] is None and create_entry["forced"] is None

    assert restart_entry["response"]["body"] == refused.text
    assert restart_entry["code"] == 6164 == refused.json()["code"]
    assert restart_entry["query"] == "projectName=proxy&token=***"
    assert TOKEN not in str(journal)
    assert len({entry["id"] for entry in journal}) == len(journal)


def test_a_large_body_is_cut_in_the_journal(asgi: httpx.Client) -> None:
    asgi.post(CREATE, content=b'{"x": "' + b"a" * 20_000 + b'"}')
    entry = asgi.get("/_mock/requests").json()[-1]
    assert entry["request"]["body"].endswith(" [cut]")
    assert len(entry["request"]["body"]) < 10_000


def test_the_consoles_refreshes_are_not_journaled(asgi: httpx.Client) -> None:
    asgi.delete("/_mock/requests")
    quiet = {"X-Mock-Console": "refresh"}
    for path in ("/_mock/requests", "/_mock/tasks", "/_mock/next"):
        assert asgi.get(path, headers=quiet).status_code == 200
    # A change made from the console is journaled like any other.
    asgi.post("/_mock/next", json={"code": 6542}, headers=quiet)
    journal = asgi.get("/_mock/requests", headers=quiet).json()
    assert [(e["method"], e["path"]) for e in journal] == [
        ("DELETE", "/_mock/requests"),
        ("POST", "/_mock/next"),
    ]


def test_a_consumed_forced_answer_is_in_the_journal(client: httpx.Client) -> None:
    client.post(
        "/_mock/next",
        json={"operation": "restartWorkflowTask", "code": 6164, "example": "task_not_restartable"},
    )
    client.post(restart_path(1), params={"projectName": "proxy"})
    client.delete(cancel_path(1), params={"projectName": "proxy"})
    restart, cancel = client.get("/_mock/requests").json()[-2:]
    assert restart["forced"] == {
        "operation": "restartWorkflowTask",
        "code": 6164,
        "example": "task_not_restartable",
        "delay_ms": 0,
    }
    assert restart["code"] == 6164
    assert cancel["forced"] is None


def documented_codes(operation: dict) -> set[int]:
    """The codes an operation's answers document in the spec: its error examples' codes, and
    401/403 where it lists them."""
    codes = {200}
    for status, response in operation["responses"].items():
        if status == "200":
            continue
        examples = response.get("content", {}).get("application/json", {}).get("examples", {})
        codes |= {ex["value"]["code"] for ex in examples.values()}
        if status in ("401", "403"):
            codes.add(int(status))
    return codes


def test_answers_lists_every_documented_answer_and_each_can_be_queued(asgi: httpx.Client) -> None:
    listed = asgi.get("/_mock/answers").json()
    spec_ops = {
        op["operationId"]: (method.upper(), path, op)
        for path, item in SPEC["paths"].items()
        for method, op in item.items()
    }
    # The page's operations, then today's OpenAPI's served beside (tests/mock/test_custom_forcing)
    assert [o["operation"] for o in listed][: len(spec_ops)] == list(spec_ops)
    listed = listed[: len(spec_ops)]
    for operation in listed:
        method, path, op = spec_ops[operation["operation"]]
        assert (operation["method"], operation["path"]) == (method, path)
        assert {a["code"] for a in operation["answers"]} == documented_codes(op)
        # Each named error example that is a reason of its code is offered as that reason.
        examples = op["responses"]["400"]["content"]["application/json"]["examples"]
        named = {
            (ex["value"]["code"], name)
            for name, ex in examples.items()
            if name in CATALOGUE[str(ex["value"]["code"])]["reasons"]
        }
        assert named and named <= {(a["code"], a["example"]) for a in operation["answers"]}
        for answer in operation["answers"]:
            if answer["code"] == 200:
                continue
            entry = CATALOGUE[str(answer["code"])]
            assert (answer["status"], answer["message"]) == (entry["status"], entry["message"])
            if answer["example"] is not None:
                assert answer["description"] == entry["reasons"][answer["example"]]
            asgi.post("/_mock/reset")
            queued = asgi.post(
                "/_mock/next",
                json={
                    "operation": operation["operation"],
                    "code": answer["code"],
                    "example": answer["example"],
                },
            )
            assert queued.status_code == 200, queued.text
            url = path.format(id=1, pipeline=PAGE_EXAMPLE["workflow_name"])
            got = asgi.request(method, url, params={"projectName": "proxy"}, json=PAGE_EXAMPLE)
            assert (got.status_code, got.json()["code"]) == (entry["status"], answer["code"])
            assert got.json()["message"] == entry["message"]


def test_options_show_how_the_mock_runs() -> None:
    app = create_app(MockOptions(task_duration=3, latency_ms=5, strict=True, auth=False))
    with api_client(app) as c:
        options = c.get("/_mock/options").json()
    assert options == {
        "auth": "off",
        "task_duration": 3,
        "latency_ms": 5,
        "strict": True,
        "cors": True,
        "admin_token": False,
        "workers": 1,
        "state": "memory",
        "reachable": True,
    }


def test_a_team_mock_shows_its_workers_and_state(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    args = ("--workers", "2", "--state", str(state), "--admin-token", "s3cret", "--quiet")
    with MockProcess(*args) as proc:
        admin = {"Authorization": "Bearer s3cret"}
        # The page and its files are open; what it reads wants the token.
        assert httpx.get(f"{proc.url}/", headers=HTML).status_code == 200
        assert httpx.get(f"{proc.url}/_mock/console/console.js").status_code == 200
        assert httpx.get(f"{proc.url}/_mock/options").status_code == 401
        options = httpx.get(f"{proc.url}/_mock/options", headers=admin).json()
    assert (options["workers"], options["state"], options["admin_token"]) == (2, "sqlite", True)
    assert options["auth"] == "any-token"
