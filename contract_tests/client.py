"""HTTP access to the target: one request at a time, recorded, with a bounded wait.

A target that stops answering must fail the gate quickly instead of hanging it: after an
operation times out once, further requests to it fail at once, and after two operations
have timed out (or the target refused a connection) every request fails at once.
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

NO_BODY = object()
BAD_TOKEN = "zadig-contract-invalid-token"


def redact(text: str, secret: str | None) -> str:
    """Keep the API token out of CI logs."""
    return text.replace(secret, "$ZADIG_TOKEN") if secret else text


class TargetDown(Exception):
    """The target did not answer within the timeout (now or earlier in the run)."""


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
    elapsed: float = 0.0
    secret: str | None = field(default=None, repr=False)

    @property
    def media_type(self) -> str:
        value = self.response_headers.get("content-type", "")
        return value.split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.text)

    def curl(self) -> str:
        """The request as a shell command; the configured token shows as $ZADIG_TOKEN."""
        parts = ["curl", "-sS", "-i", "-X", self.method]
        token_header = ""
        for name, value in self.headers.items():
            if self.secret and self.secret in value:
                token_header = f' -H "{name}: {redact(value, self.secret)}"'
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


@dataclass
class Breaker:
    """Remembers which operations stopped answering, so later requests fail fast."""

    timed_out: set[str] = field(default_factory=set)
    unreachable: str | None = None

    def check(self, operation: str) -> None:
        if self.unreachable:
            raise TargetDown(f"target unreachable earlier in this run: {self.unreachable}")
        if operation in self.timed_out or len(self.timed_out) >= 2:
            stuck = ", ".join(sorted(self.timed_out))
            raise TargetDown(f"target stopped answering earlier in this run ({stuck})")


@dataclass
class Target:
    base_url: str
    token: str | None
    timeout: float
    breaker: Breaker = field(default_factory=Breaker)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        # A fresh connection per request: a server may close a kept-alive one at any moment
        # (idle timeout, after a 500), and a POST that fails that way cannot safely be resent.
        limits = httpx.Limits(max_keepalive_connections=0)
        self._client = httpx.Client(timeout=self.timeout, limits=limits, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def auth_headers(self, auth: str = "configured") -> dict[str, str]:
        """`configured`: the --token (if any); `none`: no header; `bad`: a token that is wrong."""
        value = {"configured": self.token, "none": None, "bad": BAD_TOKEN}[auth]
        return {"Authorization": f"Bearer {value}"} if value else {}

    def send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        body: Any = NO_BODY,
        raw_body: bytes | None = None,
        auth: str = "configured",
    ) -> Exchange:
        """Send one request, with the credentials `auth` names (see `auth_headers`)."""
        self.breaker.check(operation)
        url = self.base_url + path + ("?" + urlencode(query) if query else "")
        headers = {"Accept": "application/json", **self.auth_headers(auth)}
        content = raw_body
        if body is not NO_BODY:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if content is not None:
            headers["Content-Type"] = "application/json"
        exchange = Exchange(method.upper(), url, headers, content, secret=self.token)
        started = time.monotonic()
        try:
            response = self._client.request(method.upper(), url, headers=headers, content=content)
        except httpx.TimeoutException as exc:
            self.breaker.timed_out.add(operation)
            raise TargetDown(
                f"no answer within {self.timeout:g} s ({type(exc).__name__}) to:\n"
                f"  {exchange.curl()}"
            ) from None
        except httpx.ConnectError as exc:
            self.breaker.unreachable = f"{type(exc).__name__}: {exc}"
            raise TargetDown(f"cannot reach the target ({exc}) for:\n  {exchange.curl()}") from None
        except httpx.TransportError as exc:
            # One broken connection fails this rule only; the target may still be up.
            raise TargetDown(
                f"the connection broke ({type(exc).__name__}: {exc}) for:\n  {exchange.curl()}"
            ) from None
        exchange.elapsed = time.monotonic() - started
        exchange.status = response.status_code
        exchange.response_headers = {k.lower(): v for k, v in response.headers.items()}
        exchange.text = response.text
        return exchange

    def get_json(self, path: str) -> Any | None:
        """A best-effort GET outside the contract (the mock's admin API); None when absent."""
        try:
            response = self._client.get(self.base_url + path, timeout=min(self.timeout, 5.0))
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        try:
            return response.json()
        except ValueError:
            return None

    def patch_json(self, path: str, body: Any) -> int:
        response = self._client.patch(self.base_url + path, json=body)
        return response.status_code
