"""The gate's HTML report (`zadig-contract --html`) of a failing run against a faulty server,
opened in headless Chromium as a release engineer opens a CI artifact: the summary matrix
with the broken row marked, and the failure with its page section and curl line (token
hidden). docs/gate.md's picture is taken here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from browser_harness import REPO, wait_until
from pictures import save_picture

sys.path.insert(0, str(REPO / "tests"))  # the gate's fake servers, written from the behavior file
from gate.fake_zadig import ServerThread, Switches, build_app  # noqa: E402

CSS = "css selector"
SECRET = "report-secret-token"


def run_gate(cwd: Path, base_url: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZADIG_")}
    return subprocess.run(
        [sys.executable, "-m", "contract_tests", "--html", "gate.html", "--max-examples", "2"],
        cwd=cwd,
        env={**clean, "ZADIG_BASE_URL": base_url, "ZADIG_TOKEN": SECRET},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_html_report_of_a_failing_run(browser, tmp_path: Path) -> None:
    with ServerThread(build_app(Switches(wrong_code="cancel", tokens=(SECRET,)))) as server:
        done = run_gate(tmp_path, server.url)
    assert done.returncode == 1, done.stdout[-3000:]

    browser.set_window_size(1280, 900)
    browser.get((tmp_path / "gate.html").as_uri())
    failed = wait_until(browser, lambda b: b.find_elements(CSS, "#zadig-summary tr.failed"))
    assert [row.text.split()[:2] for row in failed][0] == ["cancelWorkflowTask", "400/6163"]
    # pytest-html draws the rules' rows with its script; a failure's text is shown opened.
    logs = wait_until(browser, lambda b: b.find_elements(CSS, "div.log"))
    shown = [log.text for log in logs if log.is_displayed() and "contract rule broken" in log.text]
    assert any("cancelWorkflowTask: No such task -> 6163" in text for text in shown), shown
    failure = next(text for text in shown if "No such task -> 6163" in text)
    assert "documented in: page section «取消工作流任务 › 异常返回»" in failure
    assert 'request: curl -H "Authorization: Bearer $ZADIG_TOKEN"' in failure
    assert SECRET not in browser.page_source

    save_picture(browser, REPO / "docs" / "gate-report.png")
    browser.set_window_size(1280, 1000)
