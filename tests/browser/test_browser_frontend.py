"""A frontend developer's day against the mock, in headless Chromium: a page on one origin calls
the mock on another with fetch and a bearer token (so every call is preceded by a CORS
preflight), and shows Zadig's errors as a UI would. Without CORS, the browser blocks the calls."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import yaml
from browser_harness import (
    REPO,
    SPEC,
    TOKEN,
    Mock,
    console_lines,
    http_json,
    network_events,
    wait_until,
)

# WebDriver locator strategies (Selenium's By.ID, By.CSS_SELECTOR), so that this module imports
# without Selenium and the browser fixture can skip with the reason.
ID, CSS = "id", "css selector"

WORKFLOW = "proxy-workflow-dev"
CREATE_PATH = "/api/aslan/workflow/workflowtask"


def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def catalogue_entry(code: int) -> dict[str, Any]:
    return spec()["components"]["x-zadig-error-catalogue"][str(code)]


def create_example() -> dict[str, Any]:
    """The page's documented create request, the one the test page sends too."""
    body = spec()["paths"][CREATE_PATH]["post"]["requestBody"]["content"]["application/json"]
    return body["examples"]["documented"]["value"]


def open_page(browser: Any, page_origin: str, mock: Mock, token: str = TOKEN) -> None:
    query = urlencode({"api": mock.origin, "token": token})
    browser.get(f"{page_origin}/index.html?{query}")
    wait_until(browser, lambda b: b.find_element(ID, "api").text == mock.origin)


def click(browser: Any, action: str) -> dict[str, str]:
    """Click the page's button for `action` and return what the page logged for it."""
    before = len(browser.find_elements(CSS, "#log li"))
    browser.find_element(ID, action).click()
    wait_until(browser, lambda b: len(b.find_elements(CSS, "#log li")) > before)
    item = browser.find_elements(CSS, "#log li")[-1]
    logged = browser.execute_script("return Object.assign({}, arguments[0].dataset)", item)
    assert logged["action"] == action
    return {**logged, "text": item.text}


def error_banner(browser: Any) -> str:
    banner = browser.find_element(ID, "error")
    return banner.text if banner.is_displayed() else ""


def shown_status(browser: Any, expected: str) -> str:
    """Wait until the page, which polls the task's status, shows `expected`; returns it."""
    wait_until(browser, lambda b: b.find_element(ID, "task-status").text == expected)
    return expected


def task_status(mock: Mock, task_id: int) -> str:
    status, tasks = mock.admin("GET", f"/tasks?pipeline={WORKFLOW}")
    assert status == 200, tasks
    return next(t["status"] for t in tasks if t["task_id"] == task_id)


def test_page_creates_cancels_restarts_and_shows_zadig_error(browser, mock, page_origin):
    open_page(browser, page_origin, mock)

    created = click(browser, "create")
    assert created["outcome"] == "ok", created
    task_id = int(created["taskId"])
    assert browser.find_element(ID, "task-id").text == f"{WORKFLOW} #{task_id}"
    assert task_status(mock, task_id) == "created"

    cancelled = click(browser, "cancel")
    assert (cancelled["outcome"], cancelled["text"]) == ("ok", "cancel: success")
    assert task_status(mock, task_id) == shown_status(browser, "cancelled")

    restarted = click(browser, "restart")
    assert (restarted["outcome"], restarted["text"]) == ("ok", "restart: success")
    assert task_status(mock, task_id) == shown_status(browser, "created")
    assert error_banner(browser) == ""

    status, forced = mock.admin("PATCH", f"/tasks/{WORKFLOW}/{task_id}", {"status": "passed"})
    assert (status, forced["status"]) == (200, "passed")
    shown_status(browser, "passed")

    refused = click(browser, "restart")
    entry = catalogue_entry(6164)
    assert refused["outcome"] == "error", refused
    assert (refused["status"], refused["code"]) == (str(entry["status"]), "6164")
    assert refused["message"] == entry["message"]
    reason = entry["reasons"]["task_not_restartable"]
    assert error_banner(browser) == f"{entry['message']} (6164): {reason}"
    assert task_status(mock, task_id) == "passed"


def test_page_sees_the_status_move_while_it_polls(browser, mock_factory, page_origin):
    mock = mock_factory("--task-duration", "3")
    open_page(browser, page_origin, mock)
    assert click(browser, "create")["outcome"] == "ok"
    wait_until(browser, lambda b: b.find_element(ID, "task-status").text == "passed", timeout=20)

    seen = browser.find_element(ID, "task-status").get_attribute("data-history").split()
    # The documented lifecycle, in order; a slow poll may miss a step, never reorder them.
    lifecycle = ["created", "queued", "running", "passed"]
    assert seen[0] == "created" and len(seen) >= 3, seen
    assert seen == [status for status in lifecycle if status in seen], seen


def test_every_call_is_preceded_by_a_preflight(browser, mock, page_origin):
    open_page(browser, page_origin, mock)
    network_events(browser)  # drop what came before
    created = click(browser, "create")
    assert created["outcome"] == "ok", created
    assert click(browser, "cancel")["outcome"] == "ok"

    events = network_events(browser)
    preflights = {
        params["requestId"]: params["request"]
        for name, params in events
        if name == "Network.requestWillBeSent"
        and params["request"]["method"] == "OPTIONS"
        and params["request"]["url"].startswith(mock.origin)
    }
    asked = [
        (
            urlsplit(r["url"]).path,
            r["headers"]["Access-Control-Request-Method"],
            r["headers"]["Access-Control-Request-Headers"],
        )
        for r in preflights.values()
    ]
    task_path = f"{CREATE_PATH}/id/{created['taskId']}/pipelines/{WORKFLOW}"
    assert asked == [
        (CREATE_PATH, "POST", "authorization,content-type"),
        (task_path, "DELETE", "authorization"),
    ]
    answers = [
        params["response"]
        for name, params in events
        if name == "Network.responseReceived" and params["requestId"] in preflights
    ]
    assert [a["status"] for a in answers] == [200, 200]
    for answer in answers:
        headers = {k.lower(): v for k, v in answer["headers"].items()}
        assert headers["access-control-allow-origin"] in ("*", page_origin)
        assert "authorization" in headers["access-control-allow-headers"].lower()


def test_without_cors_the_browser_blocks_the_call(browser, mock_factory, page_origin):
    mock = mock_factory("--no-cors")
    # The mock itself is up and answers the same call outside a browser.
    status, body = http_json(
        "POST",
        f"{mock.origin}{CREATE_PATH}?projectName=proxy",
        create_example(),
        {"Authorization": f"Bearer {TOKEN}"},
    )
    assert status == 200, body

    open_page(browser, page_origin, mock)
    console_lines(browser)  # drop what came before
    failed = click(browser, "create")
    assert failed["outcome"] == "network", failed
    # The browser says why: CORS, not a dead server.
    assert any("blocked by CORS policy" in line for line in console_lines(browser))
    assert (failed["errorName"], failed["errorMessage"]) == ("TypeError", "Failed to fetch")
    assert error_banner(browser) == f"Cannot reach {mock.origin}: TypeError: Failed to fetch"
    # The preflight was refused, so the browser never sent the POST: still only one task.
    status, tasks = mock.admin("GET", f"/tasks?pipeline={WORKFLOW}")
    assert [t["task_id"] for t in tasks] == [body["task_id"]]


def test_page_shows_an_error_forced_through_the_admin_api(browser, mock, page_origin):
    entry = catalogue_entry(6542)
    status, queue = mock.admin("POST", "/next", {"operation": "createWorkflowTask", "code": 6542})
    assert status == 200, queue
    open_page(browser, page_origin, mock)

    refused = click(browser, "create")
    assert (refused["outcome"], refused["code"]) == ("error", "6542"), refused
    reason = next(iter(entry["reasons"].values()))
    assert error_banner(browser) == f"{entry['message']} (6542): {reason}"
    # Forced once: the next create goes through and the banner goes away.
    assert click(browser, "create")["outcome"] == "ok"
    assert error_banner(browser) == ""


def assert_refused_401(browser: Any, mock: Mock) -> None:
    # Error answers carry CORS headers too, or the page would only see "Failed to fetch".
    refused = click(browser, "create")
    entry = catalogue_entry(401)
    assert (refused["outcome"], refused["status"]) == ("error", "401"), refused
    assert error_banner(browser) == f"{entry['message']} (401): {entry['reasons']['no_token']}"
    status, tasks = mock.admin("GET", f"/tasks?pipeline={WORKFLOW}")
    assert (status, tasks) == (200, [])


def test_page_shows_401_without_a_token(browser, mock, page_origin):
    """Out of the box the mock wants a bearer token, as Zadig's gateway does."""
    open_page(browser, page_origin, mock, token="")
    assert_refused_401(browser, mock)


def test_page_shows_401_for_a_token_the_mock_was_not_given(browser, mock_factory, page_origin):
    mock = mock_factory("--token", TOKEN)
    open_page(browser, page_origin, mock, token="not-the-token")
    assert_refused_401(browser, mock)


def guide_snippet() -> str:
    """The fetch snippet of the frontend guide (docs/frontend.md)."""
    guide = (REPO / "docs" / "frontend.md").read_text(encoding="utf-8")
    section = guide.split("<!-- section: frontend -->", 1)[1].split("<!-- /section", 1)[0]
    return section.split("```js\n", 1)[1].split("```", 1)[0]


def test_guide_fetch_snippet_works_from_another_origin(browser, mock, page_origin):
    snippet = guide_snippet()
    for documented, actual in (
        ("'http://127.0.0.1:8080'", repr(mock.origin)),
        ("'dev-token'", repr(TOKEN)),
    ):
        assert snippet.count(documented) == 1, documented
        snippet = snippet.replace(documented, actual)
    # Its restart is refused, so that the snippet's error handling runs too.
    mock.admin(
        "POST",
        "/next",
        {"operation": "restartWorkflowTask", "code": 6164, "example": "task_not_restartable"},
    )

    browser.get(f"{page_origin}/index.html")
    browser.set_script_timeout(20)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];\n"
        "(async () => {\n"
        "  const logged = [];\n"
        "  const console = { error: (line) => logged.push(line) };\n"
        f"{snippet}\n"
        "  return { task_id, logged };\n"
        "})().then(done, (e) => done({ failed: `${e.name}: ${e.message}` }));"
    )

    assert "failed" not in result, result
    entry = catalogue_entry(6164)
    assert result["logged"] == [
        f"{entry['message']} (6164): {entry['reasons']['task_not_restartable']}"
    ]
    assert task_status(mock, result["task_id"]) == "cancelled"
