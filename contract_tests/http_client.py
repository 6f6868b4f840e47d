"""HTTP access to the target: one request at a time, recorded, with a bounded wait.

A target that stops answering must fail the gate quickly instead of hanging it. Each request
gets the request timeout in total (a target trickling its answer a byte at a time never trips
a read timeout), and the whole run a budget: once it is spent every request fails at once.
After an operation times out once, further requests to it fail at once, and after two
operations have timed out (or the target refused a connection) every request fails at once.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx

from api_contract.exchange import Exchange

NO_BODY = object()
BAD_TOKEN = "zadig-contract-invalid-token"
T = TypeVar("T")
NO_ROUTE = {404, 405, 501}
REFUSALS = {401, 403}


class TargetDown(Exception):
    """The target did not answer within the timeout (now or earlier in the run)."""


class BudgetSpent(TargetDown):
    """The run's budget ended before this request (the summary names the rules it cut)."""


class Deadline(TimeoutError):
    """A request was still going when its time was up."""


def within(seconds: float, work: Callable[[], T]) -> T:
    """`work()`, or Deadline after `seconds` however the target dribbles its answer.

    The request runs in a daemon thread: an HTTP client only bounds each read, so a total
    limit needs a clock outside it. A request given up on keeps its thread until the
    target closes the connection; the breaker makes sure few ever do.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="zadig-contract-request", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise Deadline(f"no complete answer within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@dataclass
class Breaker:
    """Remembers which operations stopped answering, so later requests fail fast, and when
    the run's budget ends."""

    budget: float
    timed_out: set[str] = field(default_factory=set)
    unreachable: str | None = None
    ends: float = field(init=False)

    def __post_init__(self) -> None:
        self.ends = time.monotonic() + self.budget

    def left(self) -> float:
        return self.ends - time.monotonic()

    def check(self, operation: str, budgeted: bool = True) -> None:
        if budgeted and self.left() <= 0:
            raise BudgetSpent(
                f"the run budget of {self.budget:g} s is spent (--run-budget): the target "
                "answers too slowly for the gate to finish"
            )
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
    budget: float
    non_approver_token: str | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.breaker = Breaker(self.budget)
        self.statuses: set[int] = set()  # every HTTP status the target answered
        self.budget_cut: list[str] = []  # rules that failed because the run budget was spent
        # A fresh connection per request: a server may close a kept-alive one at any moment
        # (idle timeout, after a 500), and a POST that fails that way cannot safely be resent.
        limits = httpx.Limits(max_keepalive_connections=0)
        self._client = httpx.Client(timeout=self.timeout, limits=limits, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def auth_headers(self, auth: str = "configured") -> dict[str, str]:
        """`configured`: the --token (if any); `none`: no header; `bad`: a token that is wrong;
        `non-approver`: the --non-approver-token."""
        value = {
            "configured": self.token,
            "none": None,
            "bad": BAD_TOKEN,
            "non-approver": self.non_approver_token,
        }[auth]
        return {"Authorization": f"Bearer {value}"} if value else {}

    def _secret(self, auth: str) -> tuple[str | None, str]:
        """The token a request carries and the variable a report names in its place."""
        if auth == "non-approver":
            return self.non_approver_token, "ZADIG_NON_APPROVER_TOKEN"
        return self.token, "ZADIG_TOKEN"

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
        budgeted: bool = True,
    ) -> Exchange:
        """Send one request, with the credentials `auth` names (see `auth_headers`).

        `budgeted=False` (cleanup) still waits at most the request timeout per request."""
        url = self.base_url + path + ("?" + urlencode(query) if query else "")
        headers = {"Accept": "application/json", **self.auth_headers(auth)}
        content = raw_body
        if body is not NO_BODY:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if content is not None:
            headers["Content-Type"] = "application/json"
        request = self._client.build_request(method.upper(), url, headers=headers, content=content)
        secret, secret_name = self._secret(auth)
        exchange = Exchange(
            method.upper(), url, headers, content, secret=secret, secret_name=secret_name
        )
        return self.deliver(operation, request, exchange, budgeted)[0]

    def send_generated(
        self, operation: str, kwargs: dict[str, Any]
    ) -> tuple[Exchange, httpx.Response]:
        """Send a generated case as schemathesis serialized it for a transport
        (`Case.as_transport_kwargs`: method, url, params, headers, cookies, json or data), with
        the same budget, timeout, breaker and record as `send`."""
        headers = dict(kwargs.get("headers") or {})
        cookies = kwargs.get("cookies") or {}
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        content = kwargs.get("data")
        if "json" in kwargs:
            # As requests (schemathesis' own transport) encodes it: ASCII, no NaN.
            content = json.dumps(kwargs["json"], allow_nan=False).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        if isinstance(content, str):
            content = content.encode("utf-8")
        request = self._client.build_request(
            kwargs["method"],
            kwargs["url"],
            params=kwargs.get("params") or None,
            headers=headers,
            content=content,
        )
        exchange = Exchange(request.method, str(request.url), headers, content, secret=self.token)
        return self.deliver(operation, request, exchange)

    def deliver(
        self, operation: str, request: httpx.Request, exchange: Exchange, budgeted: bool = True
    ) -> tuple[Exchange, httpx.Response]:
        """Send `request` within what the run allows and record its answer in `exchange`;
        TargetDown (with the `curl` line, the token redacted) when it gets none."""
        seconds = self.allowance(operation, budgeted)
        try:
            response = within(seconds, lambda: self._client.send(request))
        except (Deadline, httpx.TimeoutException) as exc:
            raise self.timed_out(operation, seconds, exc, exchange.curl()) from None
        except httpx.ConnectError as exc:
            self.breaker.unreachable = f"{type(exc).__name__}: {exc}"
            raise TargetDown(f"cannot reach the target ({exc}) for:\n  {exchange.curl()}") from None
        except httpx.TransportError as exc:
            # One broken connection fails this rule only; the target may still be up.
            raise TargetDown(
                f"the connection broke ({type(exc).__name__}: {exc}) for:\n  {exchange.curl()}"
            ) from None
        exchange.status = response.status_code
        self.statuses.add(response.status_code)
        exchange.response_headers = {k.lower(): v for k, v in response.headers.items()}
        exchange.text = response.text
        return exchange, response

    def allowance(self, operation: str, budgeted: bool = True) -> float:
        """Seconds the next request to `operation` may take; TargetDown if none."""
        self.breaker.check(operation, budgeted)
        return min(self.timeout, self.breaker.left()) if budgeted else self.timeout

    def timed_out(self, operation: str, seconds: float, exc: Exception, curl: str) -> TargetDown:
        self.breaker.timed_out.add(operation)
        return TargetDown(f"no answer within {seconds:g} s ({type(exc).__name__}) to:\n  {curl}")

    def route_hint(self) -> str | None:
        """When nothing but 'no such route' came back, the URL is the likely culprit."""
        if self.statuses and self.statuses <= NO_ROUTE:
            return (
                f"every answer was HTTP {'/'.join(map(str, sorted(self.statuses)))}: --base-url "
                f"{self.base_url} is probably wrong (it must be the root the API paths hang from)"
            )
        return None

    def auth_hint(self, project: str) -> str | None:
        """When every answer was a refusal, the credentials or the project are the culprit."""
        if self.statuses and self.statuses <= REFUSALS:
            return (
                f"every answer was HTTP {'/'.join(map(str, sorted(self.statuses)))}: check --token "
                f"and --project (the token must be allowed to run workflows in project {project!r})"
            )
        return None

    def budget_note(self) -> str | None:
        if not self.budget_cut:
            return None
        rules = "\n".join(f"  - {rule}" for rule in dict.fromkeys(self.budget_cut))
        return (
            f"the run budget of {self.budget:g} s (--run-budget) ran out; these rules failed "
            f"without being checked:\n{rules}"
        )

    def get_json(self, path: str) -> Any | None:
        """A best-effort GET outside the contract (the mock's admin API); None when absent."""
        seconds = min(self.timeout, 5.0, max(self.breaker.left(), 0.0))
        try:
            response = within(seconds, lambda: self._client.get(self.base_url + path))
        except (Deadline, httpx.HTTPError):
            return None
        if response.status_code != 200:
            return None
        try:
            return response.json()
        except ValueError:
            return None

    def patch_json(self, path: str, body: Any) -> int:
        """A PATCH outside the contract (the mock's admin API); 0 when it did not answer."""
        try:
            url = self.base_url + path
            response = within(self.timeout, lambda: self._client.patch(url, json=body))
        except (Deadline, httpx.HTTPError):
            return 0
        return response.status_code
