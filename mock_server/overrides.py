"""Forced answers: per request (`Prefer` header, as with Prism) or queued for the next calls of
an operation (POST /_mock/next, like WireMock's scenarios and fault injection)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from mock_server.errors import Catalogue, ZadigError

MAX_DELAY_MS = 120_000  # a forced delay longer than any client would wait is a mistake


@dataclass
class Forced:
    operation: str | None = None  # None: the next call of any operation
    code: int | None = None  # None: answer normally (after the delay)
    example: str | None = None  # a reason of the catalogue entry, e.g. task_passed
    delay_ms: float = 0
    times: int = 1

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Overrides:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.queue: list[Forced] = []

    def check(self, forced: Forced) -> None:
        """Refuse what cannot be answered, in the envelope."""
        if forced.code is not None and forced.code != 200 and forced.code not in self.catalogue:
            known = ", ".join(str(c) for c in sorted(self.catalogue.entries))
            raise self.catalogue.error(
                400, description=f"code {forced.code} is not in the catalogue ({known})")
        if forced.times < 1 or not 0 <= forced.delay_ms <= MAX_DELAY_MS:
            raise self.catalogue.error(
                400, description=f"times must be >= 1, delay 0..{MAX_DELAY_MS} ms")

    def push(self, forced: Forced) -> None:
        self.check(forced)
        if forced.code == 200:
            forced.code = None
        self.queue.append(forced)

    def clear(self) -> None:
        self.queue.clear()

    def take(self, operation: str, prefer: dict[str, str]) -> Forced | None:
        """The answer forced for this call: the Prefer header first, else the queue's next."""
        if prefer.keys() & {"code", "delay", "example"}:
            return self.from_prefer(operation, prefer)
        for forced in self.queue:
            if forced.operation in (None, operation):
                forced.times -= 1
                if forced.times == 0:
                    self.queue.remove(forced)
                return forced
        return None

    def from_prefer(self, operation: str, prefer: dict[str, str]) -> Forced:
        try:
            code = int(prefer["code"]) if "code" in prefer else None
            delay = float(prefer.get("delay", 0))
            if not math.isfinite(delay):
                raise ValueError(f"delay={delay}")
        except ValueError as exc:
            raise self.catalogue.error(400, description=f"bad Prefer header: {exc}") from exc
        forced = Forced(operation, code, prefer.get("example"), delay)
        self.check(forced)
        if forced.code == 200:
            forced.code = None
        return forced

    def error(self, forced: Forced) -> ZadigError:
        entry = self.catalogue.entries[forced.code]
        if forced.example is not None and forced.example not in entry.reasons:
            known = ", ".join(entry.reasons) or "none"
            return self.catalogue.error(
                400, description=f"code {forced.code} has no example {forced.example!r} ({known})")
        return self.catalogue.error(forced.code, forced.example)
