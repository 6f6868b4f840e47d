"""A refusal in Zadig's five-field envelope, for answers given before any app sees the request
(the connection's limits) or outside the app's own catalogue (Host and Origin)."""

from __future__ import annotations

import json
from http import HTTPStatus


def envelope(status: int, reason: str) -> bytes:
    body = {
        "code": status,
        "description": reason,
        "extra": {},
        "message": HTTPStatus(status).phrase,
        "type": "error",
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def raw_response(status: int, reason: str) -> bytes:
    """A whole HTTP/1.1 answer that ends the connection."""
    body = envelope(status, reason)
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body
