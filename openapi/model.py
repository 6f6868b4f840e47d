"""What the converter understands of a page: plain dataclasses, no OpenAPI yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ConversionError(Exception):
    """Input the converter cannot understand; always names the line (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class Field:
    """One row of a parameter table; `children` are the rows of its nested table."""

    name: str
    type: str
    description: str
    default: Any
    required: bool
    line: int
    children: list[Field] = field(default_factory=list)


@dataclass
class Example:
    value: Any
    line: int


@dataclass
class Operation:
    summary: str
    line: int
    notes: list[str] = field(default_factory=list)
    method: str = ""
    path: str = ""  # OpenAPI template, e.g. /a/{id}
    path_params: list[Field] = field(default_factory=list)
    query_params: list[Field] = field(default_factory=list)
    body_fields: list[Field] = field(default_factory=list)
    body_example: Example | None = None
    success_example: Example | None = None
    error_example: Example | None = None


@dataclass
class Page:
    title: str
    permalink: str
    operations: list[Operation]
    warnings: list[str] = field(default_factory=list)
