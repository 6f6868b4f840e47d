"""What the proxy saw: exchanges counted, violations kept, outcomes per operation and rule.

A rule is what one side of an exchange was checked for: `request` (the request against the
spec), or the answer's row in the gate's summary (`200`, `400/6164`, `401/403`, or a status
the spec does not document). Everything stored here is already free of credentials.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any

REQUEST_RULE = "request"
KEPT = 10_000  # violations kept in full; the counts go on past it
RECENT = 500  # the latest exchanges, as the proxy console lists them


@dataclass(frozen=True)
class Violation:
    side: str  # "request" or "response"
    operation: str | None
    rule: str
    problems: list[str]
    status: int
    method: str
    path: str  # with the query, a token shown as $ZADIG_TOKEN
    curl: str


@dataclass
class Ledger:
    exchanges: int = 0
    unchecked: int = 0  # paths and methods the spec does not know: forwarded, counted
    violations: list[Violation] = field(default_factory=list)
    not_kept: int = 0
    response_violations: int = 0  # kept or not
    # (operation, rule) -> Counter of "passed" / "failed"
    outcomes: dict[tuple[str, str], Counter] = field(default_factory=dict)
    # The latest exchanges for the proxy console, each with its violations (`Proxy.exchange`).
    recent: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    seen_total: int = 0  # exchanges ever recorded in `recent`: each one's id

    def count(self, checked: bool) -> None:
        self.exchanges += 1
        self.unchecked += not checked

    def outcome(self, operation: str, rule: str, passed: bool) -> None:
        counter = self.outcomes.setdefault((operation, rule), Counter())
        counter["passed" if passed else "failed"] += 1

    def add(self, violation: Violation) -> None:
        self.response_violations += violation.side == "response"
        if len(self.violations) < KEPT:
            self.violations.append(violation)
        else:
            self.not_kept += 1

    def note(self, exchange: dict[str, Any]) -> None:
        """Remember an exchange for the console (already free of credentials); ids go on
        across resets, so that the console tells a new exchange from an old one."""
        self.seen_total += 1
        self.recent.append({"id": self.seen_total, **exchange})

    def reset(self) -> None:
        self.exchanges = self.unchecked = self.not_kept = self.response_violations = 0
        self.violations = []
        self.outcomes = {}
        self.recent.clear()

    def snapshot(self) -> dict[str, Any]:
        return {
            "exchanges": self.exchanges,
            "unchecked": self.unchecked,
            "violations": [asdict(v) for v in self.violations],
            "violations_not_kept": self.not_kept,
            "checks": [
                {"operation": op, "rule": rule, **dict(counter)}
                for (op, rule), counter in sorted(self.outcomes.items())
            ],
        }
