"""Auth like Zadig's gateway: out of the box any bearer token and 401 without one; with --token
401 without a known token, 403 outside a token's projects; --no-auth takes every request."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.options import MockOptions

from .support import CREATE, PAGE_EXAMPLE, MockProcess, assert_error, cancel_path, restart_path

SEED = {
    "projects": {"proxy": {"envs": ["dev"]}, "shop": {"envs": ["dev"]}},
    "workflows": {"proxy-workflow-dev": {"project": "proxy"}},
    "tokens": [
        {"token": "proxy-dev", "projects": ["proxy"]},
        {"token": "shop-dev", "projects": ["shop"]},
    ],
}


@pytest.fixture(scope="module", params=["asgi", "uvicorn"])
def secured_mock(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[httpx.Client]:
    """A mock started with --token cli-token and a seed that binds two more tokens."""
    if request.param == "asgi":
        with TestClient(create_app(MockOptions(SEED, tokens=("cli-token",)))) as client:
            yield client
        return
    seed = tmp_path_factory.mktemp("auth") / "seed.yaml"
    seed.write_text(yaml.safe_dump(SEED))
    with MockProcess("--seed", str(seed), "--token", "cli-token", "--quiet") as proc:
        with httpx.Client(base_url=proc.url) as client:
            yield client


@pytest.fixture
def secured(secured_mock: httpx.Client) -> httpx.Client:
    assert secured_mock.post("/_mock/reset").status_code == 200
    return secured_mock


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# (headers, query, expected code or 200)
CASES = [
    ({}, {}, 401),
    (bearer("wrong"), {}, 401),
    ({"Authorization": "cli-token"}, {}, 401),
    ({"Authorization": "Basic cli-token"}, {}, 401),
    (bearer("cli-token"), {}, 200),
    (bearer("cli-token"), {"projectName": "anything"}, 200),
    ({}, {"token": "cli-token"}, 200),
    (bearer("proxy-dev"), {"projectName": "proxy"}, 200),
    (bearer("proxy-dev"), {"projectName": "shop"}, 403),
    (bearer("proxy-dev"), {}, 403),
    (bearer("shop-dev"), {"projectName": "proxy"}, 403),
]


@pytest.mark.parametrize(("headers", "query", "expected"), CASES)
def test_create(secured: httpx.Client, headers, query, expected: int) -> None:
    answer = secured.post(CREATE, json=PAGE_EXAMPLE, headers=headers, params=query)
    if expected == 200:
        assert answer.status_code == 200, answer.text
    elif expected == 401:
        assert_error(answer, 401, "no_token")
    else:
        assert_error(answer, 403, "no_permission", project=query.get("projectName", "(none)"))


@pytest.mark.parametrize(
    ("method", "path", "code"), [("POST", restart_path(1), 6164), ("DELETE", cancel_path(1), 6163)]
)
def test_restart_and_cancel_need_a_token(secured: httpx.Client, method, path, code) -> None:
    assert_error(secured.request(method, path), 401, "no_token")
    allowed = secured.request(
        method, path, headers=bearer("proxy-dev"), params={"projectName": "proxy"}
    )
    assert_error(allowed, code, "task_not_found")  # through the gateway, to aslan's rules


def test_admin_api_and_preflight_need_no_token(secured: httpx.Client) -> None:
    assert secured.get("/_mock/tasks").status_code == 200
    preflight = secured.options(
        CREATE,
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 200


@pytest.fixture(scope="module", params=["asgi", "uvicorn"])
def default(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """A mock started with no option (as `zadig-mock`), its client sending no token."""
    if request.param == "asgi":
        with TestClient(create_app()) as client:
            yield client
        return
    with MockProcess("--quiet") as proc, httpx.Client(base_url=proc.url) as client:
        yield client


# Out of the box: (headers, query, expected code or 200)
DEFAULT_CASES = [
    ({}, {}, 401),
    ({"Authorization": "Bearer"}, {}, 401),
    ({"Authorization": "any-token"}, {}, 401),
    ({"Authorization": "Basic any-token"}, {}, 401),
    ({}, {"token": ""}, 401),
    # A token that says it is invalid, as test tools send to see auth enforced.
    (bearer("SCHEMATHESIS-INVALID-VALUE"), {}, 401),
    (bearer("zadig-contract-invalid-token"), {}, 401),
    ({}, {"token": "Invalid"}, 401),
    (bearer("any-token"), {}, 200),
    ({"Authorization": "bearer x"}, {"projectName": "anything"}, 200),
    ({}, {"token": "any-token"}, 200),
]


@pytest.mark.parametrize(("headers", "query", "expected"), DEFAULT_CASES)
def test_out_of_the_box_any_bearer_token(default: httpx.Client, headers, query, expected) -> None:
    default.post("/_mock/reset")
    answer = default.post(CREATE, json=PAGE_EXAMPLE, headers=headers, params=query)
    if expected == 200:
        assert answer.status_code == 200, answer.text
    else:
        assert_error(answer, 401, "no_token")
        assert default.get("/_mock/tasks").json() == []


@pytest.mark.parametrize(
    ("method", "path"), [("POST", restart_path(1)), ("DELETE", cancel_path(1))]
)
def test_out_of_the_box_restart_and_cancel_need_a_token(default: httpx.Client, method, path):
    assert_error(default.request(method, path), 401, "no_token")


def test_out_of_the_box_admin_api_ui_and_preflight_are_open(default: httpx.Client) -> None:
    assert default.get("/_mock/tasks").status_code == 200
    assert default.get("/_mock/world").json()["auth"] == "any-token"
    for page in ("/ui/", "/openapi.json", "/_mock/ui/"):
        assert default.get(page).status_code == 200, page
    preflight = default.options(
        CREATE,
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 200
    refused = default.post(CREATE, json=PAGE_EXAMPLE, headers={"Origin": "http://localhost:3000"})
    assert_error(refused, 401, "no_token")
    assert refused.headers["access-control-allow-origin"] == "*"  # the page can read the 401


def test_query_token_is_redacted_in_the_journal(default: httpx.Client) -> None:
    default.post("/_mock/reset")
    for query in ("token=s3cret&projectName=proxy", "projectName=proxy&tok%65n=s3cret"):
        assert default.post(f"{CREATE}?{query}", json=PAGE_EXAMPLE).status_code == 200
    journal = default.get("/_mock/requests")
    assert [e["query"] for e in journal.json() if e["path"] == CREATE] == [
        "token=***&projectName=proxy",
        "projectName=proxy&tok%65n=***",
    ]
    assert "s3cret" not in journal.text


def test_no_auth_takes_requests_without_a_token() -> None:
    with TestClient(create_app(MockOptions(auth=False))) as client:
        assert client.post(CREATE, json=PAGE_EXAMPLE).status_code == 200
        assert client.get("/_mock/world").json()["auth"] == "off"
    with MockProcess("--no-auth", "--quiet") as proc:
        assert httpx.post(f"{proc.url}{CREATE}", json=PAGE_EXAMPLE).status_code == 200
