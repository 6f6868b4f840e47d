"""Forced answers: per request (`Prefer` header, as with Prism) or queued for the next calls of
an operation (POST /_mock/next, like WireMock's scenarios and fault injection)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from api_contract.catalogue import Catalogue, ZadigError
from api_contract.operations import Operation, resolve
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


@dataclass(frozen=True)
class Documented:
    """What an operation answered from its page documents, for a forced answer to name: its
    named success examples (`Prefer: example=NAME`) and its error examples, (code, name) each."""

    successes: tuple[str, ...] = ()
    errors: frozenset[tuple[int, str]] = field(default_factory=frozenset)

    @classmethod
    def of(cls, operation: Operation) -> Documented:
        success = operation.answers.get(operation.success_status)
        return cls(
            tuple(success.examples) if success else (),
            frozenset((value["code"], name) for _, name, value in operation.coded_examples()),
        )

    @property
    def codes(self) -> set[int]:
        return {code for code, _ in self.errors}


class Overrides:
    """Forced answers, checked; the queue is kept by the store, so that every process of a group
    sees it. `max_delay_ms` is the admin API's bound on `delay_ms`; `documented`: per operation
    answered from its page, the answers its page documents (beside the catalogue's)."""

    def __init__(
        self,
        catalogue: Catalogue,
        max_delay_ms: float,
        store: StateStore,
        documented: dict[str, Documented] | None = None,
        catalogues: dict[str, Catalogue] | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.max_delay_ms = max_delay_ms
        self.store = store
        self.documented = documented or {}
        # operationId -> its API's own catalogue (today's OpenAPI beside v1.7.1's page)
        self.catalogues = catalogues or {}

    def catalogue_of(self, operation: str | None) -> Catalogue:
        return self.catalogues.get(operation or "", self.catalogue)

    def checked(self, forced: Forced) -> Forced:
        """`forced` ready to use (code 200 means a normal answer; with `example`, that success
        example of the operation's page), or a 400 in the envelope saying why it cannot be
        answered."""
        if forced.code == 200:
            forced.code = None
        code, example = forced.code, forced.example
        catalogue = self.catalogue_of(forced.operation)
        page = self.documented.get(forced.operation or "", Documented())
        if code is None and example is not None and example not in page.successes:
            known = ", ".join(page.successes) or "none"
            raise self.refuse(
                f"example={example} is no success example of {forced.operation or 'any operation'}"
                f" ({known}); a reason of an error needs code="
            )
        if code is not None and code not in catalogue and code not in page.codes:
            known = ", ".join(str(c) for c in sorted(set(catalogue.entries) | page.codes))
            raise self.refuse(f"code {code} is not in the catalogue ({known})")
        reasons = catalogue.entries[code].reasons if code in catalogue else {}
        own = {name for c, name in page.errors if c == code}
        if code is not None and example is not None and example not in {*reasons, *own}:
            known = ", ".join(sorted({*reasons, *own})) or "none"
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


def documented_answers(
    contract: Contract, documented: dict[str, Documented] | None = None
) -> list[dict[str, Any]]:
    """Per operation of the spec, every answer it documents, as a forced answer can give it.
    An operation answered by a rule set: success, each named example of its error answers
    (code and reason; an example that names no reason of its code stands for the code, listed
    once), and the other documented statuses of the catalogue (401, 403). An operation answered
    from its page (`documented` has it): success, each named success example where it has
    several, each error example of every status, as its page shows it, and the catalogue's
    statuses it documents without an example. The mock console offers each one to queue."""
    documented = documented or {}
    found = []
    for op in contract.operations.values():
        responses = resolve(contract.raw, contract.raw["paths"][op.path][op.method]["responses"])
        success = responses.get(str(op.success_status), {})
        answers: list[dict[str, Any]] = [
            {
                "code": 200,
                "example": None,
                "status": op.success_status,
                "summary": success.get("description", ""),
            }
        ]
        if op.operation_id in documented:
            answers += _page_answers(contract, op, responses)
        else:
            answers += _rule_answers(contract, op, responses)
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


def _page_answers(
    contract: Contract, op: Operation, responses: dict[str, Any]
) -> list[dict[str, Any]]:
    def summary(status: int, name: str) -> str:
        content = (responses[str(status)].get("content") or {}).get("application/json", {})
        return str(content.get("examples", {}).get(name, {}).get("summary", name))

    answers: list[dict[str, Any]] = []
    successes = op.answers[op.success_status].examples if op.success_status in op.answers else {}
    if len(successes) > 1:
        answers += [
            {
                "code": 200,
                "example": name,
                "status": op.success_status,
                "summary": summary(op.success_status, name),
            }
            for name in successes
        ]
    shown = set()
    for status, name, value in op.coded_examples():
        shown.add(status)
        answers.append(
            {
                "code": value["code"],
                "example": name,
                "status": status,
                "message": str(value.get("message", "")),
                "description": str(value.get("description", "")),
                "summary": summary(status, name),
            }
        )
    catalogue = contract.catalogue
    for status in op.statuses:
        if status >= 400 and status not in shown and status in catalogue:
            entry = catalogue[status]
            answers.append(
                {
                    "code": status,
                    "example": None,
                    "status": entry.status,
                    "message": entry.message,
                    "description": next(iter(entry.reasons.values()), "") or entry.message,
                    "summary": responses[str(status)].get("description", ""),
                }
            )
    return answers


def _rule_answers(
    contract: Contract, op: Operation, responses: dict[str, Any]
) -> list[dict[str, Any]]:
    catalogue = contract.catalogue
    seen: dict[tuple[int, str | None], str] = {}  # (code, reason) -> what it stands for
    for error in op.errors.values():
        if error.code in catalogue:
            reason = error.name if error.name in catalogue[error.code].reasons else None
            seen.setdefault((error.code, reason), error.summary)
    for status in op.statuses:
        if status != 200 and not (status == 400 and op.errors) and status in catalogue:
            seen.setdefault((status, None), responses[str(status)].get("description", ""))
    answers = []
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
    return answers
