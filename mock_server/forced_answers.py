"""Forced answers: per request (`Prefer` header, as with Prism) or queued for the next calls of
an operation (POST /_mock/next, like WireMock's scenarios and fault injection)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from api_contract.catalogue import Catalogue, ZadigError
from api_contract.operations import resolve
from api_contract.spec import Contract

if TYPE_CHECKING:
    from mock_server.store import StateStore


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
    """Forced answers, checked; the queue is kept by the store, so that every process of a group
    sees it. `max_delay_ms` is the admin API's bound on `delay_ms`."""

    def __init__(
        self,
        catalogue: Catalogue,
        max_delay_ms: float,
        store: StateStore,
        catalogues: dict[str, Catalogue] | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.max_delay_ms = max_delay_ms
        self.store = store
        # operationId -> its API's own catalogue (today's OpenAPI beside v1.7.1's page)
        self.catalogues = catalogues or {}

    def catalogue_of(self, operation: str | None) -> Catalogue:
        return self.catalogues.get(operation or "", self.catalogue)

    def checked(self, forced: Forced) -> Forced:
        """`forced` ready to use (code 200 means a normal answer), or a 400 in the envelope
        saying why it cannot be answered."""
        if forced.code == 200:
            forced.code = None
            if forced.example is not None:
                raise self.refuse("example= names a reason of an error code: give code= too")
        code, example = forced.code, forced.example
        catalogue = self.catalogue_of(forced.operation)
        if code is None and example is not None:
            raise self.refuse(f"example={example} needs code= (the error it is a reason of)")
        if code is not None and code not in catalogue:
            known = ", ".join(str(c) for c in sorted(catalogue.entries))
            raise self.refuse(f"code {code} is not in the catalogue ({known})")
        if example is not None and example not in catalogue.entries[code].reasons:
            known = ", ".join(catalogue.entries[code].reasons) or "none"
            raise self.refuse(f"code {code} has no example {example!r} ({known})")
        if forced.times < 1 or not 0 <= forced.delay_ms <= self.max_delay_ms:
            raise self.refuse(f"times must be >= 1, delay 0..{self.max_delay_ms:g} ms")
        return forced

    def refuse(self, why: str) -> ZadigError:
        return self.catalogue.error(400, description=why)

    async def push(self, forced: Forced) -> list[Forced]:
        """Queue `forced`; the queue after it, first to be used first."""
        return [
            Forced(**item) for item in await self.store.push_forced(self.checked(forced).as_dict())
        ]

    async def queue(self) -> list[Forced]:
        return [Forced(**item) for item in await self.store.forced()]

    async def clear(self) -> None:
        await self.store.clear_forced()

    async def take(self, operation: str, prefer: dict[str, str]) -> Forced | None:
        """The answer forced for this call: the Prefer header first, else the queue's next
        (taken once, whichever process of a group takes it)."""
        if prefer.keys() & {"code", "delay", "example"}:
            return self.from_prefer(operation, prefer)
        item = await self.store.take_forced(operation)
        return None if item is None else Forced(**item)

    def from_prefer(self, operation: str, prefer: dict[str, str]) -> Forced:
        try:
            code = int(prefer["code"]) if "code" in prefer else None
            delay = float(prefer.get("delay", 0))
            if not math.isfinite(delay):
                raise ValueError(f"delay={delay}")
        except ValueError as exc:
            raise self.refuse(f"bad Prefer header: {exc}") from exc
        return self.checked(Forced(operation, code, prefer.get("example"), delay))

    def error(self, forced: Forced, params: dict[str, Any]) -> ZadigError:
        """The forced error, its description filled from the request (`params`)."""
        return self.catalogue.error(forced.code, forced.example, **params)


def documented_answers(contract: Contract) -> list[dict[str, Any]]:
    """Per operation of the spec, every answer it documents, as a forced answer can give it:
    success, each named example of its error answers (code and reason; an example that names
    no reason of its code stands for the code, listed once), and the other documented statuses
    of the catalogue (401, 403). The mock console offers each one to queue."""
    catalogue = contract.catalogue
    found = []
    for op in contract.operations.values():
        responses = resolve(contract.raw, contract.raw["paths"][op.path][op.method]["responses"])
        seen: dict[tuple[int, str | None], str] = {}  # (code, reason) -> what it stands for
        for error in op.errors.values():
            if error.code in catalogue:
                reason = error.name if error.name in catalogue[error.code].reasons else None
                seen.setdefault((error.code, reason), error.summary)
        for status in op.statuses:
            if status != 200 and not (status == 400 and op.errors) and status in catalogue:
                seen.setdefault((status, None), responses[str(status)].get("description", ""))
        success = responses.get("200", {}).get("description", "")
        answers: list[dict[str, Any]] = [
            {"code": 200, "example": None, "status": 200, "summary": success}
        ]
        for code, reason in sorted(seen, key=lambda pair: (pair[0], pair[1] or "")):
            if reason is None and any(c == code and r for c, r in seen):
                continue  # the code's named reasons stand for it
            entry = catalogue[code]
            text = entry.reasons[reason] if reason else next(iter(entry.reasons.values()), "")
            answers.append(
                {
                    "code": code,
                    "example": reason,
                    "status": entry.status,
                    "message": entry.message,
                    "description": text or entry.message,
                    "summary": seen[(code, reason)],
                }
            )
        found.append(
            {
                "operation": op.operation_id,
                "method": op.method.upper(),
                "path": op.path,
                "summary": op.section,
                "answers": answers,
            }
        )
    return found
