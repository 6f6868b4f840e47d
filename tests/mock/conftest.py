from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mock_server.app import create_app
from mock_server.options import MockOptions

from .support import FakeClock, MockProcess, api_client, http_client


@pytest.fixture(scope="session")
def mock_process() -> Iterator[MockProcess]:
    """One real uvicorn process (tasks frozen in their status) shared by the table tests."""
    with MockProcess("--task-duration", "0", "--quiet") as proc:
        yield proc


@pytest.fixture(params=["asgi", "uvicorn"])
def client(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """A client of a mock in its seeded state: the ASGI app in process, or the real server."""
    if request.param == "asgi":
        with api_client(
            create_app(MockOptions(task_duration=0)), raise_server_exceptions=False
        ) as c:
            yield c
    else:
        proc = request.getfixturevalue("mock_process")
        with http_client(proc.url) as c:
            assert c.post("/_mock/reset").status_code == 200
            yield c


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
