"""A page of another site, in headless Chromium, against a developer's mock: its plain form post
(which needs no CORS preflight) resets nothing, and its fetch cannot read the journal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browser_harness import TOKEN, http_json, page_server, start_mock, wait_until
from test_browser_frontend import CREATE_PATH, WORKFLOW, create_example

HOSTILE = """<!doctype html>
<title>loading</title>
<form id="reset" method="post" action="{mock}/_mock/reset" enctype="text/plain">
  <input name="x" value="1">
</form>
<script>
  fetch("{mock}/_mock/requests")
    .then((r) => r.text())
    .then((text) => "read " + text.length)
    .catch((error) => "blocked " + error.name)
    .then((outcome) => {{
      document.title = outcome;
      setTimeout(() => document.getElementById("reset").submit(), 500);
    }});
</script>
"""


def test_a_page_of_another_origin_can_neither_reset_nor_read_the_mock(
    browser: Any, tmp_path: Path
) -> None:
    mock = start_mock(log_dir=tmp_path)  # as a developer runs it: no option
    try:
        created = http_json(
            "POST",
            f"{mock.origin}{CREATE_PATH}?projectName=proxy",
            create_example(),
            {"Authorization": f"Bearer {TOKEN}"},
        )
        assert created[0] == 200, created
        site = tmp_path / "site"
        site.mkdir()
        (site / "index.html").write_text(HOSTILE.format(mock=mock.origin), encoding="utf-8")
        with page_server(site) as origin:
            browser.get(f"{origin}/index.html")
            wait_until(browser, lambda b: b.title != "loading")
            read = browser.title
            # The form post navigates to the mock's answer.
            wait_until(browser, lambda b: b.current_url == f"{mock.origin}/_mock/reset")
            answer = browser.find_element("tag name", "body").text
        status, tasks = mock.admin("GET", f"/tasks?pipeline={WORKFLOW}")
    finally:
        mock.stop()
    assert read == "blocked TypeError"  # no CORS for another origin: the journal stays unread
    assert '"code": 403' in answer, answer
    assert status == 200 and [t["task_id"] for t in tasks] == [created[1]["task_id"]]
