"""One request and what came back, as the gate sends it or the proxy sees it: enough to
judge it, explain a failure and replay it (as `curl`, the token kept out)."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def redact(text: str, secret: str | None, name: str = "ZADIG_TOKEN") -> str:
    """Keep the API token out of CI logs: it shows as the variable `name` that holds it."""
    return text.replace(secret, "$" + name) if secret else text


def _integer(text: str) -> int | Decimal:
    try:
        return int(text)
    except ValueError:  # longer than Python's integer-string limit (4,300 digits)
        return Decimal(text)


def loads(text: str | bytes) -> Any:
    """JSON as a server reads it: a number of any length is a number (a Decimal past Python's
    integer-string limit, which a schema's `integer` then refuses) rather than "not JSON"."""
    return json.loads(text, parse_int=_integer)


@dataclass
class Exchange:
    """One request and what came back: enough to explain a failure and replay it."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    secret: str | None = field(default=None, repr=False)
    secret_name: str = "ZADIG_TOKEN"  # the environment variable the secret comes from

    @property
    def media_type(self) -> str:
        value = self.response_headers.get("content-type", "")
        return value.split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        return loads(self.text)

    def curl(self) -> str:
        """The request as a shell command; the token shows as its variable ($ZADIG_TOKEN)."""
        parts = ["curl", "-sS", "-i", "-X", self.method]
        token_header = ""
        for name, value in self.headers.items():
            if self.secret and self.secret in value:
                token_header = f' -H "{name}: {redact(value, self.secret, self.secret_name)}"'
                continue
            parts += ["-H", f"{name}: {value}"]
        if self.body is not None:
            parts += ["--data-binary", self.body.decode("utf-8", "replace")]
        parts.append(self.url)
        return shlex.join(parts[:1]) + token_header + " " + shlex.join(parts[1:])

    def describe_response(self, limit: int = 400) -> str:
        content_type = self.response_headers.get("content-type", "(no content-type)")
        text = self.text if len(self.text) <= limit else self.text[:limit] + "…"
        return f"HTTP {self.status}, {content_type}, body: {text or '(empty)'}"
