"""The answers of an operation that no rule set plays: what its page documents.

The success example of the page (`Prefer: example=NAME` picks another), or, where the page gives
none, a value connexion's mock support builds from the schema (connexion[mock]), the same on
every call; a forced error is the page's own example of that code where it has one."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from connexion.utils import build_example_from_schema

from api_contract.catalogue import Catalogue, ZadigError
from api_contract.operations import PAGE_SAMPLE, Operation

NO_CONTENT = 204


@dataclass
class PageAnswers:
    operation: Operation
    catalogue: Catalogue
    built: dict[int, Any] = field(default_factory=dict)  # status -> the value built once

    @property
    def status(self) -> int:
        return self.operation.success_status

    def examples(self) -> dict[str, Any]:
        answer = self.operation.answers.get(self.status)
        return answer.examples if answer else {}

    def answer(self, preferred: str | None = None) -> tuple[Any, int]:
        """The success answer: the page's example (`preferred` names another), else a value
        built from the documented schema."""
        status, examples = self.status, self.examples()
        if preferred is not None:
            if preferred not in examples:
                known = ", ".join(examples) or "none"
                raise self.catalogue.error(
                    400,
                    description=f"{self.operation.operation_id} has no example {preferred!r} "
                    f"(its examples: {known})",
                )
            return examples[preferred], status
        if examples:
            return examples.get(PAGE_SAMPLE, next(iter(examples.values()))), status
        if status == NO_CONTENT:
            return None, status
        if status not in self.built:
            self.built[status] = built_value(self.operation, status)
        return self.built[status], status

    def documented_error(self, code: int, example: str | None) -> ZadigError | None:
        """This operation's own error example with this code (named `example`, if given), or
        None: another operation's example of the same code may say something else."""
        for status, name, value in self.operation.coded_examples():
            if value["code"] == code and example in (None, name):
                return ZadigError(status, value)
        return None


def built_value(operation: Operation, status: int) -> Any:
    """connexion's example of the schema documented for `status`; its random choices seeded by
    the operation, so that every call and every process of a group answer the same."""
    answer = operation.answers.get(status)
    schema = answer.schema if answer else {}
    state = random.getstate()
    random.seed(f"{operation.method} {operation.path}")
    try:
        with _seeded_faker(operation):
            return build_example_from_schema(schema)
    finally:
        random.setstate(state)


# Faker draws a date between 1970 and *now*: built a second later (another process, a restart)
# it would differ. Its clock is held at this instant while a value is built.
HELD_NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


class _HeldClock(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return HELD_NOW.astimezone(tz) if tz else HELD_NOW.replace(tzinfo=None)


@contextmanager
def _seeded_faker(operation: Operation) -> Iterator[None]:
    """jsf (connexion[mock]) draws dates and text from Faker's own random source and clock."""
    try:
        from faker import Faker
        from faker.providers import date_time
    except ImportError:
        yield
        return
    Faker.seed(f"{operation.method} {operation.path}")
    clock = date_time.datetime
    date_time.datetime = _HeldClock
    try:
        yield
    finally:
        date_time.datetime = clock
