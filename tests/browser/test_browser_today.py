"""Today's workflow-task OpenAPI in headless Chromium: Swagger UI lists its operations beside
the page's, the mock console shows its tasks live (journal and task table), forces their
statuses and jobs with its buttons and queues their documented answers (an empty body too), and
the proxy console (`zadig-proxy --api custom-workflow`) shows their exchanges."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest
from browser_harness import REPO, TOKEN, http_json, wait_until
from helpers import free_port
from test_browser_swagger_ui import listed_operations, operations

from openapi import CUSTOM_SPEC_PATH, SPEC_PATH

CSS = "css selector"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
P = "/openapi/workflows/custom"
PROJECT, WORKFLOW = "helm", "test-openapi"
APPROVAL_WORKFLOW, APPROVAL_JOB = "infra-dev-workflow", "deploy"
TRIGGER = {
    "project_key": PROJECT,
    "workflow_key": WORKFLOW,
    "inputs": [{"job_name": "build-myapps", "job_type": "zadig-build", "parameters": {}}],
}


@pytest.fixture
def mock(mock_factory: Any) -> Any:
    """Tasks stay where they are put (no lifecycle clock)."""
    return mock_factory("--task-duration", "0")


def trigger(origin: str, body: dict[str, Any] = TRIGGER) -> int:
    status, answer = http_json("POST", f"{origin}{P}/task", body, AUTH)
    assert status == 200, answer
    return answer["task_id"]


def detail(origin: str, task_id: int, workflow: str = WORKFLOW) -> tuple[int, Any]:
    query = f"taskId={task_id}&workflowKey={workflow}"
    return http_json("GET", f"{origin}{P}/task?{query}", None, AUTH)


def custom_row(browser: Any, workflow: str, task_id: int) -> Any:
    selector = f'#custom-tasks tr[data-workflow="{workflow}"][data-task-id="{task_id}"]'
    return wait_until(browser, lambda b: b.find_element(CSS, selector))


def shown_custom_status(browser: Any, workflow: str, task_id: int) -> str:
    selector = (
        f'#custom-tasks tr[data-workflow="{workflow}"][data-task-id="{task_id}"] .status-pill'
    )
    return browser.execute_script(
        "const pill = document.querySelector(arguments[0]); return pill ? pill.textContent : ''",
        selector,
    )


def journal_paths(browser: Any) -> list[tuple[str, str, str]]:
    """(method, path, status) of the console journal's rows."""
    return [
        tuple(row)
        for row in browser.execute_script(
            "return [...document.querySelectorAll('#journal tbody tr')].map(row =>"
            " [row.cells[1].textContent, row.cells[2].querySelector('button').textContent,"
            " row.cells[3].textContent])"
        )
    ]


def test_swagger_ui_lists_todays_operations_beside_the_pages(browser, mock) -> None:
    listed = listed_operations(browser, f"{mock.origin}/ui/")
    assert listed == {**operations(SPEC_PATH), **operations(CUSTOM_SPEC_PATH)}


def test_the_console_shows_forces_and_queues_todays_tasks(browser, mock) -> None:
    browser.set_window_size(1280, 1000)
    browser.get(f"{mock.origin}/")
    wait_until(browser, lambda b: b.find_elements(CSS, "#answers button"))
    browser.execute_script("window.notReloaded = true")
    assert browser.find_element(CSS, "#custom-tasks-empty").is_displayed()

    # A task triggered outside the browser shows up live, in the table and the journal.
    task_id = trigger(mock.origin)
    wait_until(browser, lambda b: shown_custom_status(b, WORKFLOW, task_id) == "waiting")
    wait_until(browser, lambda b: ("POST", f"{P}/task", "200") in journal_paths(b))

    # Fail in the console: the API reads it failed, and retry (from failed) is then accepted.
    custom_row(browser, WORKFLOW, task_id).find_element(CSS, 'button[data-action="failed"]').click()
    wait_until(browser, lambda b: shown_custom_status(b, WORKFLOW, task_id) == "failed")
    assert detail(mock.origin, task_id)[1]["status"] == "failed"
    retried = http_json("POST", f"{mock.origin}{P}/{WORKFLOW}/task/{task_id}", None, AUTH)
    assert retried == (200, {"message": "success"})
    wait_until(browser, lambda b: shown_custom_status(b, WORKFLOW, task_id) == "waiting")

    # An approval job made to wait in the console, then approved through the API.
    gated = trigger(
        mock.origin,
        {
            "project_key": PROJECT,
            "workflow_key": APPROVAL_WORKFLOW,
            "inputs": [{"job_name": APPROVAL_JOB, "job_type": "approval", "parameters": {}}],
        },
    )
    row = custom_row(browser, APPROVAL_WORKFLOW, gated)
    row.find_element(CSS, 'button[data-action="wait_for_approval"]').click()
    wait_until(browser, lambda b: shown_custom_status(b, APPROVAL_WORKFLOW, gated) == "running")
    approval = {
        "workflow_key": APPROVAL_WORKFLOW,
        "task_id": gated,
        "stage_name": APPROVAL_JOB,
        "approve": True,
    }
    approved = http_json("POST", f"{mock.origin}{P}/task/approve", approval, AUTH)
    assert approved == (200, {"message": "success"})

    # A documented answer queued in one click is what the next cancel gets.
    cancel = '#answers section[data-operation="cancelCustomWorkflowTask"]'
    browser.find_element(
        CSS, f'{cancel} button[data-code="6163"][data-example="task_passed"]'
    ).click()
    wait_until(browser, lambda b: "cancelCustomWorkflowTask → 6163 task_passed" in b.page_source)
    status, answer = http_json(
        "DELETE", f"{mock.origin}{P}/task?taskId={task_id}&workflowKey={WORKFLOW}", None, AUTH
    )
    assert (status, answer["code"], answer["description"]) == (
        400,
        6163,
        f"task: {WORKFLOW}:{task_id} is passed, cannot cancel",
    )
    # An empty-body answer is listed as one and answered so.
    detail_answers = '#answers section[data-operation="getCustomWorkflowTask"]'
    empty = browser.find_element(CSS, f'{detail_answers} button[data-code="400"]')
    said = empty.find_element("xpath", "following-sibling::span").text
    assert said.startswith("HTTP 400, empty body"), said
    empty.click()
    wait_until(browser, lambda b: "getCustomWorkflowTask → 400" in b.page_source)
    request = urllib.request.Request(
        f"{mock.origin}{P}/task?taskId=1&workflowKey={WORKFLOW}", headers=AUTH
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert (refused.value.code, refused.value.read()) == (400, b"")
    assert browser.execute_script("return window.notReloaded === true")


@pytest.fixture
def proxy_origin(mock: Any, tmp_path: Any) -> Any:
    """`zadig-proxy --api custom-workflow` in front of the mock."""
    port = free_port()
    log = tmp_path / "proxy.log"
    command = [
        sys.executable,
        "-m",
        "contract_proxy",
        "--port",
        str(port),
        "--api",
        "custom-workflow",
        "--upstream",
        mock.origin,
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT)
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{origin}/_proxy/report", timeout=2):
                    break
            time.sleep(0.1)
        else:
            pytest.fail(f"the proxy did not start: {log.read_text(errors='replace')}")
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_proxy_console_shows_todays_exchanges(browser, proxy_origin) -> None:
    browser.get(f"{proxy_origin}/_proxy/")
    wait_until(browser, lambda b: b.find_element(CSS, "#upstream").text.startswith("http://"))
    task_id = trigger(proxy_origin)
    assert detail(proxy_origin, task_id)[0] == 200
    assert detail(proxy_origin, 999)[0] == 500  # aslan's plain 500: no violation

    def rows(b: Any) -> list[list[str]]:
        return b.execute_script(
            "return [...document.querySelectorAll('#exchanges tbody tr')].map(row =>"
            " [...row.cells].map(cell => cell.textContent))"
        )

    found = wait_until(browser, lambda b: len(rows(b)) == 3 and rows(b))
    operations_seen = [row[4] for row in found]
    assert operations_seen.count("getCustomWorkflowTask") == 2
    assert "createCustomWorkflowTask" in operations_seen
    assert browser.find_element(CSS, "#violations-empty").is_displayed()
