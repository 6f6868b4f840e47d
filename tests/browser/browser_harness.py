"""What the browser tests run: headless Chromium (driven by Selenium, never downloaded), the mock
as a subprocess on its own origin, and a static server for the test page on another origin."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import MockProcess

REPO = Path(__file__).resolve().parents[2]
PAGE_DIR = Path(__file__).resolve().parent / "page"
SPEC = REPO / "openapi" / "workflow.yaml"

CHROMIUM = os.environ.get("ZADIG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ZADIG_CHROMEDRIVER", "/usr/bin/chromedriver")
# CI sets this so that a machine without the browser fails the run instead of skipping it.
REQUIRED = os.environ.get("ZADIG_BROWSER_TESTS") == "required"

# No outside network here: nothing may phone home, update or fetch.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)
TOKEN = "frontend-dev-token"
INSTALL_HINT = "apt-get install -y chromium chromium-driver; pip install 'selenium>=4,<5'"


def unavailable(piece: str) -> None:
    """Skip (or, when the browser tests are required, fail) naming the missing piece."""
    reason = f"browser test needs {piece} ({INSTALL_HINT})"
    if REQUIRED:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def missing_piece() -> str | None:
    """The first of Selenium, Chromium, chromedriver that this machine lacks, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the Python package selenium"
    for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return f"{name} at {path}"
    return None


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium WebDriver with a fresh profile, quit afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="zadig-chromium-")
    options = webdriver.ChromeOptions()
    # An explicit binary and driver path keep Selenium Manager from trying to download either.
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # Read back by network_events() (DevTools events, preflights included) and console_lines().
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_until(browser: Any, condition: Any, timeout: float = 15) -> Any:
    """Selenium's explicit wait: `condition(browser)` until truthy, else TimeoutException."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def network_events(browser: Any) -> list[tuple[str, dict[str, Any]]]:
    """The DevTools Network events since the last call: (method, params), oldest first."""
    events = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"].startswith("Network."):
            events.append((message["method"], message["params"]))
    return events


def console_lines(browser: Any) -> list[str]:
    """What the browser wrote to the console since the last call (CORS refusals among them)."""
    return [entry["message"] for entry in browser.get_log("browser")]


def http_json(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """One request outside the browser (status, parsed JSON body); HTTP errors are returned."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Mock(MockProcess):
    """The mock running as `python -m mock_server` on 127.0.0.1, its output in a log file."""

    @property
    def origin(self) -> str:
        return self.url

    def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return http_json(method, f"{self.origin}/_mock{path}", body)


def start_mock(*args: str, log_dir: Path, timeout: float = 30) -> Mock:
    """Start the mock on a free port and wait until it answers; fail with its output if not."""
    mock = Mock(
        "--host", "127.0.0.1", *args, log=log_dir / f"mock-{len(list(log_dir.iterdir()))}.log"
    )
    try:
        mock.start(timeout)
    except RuntimeError as exc:
        pytest.fail(f"{exc}\nmock arguments: {args}")
    return mock


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
        pass


@contextlib.contextmanager
def page_server(directory: Path = PAGE_DIR) -> Iterator[str]:
    """Serve `directory` over HTTP on its own localhost origin; yields that origin."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
