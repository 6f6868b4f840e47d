"""How the gate reports a broken rule: where the page states it, what was sent and answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import pytest

from api_contract.exchange import Exchange


@dataclass(frozen=True)
class Rule:
    """A documented rule: where the page states it, what the spec says and, for today's
    OpenAPI, the behavior file's section it rests on (`basis`, e.g. "§5.2")."""

    title: str
    section: str
    spec_ref: str
    basis: str = ""

    def fail(self, exchange: Exchange | None, expected: str, problems: list[str]) -> NoReturn:
        lines = [
            f"contract rule broken: {self.title}",
            f"  documented in: page section «{self.section}»; spec {self.spec_ref}",
        ]
        if self.basis:
            lines += [f"  rests on: zadig-openapi-workflow-behavior.md {self.basis}"]
        if exchange is not None:
            lines += [f"  request: {exchange.curl()}"]
        lines += [f"  expected: {expected}"]
        if exchange is not None:
            lines += [f"  got: {exchange.describe_response()}"]
        lines += [f"  - {problem}" for problem in problems]
        pytest.fail("\n".join(lines), pytrace=False)
