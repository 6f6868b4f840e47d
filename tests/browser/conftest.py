"""Fixtures for the browser tests: one headless Chromium per session, a mock per test, the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_harness import (
    Mock,
    chromium,
    missing_piece,
    page_server,
    start_mock,
    unavailable,
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    piece = missing_piece()
    if piece:
        unavailable(piece)
    with chromium() as driver:
        driver.set_page_load_timeout(30)
        yield driver


@pytest.fixture
def mock_factory(tmp_path: Path, page_origin: str) -> Iterator[Callable[..., Mock]]:
    """Start mocks with the given command-line arguments; all stopped after the test. The test
    page's origin may use the admin API (the page polls `/_mock/tasks`), as a frontend
    developer allows their dev server's."""
    started: list[Mock] = []

    def start(*args: str) -> Mock:
        mock = start_mock(*args, "--allow-origin", page_origin, log_dir=tmp_path)
        started.append(mock)
        return mock

    yield start
    for mock in started:
        mock.stop()


@pytest.fixture
def mock(mock_factory: Callable[..., Mock]) -> Mock:
    """The mock as a frontend developer runs it: no option (CORS on, any bearer token)."""
    return mock_factory()


@pytest.fixture
def page_origin() -> Iterator[str]:
    # A new origin per test: the browser caches preflight answers per origin and URL, and a
    # later mock may get an earlier one's port.
    with page_server() as origin:
        yield origin
