"""The proxy console in headless Chromium: requests sent through `zadig-proxy` show up live at
its admin path, a violation with its operation, side, problems and a curl line (token hidden)
to copy; the filters and reset work, at 1280x800 and on a narrow window. docs/proxy.md's
picture is taken here."""

from __future__ import annotations

from typing import Any

from browser_harness import REPO, TOKEN, http_json, wait_until
from pictures import save_picture
from test_browser_frontend import CREATE_PATH, create_example
from test_browser_proxy import Proxy, proxied, report  # noqa: F401 (the fixture)

CSS = "css selector"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def violations(browser: Any) -> list[dict[str, str]]:
    """The violations the console lists: side, operation and the curl line of each."""
    return browser.execute_script(
        "return [...document.querySelectorAll('#violations > li')].map(li => ({side:"
        " li.dataset.side, operation: li.dataset.operation, text: li.textContent,"
        " curl: li.querySelector('pre').textContent}))"
    )


def choose(browser: Any, select_id: str, value: str) -> None:
    browser.find_element(CSS, f'#{select_id} option[value="{value}"]').click()


def test_the_proxy_console_shows_a_violation_sent_through_it(browser, proxied: Proxy) -> None:  # noqa: F811
    browser.set_window_size(1280, 800)
    browser.get(f"{proxied.origin}/_proxy/")
    wait_until(browser, lambda b: b.find_element(CSS, "#upstream").text.startswith("http://"))
    browser.execute_script("window.notReloaded = true")
    assert browser.find_element(CSS, "#violations-empty").is_displayed()

    create = f"{proxied.origin}{CREATE_PATH}?projectName=proxy"
    assert http_json("POST", create, create_example(), AUTH)[0] == 200
    bad = {**create_example(), "targets": "proxy"}  # the page types targets as a list
    status, _ = http_json("POST", create, bad, AUTH)
    assert status == 400

    found = wait_until(browser, violations)
    assert not_reloaded(browser)
    (violation,) = found
    assert (violation["side"], violation["operation"]) == ("request", "createWorkflowTask")
    assert "targets" in violation["text"]
    assert '"authorization: Bearer $ZADIG_TOKEN"' in violation["curl"]
    assert TOKEN not in browser.page_source
    rows = browser.find_elements(CSS, "#exchanges tbody tr")
    assert len(rows) == 2

    # Copy puts the curl line on the clipboard.
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {
            "origin": proxied.origin,
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        },
    )
    copy = browser.find_element(CSS, "#violations button")
    assert copy.text == "Copy" and copy.get_attribute("aria-label").startswith("Copy the curl line")
    copy.click()
    wait_until(browser, lambda b: "copied" in b.find_element(CSS, "#status").text)
    pasted = browser.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0](String(e)))"
    )
    assert pasted == violation["curl"]

    save_screenshot(browser)

    # Filters: by side, then by operation.
    choose(browser, "side", "response")
    wait_until(browser, lambda b: not violations(b))
    assert browser.find_elements(CSS, "#exchanges tbody tr") == []
    choose(browser, "side", "request")
    wait_until(browser, violations)
    choose(browser, "operation", "createWorkflowTask")
    assert len(violations(browser)) == 1
    choose(browser, "side", "")
    assert len(browser.find_elements(CSS, "#exchanges tbody tr")) == 2

    # Narrow: nothing scrolls sideways.
    browser.set_window_size(400, 860)
    width, scroll = browser.execute_script(
        "return [document.documentElement.clientWidth, document.documentElement.scrollWidth]"
    )
    assert scroll <= width

    browser.find_element(CSS, "#reset").click()
    wait_until(browser, lambda b: b.find_element(CSS, "#violations-empty").is_displayed())
    assert report(proxied)["exchanges"] == 0
    browser.set_window_size(1280, 1000)


def not_reloaded(browser: Any) -> bool:
    return browser.execute_script("return window.notReloaded === true")


def save_screenshot(browser: Any) -> None:
    save_picture(browser, REPO / "docs" / "proxy-console.png")
