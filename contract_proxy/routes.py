"""Which spec operation a request is: its method and the path templates of the spec."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from contract_tests.contract import Contract, Operation

PARAMETER = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class Route:
    operation: Operation
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Match:
    operation: Operation
    path_params: dict[str, str]  # percent-decoded


def routes(contract: Contract) -> list[Route]:
    found = []
    for operation in contract.operations.values():
        parts = PARAMETER.split(operation.path)
        # Even parts are literal text, odd ones parameter names (any one path segment).
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
        )
        found.append(Route(operation, re.compile(regex)))
    # Literal paths before templated ones, so `/a/b` never reads as `/a/{x}`.
    return sorted(found, key=lambda route: route.pattern.pattern.count("(?P<"))


def match(table: list[Route], method: str, raw_path: str) -> Match | None:
    """The operation of `method` on `raw_path` (still percent-encoded), or None."""
    method = method.lower()
    for route in table:
        if route.operation.method != method:
            continue
        found = route.pattern.fullmatch(raw_path)
        if found:
            params = {name: unquote(value) for name, value in found.groupdict().items()}
            return Match(route.operation, params)
    return None
