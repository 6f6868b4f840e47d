"""Swagger UI in headless Chromium: the mock's /ui/ lists the spec's operations, the admin API's
UI lists its own, and "Try it out" on create, authorized with the bearer token, gets 200."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import yaml
from browser_harness import REPO, SPEC, TOKEN, wait_until
from pictures import save_picture

from openapi import CUSTOM_SPEC_PATH

ADMIN_SPEC = REPO / "mock_server" / "admin.yaml"
SCREENSHOT = REPO / "docs" / "swagger-ui.png"
CSS = "css selector"  # Selenium's By.CSS_SELECTOR, without importing Selenium at collection


def operations(spec_path: Path) -> dict[str, tuple[str, str]]:
    """operationId -> (METHOD, path) as the spec file declares them."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    return {
        op["operationId"]: (method.upper(), path)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


def listed_operations(browser: Any, url: str) -> dict[str, tuple[str, str]]:
    """operationId -> (METHOD, path) as Swagger UI at `url` shows them."""
    browser.get(url)
    blocks = wait_until(browser, lambda b: b.find_elements(CSS, ".opblock"))
    listed = {}
    for block in blocks:
        # Swagger UI's block id is operations-<tag>-<operationId>.
        operation_id = block.get_attribute("id").rsplit("-", 1)[-1]
        method = block.find_element(CSS, ".opblock-summary-method").text
        path = block.find_element(CSS, ".opblock-summary-path").get_attribute("data-path")
        listed[operation_id] = (method, path)
    return listed


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_swagger_ui_lists_the_operations_and_the_admin_api(browser, mock):
    # The page's operations, and today's OpenAPI's served beside them (test_browser_today).
    assert listed_operations(browser, f"{mock.origin}/ui/") == {
        **operations(SPEC),
        **operations(CUSTOM_SPEC_PATH),
    }
    title = browser.find_element(CSS, ".info .title").text
    assert title.startswith(yaml.safe_load(SPEC.read_text(encoding="utf-8"))["info"]["title"])

    # docs/frontend.md shows this picture: taken by every run, so that it cannot go stale
    # (rewritten when what it shows changed).
    save_picture(browser, SCREENSHOT)
    assert png_size(SCREENSHOT) == tuple(browser.execute_script("return [innerWidth, innerHeight]"))

    assert listed_operations(browser, f"{mock.origin}/_mock/ui/") == operations(ADMIN_SPEC)


def authorize(browser: Any, token: str) -> None:
    """Swagger UI's Authorize dialog: enter the bearer token, authorize, close."""
    browser.find_element(CSS, "button.btn.authorize").click()
    token_field = 'input[aria-label="auth-bearer-value"]'
    wait_until(browser, lambda b: b.find_element(CSS, token_field)).send_keys(token)
    browser.find_element(CSS, ".auth-container button.authorize").click()
    # The dialog re-renders as "Authorized" once the token is kept.
    wait_until(browser, lambda b: "Authorized" in b.find_element(CSS, ".auth-container").text)
    browser.find_element(CSS, ".auth-container button.btn-done").click()
    wait_until(browser, lambda b: not b.find_elements(CSS, ".dialog-ux"))


def execute(browser: Any, block: Any) -> tuple[str, str]:
    """Press Execute on an opened, tried-out operation with no answer shown yet; (status, body)
    of the answer Swagger UI shows."""
    wait_until(browser, lambda b: block.find_element(CSS, "button.execute")).click()
    status = wait_until(
        browser,
        lambda b: block.find_element(CSS, ".live-responses-table .response .response-col_status"),
    )
    body = block.find_element(CSS, ".live-responses-table .response-col_description pre").text
    return status.text, body


def test_servers_dropdown_shows_the_mock_the_page_came_from(browser, mock):
    for base in ("", "/_mock"):
        browser.get(f"{mock.origin}{base}/ui/")
        select = wait_until(browser, lambda b: b.find_element(CSS, ".servers select"))
        options = [o.get_attribute("value") for o in select.find_elements(CSS, "option")]
        assert options == [mock.origin + base]


def test_try_it_out_on_create_gets_401_then_200_once_authorized(browser, mock):
    browser.get(f"{mock.origin}/ui/")
    block = wait_until(browser, lambda b: b.find_element(CSS, '[id$="-createWorkflowTask"]'))
    block.find_element(CSS, ".opblock-summary").click()
    wait_until(browser, lambda b: block.find_element(CSS, "button.try-out__btn")).click()
    block.find_element(CSS, 'input[placeholder="projectName"]').send_keys("proxy")

    # Out of the box the mock wants a bearer token, as Zadig's gateway does.
    status, body = execute(browser, block)
    assert status == "401", body
    assert json.loads(body)["code"] == 401

    authorize(browser, TOKEN)
    wait_until(browser, lambda b: block.find_element(CSS, "button.btn-clear")).click()
    status, body = execute(browser, block)
    assert status == "200", body
    answer = json.loads(body)
    assert answer["pipeline_name"] == "proxy-workflow-dev"

    # The task really exists in the mock, with the id Swagger UI showed.
    code, tasks = mock.admin("GET", "/tasks?pipeline=proxy-workflow-dev")
    assert code == 200 and [t["task_id"] for t in tasks] == [answer["task_id"]]
