"""aslan's error bodies for today's workflow-task OpenAPI, as the behavior file's section 1
writes them (`zadig-openapi-workflow-behavior.md`): the envelope of its own errors and the
plain form of any other error; the expected values of the mock's tests of that API."""

from __future__ import annotations

from typing import Any

P = "/openapi/workflows/custom"
MONGO = "mongo: no documents in result"


def envelope(code: int, message: str, description: str) -> dict[str, Any]:
    return {
        "code": code,
        "description": description,
        "extra": {},
        "message": message,
        "type": "error",
    }


def plain(description: str) -> dict[str, Any]:
    return {"code": 500, "description": description, "message": "Internal Error: "}
