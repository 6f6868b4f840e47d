"""Which spec operation a request is: its method and the path templates of the spec."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from api_contract.operations import Operation
from api_contract.spec import Contract

PARAMETER = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class Route:
    operation: Operation
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Match:
    operation: Operation
    path_params: dict[str, str]  # percent-decoded


def template_pattern(template: str) -> re.Pattern[str]:
    """A path template as a regex: each `{name}` a named group of any one path segment."""
    parts = PARAMETER.split(template)
    # Even parts are literal text, odd ones parameter names.
    return re.compile(
        "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
        )
    )


def routes(contract: Contract, prefix: str = "") -> list[Route]:
    """The route of every operation of `contract`, its path template under `prefix`."""
    found = [
        Route(operation, template_pattern(prefix + operation.path))
        for operation in contract.operations.values()
    ]
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
