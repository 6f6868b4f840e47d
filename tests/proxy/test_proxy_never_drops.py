"""The proxy forwards every request it can forward, whatever its checks make of it: a body
nested deeper than the checks read, or a number longer than Python's integer-string limit,
reaches the upstream, is counted and recorded; a check that fails is a problem of that exchange,
never a 502 (issue #21)."""

from __future__ import annotations

import json

import httpx
import pytest
from gate.fake_zadig import ServerThread

from .support import CREATE, PAGE_BODY, echo_app, mock_process, proxy_in_process

AUTH = {"Authorization": "Bearer never-drops-token", "Content-Type": "application/json"}
# Deeper than Python's json reads (its recursion limit, 1,000 frames), within what orjson, and
# so the mock, reads (1,024 levels); Go's decoder reads 10,000.
DEPTH = 1010
# Longer than Python's integer-string limit (4,300 digits).
DIGITS = 5000


def deep_body() -> bytes:
    nested = '{"x":' * DEPTH + "1" + "}" * DEPTH
    return json.dumps(PAGE_BODY)[:-1].encode() + b', "unknown": ' + nested.encode() + b"}"


def long_number_body() -> bytes:
    return json.dumps(PAGE_BODY)[:-1].encode() + b', "unknown": ' + b"7" * DIGITS + b"}"


@pytest.fixture(scope="module")
def echo() -> ServerThread:
    with ServerThread(echo_app()) as server:
        yield server


def test_a_body_too_deep_to_check_is_forwarded_counted_and_noted(echo: ServerThread) -> None:
    body = deep_body()
    with proxy_in_process(echo.url) as proxy:
        answer = httpx.post(f"{proxy.url}{CREATE}?projectName=proxy", content=body, headers=AUTH)
        report = proxy.report()
    assert answer.status_code == 200, answer.text
    assert answer.json()["body"].encode() == body  # the upstream got it byte for byte
    assert report["exchanges"] == 1
    request_side = [v for v in report["violations"] if v["side"] == "request"]
    assert len(request_side) == 1 and request_side[0]["operation"] == "createWorkflowTask"
    assert request_side[0]["problems"][0].startswith("not checked: too deep")


def test_an_answer_too_deep_to_check_is_passed_on_and_is_a_violation(echo: ServerThread) -> None:
    """The echo sends the deep body back as the create's answer: the client gets it, and the
    report says that answer was not checked (an unchecked answer is no pass)."""
    body = deep_body()
    with proxy_in_process(echo.url) as proxy:
        answer = httpx.post(
            f"{proxy.url}{CREATE}?projectName=proxy&raw=1", content=body, headers=AUTH
        )
        report = proxy.report()
    assert answer.status_code == 200 and answer.content == body
    response_side = [v for v in report["violations"] if v["side"] == "response"]
    assert [v["operation"] for v in response_side] == ["createWorkflowTask"]
    assert any(p.startswith("not checked: too deep") for p in response_side[0]["problems"])


def test_a_number_longer_than_the_integer_limit_is_read(echo: ServerThread) -> None:
    """The page's body plus an unknown field holding a 5,000-digit number is JSON and conforms
    (the schema leaves unknown fields free), so the request side has no problem at all."""
    body = long_number_body()
    with proxy_in_process(echo.url) as proxy:
        answer = httpx.post(f"{proxy.url}{CREATE}?projectName=proxy", content=body, headers=AUTH)
        report = proxy.report()
    assert answer.status_code == 200 and answer.json()["body"].encode() == body
    assert report["exchanges"] == 1
    assert [v for v in report["violations"] if v["side"] == "request"] == []


def test_the_mock_creates_the_task_of_a_deep_body_sent_through_the_proxy() -> None:
    with mock_process("--no-auth") as mock, proxy_in_process(mock) as proxy:
        answer = httpx.post(
            f"{proxy.url}{CREATE}?projectName=proxy", content=deep_body(), headers=AUTH
        )
        report = proxy.report()
        tasks = httpx.get(mock + "/_mock/tasks").json()
    assert answer.status_code == 200, answer.text
    assert answer.json()["task_id"] == 1 and [t["task_id"] for t in tasks] == [1]
    assert report["exchanges"] == 1
