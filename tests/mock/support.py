"""Helpers for the mock's tests: expected envelopes from the spec, a fake clock, a real process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from helpers import CREATE, PAGE_EXAMPLE, MockProcess, free_port, run_mock
from starlette.testclient import TestClient

from openapi import SPEC_PATH

__all__ = ["CREATE", "PAGE_EXAMPLE", "MockProcess", "free_port", "run_mock"]

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
CATALOGUE = SPEC["components"]["x-zadig-error-catalogue"]
PIPELINE = PAGE_EXAMPLE["workflow_name"]


# Out of the box the mock wants a bearer token, as Zadig's gateway does, and takes any.
TOKEN = "mock-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def api_client(app: Any, **kwargs: Any) -> TestClient:
    """A test client of the ASGI app `app` that sends a bearer token, as a Zadig client does."""
    return TestClient(app, headers=AUTH, **kwargs)


def http_client(url: str, **kwargs: Any) -> httpx.Client:
    """An HTTP client of a running mock at `url` that sends a bearer token."""
    return httpx.Client(base_url=url, headers=AUTH, **kwargs)


def restart_path(task_id: object, pipeline: str = PIPELINE) -> str:
    return f"{CREATE}/id/{task_id}/pipelines/{pipeline}/restart"


def cancel_path(task_id: object, pipeline: str = PIPELINE) -> str:
    return f"{CREATE}/id/{task_id}/pipelines/{pipeline}"


def envelope(code: int, reason: str | None = None, **params: Any) -> dict[str, Any]:
    """The error body the spec's catalogue prescribes (description only when a reason is named)."""
    entry = CATALOGUE[str(code)]
    body: dict[str, Any] = {"code": code, "extra": {}, "message": entry["message"], "type": "error"}
    if reason is not None:
        body["description"] = entry["reasons"][reason].format(**params)
    return body


def assert_error(
    response: httpx.Response, code: int, reason: str | None = None, **params: Any
) -> None:
    """`response` is the catalogue's error `code`, in the five-field envelope."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"code", "description", "extra", "message", "type"}, body
    assert isinstance(body["description"], str)
    expected = envelope(code, reason, **params)
    assert {k: body[k] for k in expected} == expected, body
    assert response.status_code == CATALOGUE[str(code)]["status"], response.text


@dataclass
class FakeClock:
    now: float = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
