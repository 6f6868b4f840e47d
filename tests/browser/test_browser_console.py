"""The mock console in headless Chromium, used as a frontend developer would: the test page on
another origin calls the mock in one tab, the console (the mock's root) shows it live in
another, and what is clicked in the console is what the page's next call gets. The pictures in
docs/frontend.md are taken here, so that they show the console as it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_harness import REPO, TOKEN, Mock, wait_until
from pictures import save_picture
from test_browser_frontend import (
    WORKFLOW,
    catalogue_entry,
    click,
    error_banner,
    open_page,
    shown_status,
    task_status,
)

CSS = "css selector"
DOCS = REPO / "docs"
WIDE, NARROW = (1280, 800), (400, 860)


@pytest.fixture
def mock(mock_factory: Any) -> Mock:
    """The mock with tasks that stay in the status they are given (no lifecycle clock)."""
    return mock_factory("--task-duration", "0")


@pytest.fixture
def tabs(browser: Any) -> Any:
    """The browser with one extra tab for the console; the page stays in the first one."""
    first = browser.current_window_handle
    browser.switch_to.new_window("tab")
    console_tab = browser.current_window_handle
    browser.switch_to.window(first)
    yield first, console_tab
    browser.switch_to.window(console_tab)
    browser.close()
    browser.switch_to.window(first)
    browser.set_window_size(1280, 1000)  # the harness' size, for the next tests


def open_console(browser: Any, mock: Mock) -> None:
    browser.get(f"{mock.origin}/")
    # Loaded once the answers to queue are listed (read from the admin API).
    wait_until(browser, lambda b: b.find_elements(CSS, "#answers button"))
    browser.execute_script("window.notReloaded = true")


def not_reloaded(browser: Any) -> bool:
    return browser.execute_script("return window.notReloaded === true")


def task_row(browser: Any, task_id: int) -> Any:
    return browser.find_element(
        CSS, f'#tasks tr[data-pipeline="{WORKFLOW}"][data-task-id="{task_id}"]'
    )


def console_status(browser: Any, task_id: int) -> str:
    """The status the console shows for the task (read in one step: rows are redrawn live)."""
    selector = f'#tasks tr[data-pipeline="{WORKFLOW}"][data-task-id="{task_id}"] .status-pill'
    return browser.execute_script(
        "const pill = document.querySelector(arguments[0]); return pill ? pill.textContent : ''",
        selector,
    )


def journal_rows(browser: Any) -> list[tuple[str, str, str, str]]:
    """(method, path, status, code) of the journal's rows, newest first."""
    rows = browser.execute_script(
        "return [...document.querySelectorAll('#journal tbody tr')].map(row =>"
        " [...row.cells].map(cell => cell.querySelector('button') ?"
        " cell.querySelector('button').textContent : cell.textContent))"
    )
    return [(cells[1], cells[2].split("?")[0], cells[3], cells[4]) for cells in rows]


def press(browser: Any, selector: str) -> None:
    button = wait_until(browser, lambda b: b.find_element(CSS, selector))
    assert button.tag_name == "button"
    button.click()


def save(browser: Any, name: str) -> Path:
    """The picture the docs show, written by this test (docs/NAME.png)."""
    path = DOCS / f"{name}.png"
    save_picture(browser, path)
    return path


def test_console_shows_a_task_created_from_another_origin_without_reload(
    browser, mock, page_origin, tabs
):
    page, console = tabs
    browser.switch_to.window(console)
    open_console(browser, mock)
    assert browser.find_element(CSS, "#tasks-empty").is_displayed()

    browser.switch_to.window(page)
    open_page(browser, page_origin, mock)
    created = click(browser, "create")
    task_id = int(created["taskId"])

    browser.switch_to.window(console)
    wait_until(browser, lambda b: console_status(b, task_id) == "created")
    create_path = "/api/aslan/workflow/workflowtask"
    wait_until(browser, lambda b: ("POST", create_path, "200", "") in journal_rows(b))
    assert not_reloaded(browser)

    # The bodies on click; the page's token is never shown.
    entry = browser.find_element(CSS, "#journal tbody tr button.link")
    assert entry.get_attribute("aria-expanded") == "false"
    for row in browser.find_elements(CSS, "#journal tbody tr"):
        if row.find_element(CSS, "td:nth-child(2)").text == "POST":
            row.find_element(CSS, "button.link").click()
            break
    detail = wait_until(browser, lambda b: b.find_element(CSS, "#detail"))
    wait_until(browser, lambda b: detail.is_displayed())
    request = browser.find_element(CSS, "#detail-request").text
    assert "authorization: Bearer ***" in request
    assert f'"workflow_name": "{WORKFLOW}"' in request
    assert f'"task_id": {task_id}' in browser.find_element(CSS, "#detail-response").text
    assert TOKEN not in browser.page_source

    # The console's own refreshes (every second) are not journaled: the page's requests stay.
    status, journal = mock.admin("GET", "/requests?limit=500")
    assert status == 200
    console_reads = [e for e in journal if e["path"] == "/_mock/next" or e["query"] == "limit=200"]
    assert console_reads == []


def test_fail_in_the_console_then_restart_succeeds_and_cancel_answers_as_zadig(
    browser, mock, page_origin, tabs
):
    page, console = tabs
    browser.switch_to.window(page)
    open_page(browser, page_origin, mock)
    task_id = int(click(browser, "create")["taskId"])

    browser.switch_to.window(console)
    open_console(browser, mock)
    wait_until(browser, lambda b: console_status(b, task_id) == "created")
    row = task_row(browser, task_id)
    fail = row.find_element(CSS, 'button[data-action="failed"]')
    assert fail.text == "Fail" and fail.get_attribute("aria-label") == f"Fail {WORKFLOW} #{task_id}"
    fail.click()
    wait_until(browser, lambda b: console_status(b, task_id) == "failed")
    assert task_status(mock, task_id) == "failed"  # the admin API says so at once

    # The behavior file: restart is allowed from any status but running and passed.
    browser.switch_to.window(page)
    restarted = click(browser, "restart")
    assert (restarted["outcome"], restarted["text"]) == ("ok", "restart: success")
    shown_status(browser, "created")

    # Cancel is allowed from failed too ...
    browser.switch_to.window(console)
    wait_until(browser, lambda b: console_status(b, task_id) == "created")
    press(browser, f'#tasks tr[data-task-id="{task_id}"] button[data-action="failed"]')
    wait_until(browser, lambda b: console_status(b, task_id) == "failed")
    browser.switch_to.window(page)
    cancelled = click(browser, "cancel")
    assert (cancelled["outcome"], cancelled["text"]) == ("ok", "cancel: success")

    # ... and refused with 6163 once the task passed ("Pass", then a status picked by hand).
    browser.switch_to.window(console)
    wait_until(browser, lambda b: console_status(b, task_id) == "cancelled")
    press(browser, f'#tasks tr[data-task-id="{task_id}"] button[data-action="passed"]')
    wait_until(browser, lambda b: console_status(b, task_id) == "passed")
    browser.switch_to.window(page)
    refused = click(browser, "cancel")
    entry = catalogue_entry(6163)
    assert (refused["outcome"], refused["code"]) == ("error", "6163"), refused
    reason = entry["reasons"]["task_passed"].format(pipeline=WORKFLOW, id=task_id)
    assert error_banner(browser) == f"{entry['message']} (6163): {reason}"

    browser.switch_to.window(console)
    select = task_row(browser, task_id).find_element(CSS, "select")
    label = browser.find_element(CSS, f'label[for="{select.get_attribute("id")}"]')
    assert label.get_attribute("textContent") == f"Status for {WORKFLOW} #{task_id}"
    select.find_element(CSS, 'option[value="timeout"]').click()
    press(browser, f'#tasks tr[data-task-id="{task_id}"] button[data-action="set"]')
    wait_until(browser, lambda b: console_status(b, task_id) == "timeout")
    assert task_status(mock, task_id) == "timeout"


def test_a_6164_queued_in_the_console_is_what_the_next_restart_gets(
    browser, mock, page_origin, tabs
):
    page, console = tabs
    browser.switch_to.window(page)
    open_page(browser, page_origin, mock)
    task_id = int(click(browser, "create")["taskId"])  # created: a restart would succeed

    browser.switch_to.window(console)
    open_console(browser, mock)
    operation = '#answers [data-operation="restartWorkflowTask"]'
    press(browser, f'{operation} button[data-code="6164"][data-example="task_not_restartable"]')
    queued = wait_until(browser, lambda b: b.find_elements(CSS, "#queued li"))
    assert queued[0].text == "restartWorkflowTask → 6164 task_not_restartable"
    assert mock.admin("GET", "/next") == (
        200,
        [
            {
                "operation": "restartWorkflowTask",
                "code": 6164,
                "example": "task_not_restartable",
                "delay_ms": 0,
                "times": 1,
            }
        ],
    )

    browser.switch_to.window(page)
    refused = click(browser, "restart")
    entry = catalogue_entry(6164)
    assert (refused["outcome"], refused["code"]) == ("error", "6164"), refused
    assert error_banner(browser) == (
        f"{entry['message']} (6164): {entry['reasons']['task_not_restartable']}"
    )
    assert task_status(mock, task_id) == "created"  # forced: the task was not touched

    browser.switch_to.window(console)
    consumed = wait_until(browser, lambda b: b.find_elements(CSS, "#consumed li"))
    assert consumed[0].text.endswith(
        "restartWorkflowTask → 400 6164 (forced: 6164 task_not_restartable)"
    )
    wait_until(browser, lambda b: not b.find_elements(CSS, "#queued li"))
    assert not_reloaded(browser)

    # The refused restart's answer on click, as docs/frontend.md shows it.
    browser.set_window_size(*WIDE)
    restart_row = next(
        row
        for row in browser.find_elements(CSS, "#journal tbody tr")
        if row.find_element(CSS, "td.code").text == "6164"
    )
    restart_row.find_element(CSS, "button.link").click()
    response = wait_until(browser, lambda b: b.find_element(CSS, "#detail-response").text)
    assert '"code": 6164' in response
    save(browser, "mock-console")

    # Every documented answer of the operation has its button, labelled for screen readers.
    labels = [
        b.get_attribute("aria-label") for b in browser.find_elements(CSS, f"{operation} button")
    ]
    assert "Queue 6164 task_not_found for the next restartWorkflowTask" in labels
    assert "Queue 401 for the next restartWorkflowTask" in labels

    press(browser, "#reset")
    wait_until(browser, lambda b: b.find_element(CSS, "#tasks-empty").is_displayed())
    assert mock.admin("GET", "/tasks") == (200, [])


def test_the_console_asks_for_the_admin_token_and_keeps_it_for_the_tab(browser, mock_factory, tabs):
    mock = mock_factory("--admin-token", "s3cret-admin", "--task-duration", "0")
    page, console = tabs
    browser.switch_to.window(console)
    browser.get(f"{mock.origin}/")
    field = wait_until(browser, lambda b: b.find_element(CSS, "#admin-token"))
    wait_until(browser, lambda b: field.is_displayed())
    field.send_keys("wrong")
    press(browser, "#use-token")
    wait_until(browser, lambda b: "refused" in b.find_element(CSS, "#status").text)

    field = browser.find_element(CSS, "#admin-token")
    field.clear()
    field.send_keys("s3cret-admin")
    press(browser, "#use-token")
    wait_until(browser, lambda b: b.find_elements(CSS, "#answers button"))
    assert "required" in browser.find_element(CSS, '[data-option="Admin token"]').text
    assert browser.execute_script("return localStorage.length") == 0
    stored = browser.execute_script("return sessionStorage.getItem('zadig-mock-admin-token')")
    assert stored == "s3cret-admin"

    # Another tab of the same mock has its own session: it asks again.
    browser.switch_to.window(page)
    browser.get(f"{mock.origin}/")
    field = wait_until(browser, lambda b: b.find_element(CSS, "#admin-token"))
    wait_until(browser, lambda b: field.is_displayed())


def test_a_team_mock_console_shows_the_shared_state(browser, mock_factory, tmp_path, tabs):
    state = str(tmp_path / "team.db")
    first, second = mock_factory("--state", state), mock_factory("--state", state)
    status, created = first.admin("GET", "/tasks")
    assert status == 200 and created == []
    page, console = tabs
    browser.switch_to.window(console)
    open_console(browser, second)  # served by the process the page does not call

    code, _ = first.admin("POST", "/next", {"operation": "createWorkflowTask", "code": 6542})
    assert code == 200
    wait_until(browser, lambda b: b.find_elements(CSS, "#queued li"))
    options = browser.find_element(CSS, '[data-option="State"]').text
    assert "sqlite" in options


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["1280x800", "narrow"])
def test_the_console_is_usable_wide_and_narrow(browser, mock, size, tabs):
    page, console = tabs
    browser.switch_to.window(console)
    browser.set_window_size(*size)
    mock.admin("POST", "/next", {"operation": "cancelWorkflowTask", "code": 6163})
    open_console(browser, mock)
    wait_until(browser, lambda b: b.find_elements(CSS, "#queued li"))
    width = browser.execute_script("return document.documentElement.clientWidth")
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, "the page scrolls sideways"

    buttons = browser.find_elements(CSS, "button")
    assert len(buttons) > 20
    for button in buttons:
        name = button.get_attribute("aria-label") or button.get_attribute("textContent")
        assert name.strip(), button.get_attribute("outerHTML")

    # The reset button is reachable from the keyboard, and it works with Enter.
    if size == NARROW:
        save(browser, "mock-console-narrow")
    reset = browser.find_element(CSS, "#reset")
    browser.execute_script("arguments[0].focus()", reset)
    assert browser.switch_to.active_element == reset
    reset.send_keys("\n")
    wait_until(browser, lambda b: not b.find_elements(CSS, "#queued li"))


STORAGE_PAGE = REPO / "tests" / "data" / "pages" / "storage-api.md"
DELETE_STORAGE = "delete_openapi_system_storages_by_id"


def test_a_documented_404_of_a_page_queued_in_the_console_is_the_next_answer(browser, mock_factory):
    """Any page, any documented answer: the console lists a non-workflow operation's 404 as
    its page shows it, and queued there it is what the next call of that operation gets."""
    mock = mock_factory("--page", str(STORAGE_PAGE))
    open_console(browser, mock)
    operation = f'#answers [data-operation="{DELETE_STORAGE}"]'
    item = wait_until(
        browser, lambda b: b.find_element(CSS, f'{operation} button[data-code="404"]')
    ).find_element("xpath", "..")
    # The page's own words (storage-api.md), not the catalogue's.
    assert "Not Found: storage not found" in item.text
    press(browser, f'{operation} button[data-code="404"][data-example="documented"]')
    queued = wait_until(browser, lambda b: b.find_elements(CSS, "#queued li"))
    assert queued[0].text == f"{DELETE_STORAGE} → 404 documented"

    answer = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/openapi/system/storages/s3-1', {method: 'DELETE',"
        f" headers: {{Authorization: 'Bearer {TOKEN}'}}}})"
        ".then(async (r) => done([r.status, await r.json()]));"
    )
    assert answer == [
        404,
        {
            "code": 404,
            "description": "storage not found",
            "extra": {},
            "message": "Not Found",
            "type": "error",
        },
    ]
    wait_until(browser, lambda b: not b.find_elements(CSS, "#queued li"))  # consumed
    path = "/openapi/system/storages/s3-1"
    wait_until(browser, lambda b: ("DELETE", path, "404", "404") in journal_rows(b))
    again = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/openapi/system/storages/s3-1', {method: 'DELETE',"
        f" headers: {{Authorization: 'Bearer {TOKEN}'}}}}).then((r) => done(r.status));"
    )
    assert again == 200  # taken once
