"""What the converter understands of a page: plain dataclasses, no OpenAPI yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .vocabulary import TypeReading


class ConversionError(Exception):
    """Input the converter cannot understand; always names the line (1-based)."""

    def __init__(self, line: int, message: str, file: str = "") -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message
        self.file = file  # set when several pages are converted together


class NoOperation(ConversionError):
    """A page without any endpoint (an overview page, say)."""


class PageErrors(ConversionError):
    """Several pages the converter cannot understand: each one's error, in page order, so
    that one run shows every page to fix (the first stands for all to a caller that
    expects one ConversionError)."""

    def __init__(self, errors: list[ConversionError]) -> None:
        first = errors[0]
        super().__init__(first.line, first.message, first.file)
        self.errors = errors


class Loss(str):
    """A warning that something the page says is not in the spec (an example kept out,
    text ignored, a reference not followed): `zadig-spec convert --strict` fails on it."""


@dataclass
class Example:
    value: Any
    line: int
    media: str = "application/json"  # text/plain for an answer that is not JSON
    title: str = ""  # what the page says it shows: a label above it, a comment line over it
    # The comment on a field's line (`"task_id": 20  # 任务序号`), by path (`[]`: items).
    notes: dict[tuple[str, ...], str] = field(default_factory=dict)


@dataclass
class Field:
    """One row of a parameter table; `children` are the rows of its nested table."""

    name: str
    type: str  # as the page writes it, for messages
    description: str
    default: Any
    required: bool
    line: int
    children: list[Field] = field(default_factory=list)
    reading: TypeReading = field(default_factory=lambda: TypeReading({"type": "string"}))
    # Examples of its type shown instead of a table (one per variant: `**构建任务**` + JSON).
    variants: list[Example] = field(default_factory=list)
    # Variant tables of an object field (`chartRepo 的 createFrom 参数说明`), each apart.
    options: list[TypeTable] = field(default_factory=list)


@dataclass
class TypeTable:
    """The table under a type heading ("TargetArgs 参数说明", `<h5 id="x">Container</h5>`):
    the fields of a type that 类型 cells name, or link to by `anchor`."""

    name: str
    anchor: str
    fields: list[Field]
    line: int
    bare: bool = False  # the heading is only the name: a type only if a field uses it
    used: bool = False
    examples: list[Example] = field(default_factory=list)  # JSON shown under the heading
    note: str = ""  # what the page says of it (when a variant applies)


@dataclass
class ErrorCode:
    """One row of an 错误码 table (or list): a code and what it means."""

    code: int
    message: str
    line: int
    status: int | None = None  # the HTTP status the table gives, if it does


@dataclass
class Operation:
    summary: str
    line: int
    notes: list[str] = field(default_factory=list)
    method: str = ""
    path: str = ""  # OpenAPI template, e.g. /a/{id}
    path_params: list[Field] = field(default_factory=list)
    query_params: list[Field] = field(default_factory=list)
    header_params: list[Field] = field(default_factory=list)
    body_fields: list[Field] = field(default_factory=list)
    body_examples: list[Example] = field(default_factory=list)
    success_examples: list[Example] = field(default_factory=list)
    response_fields: list[Field] = field(default_factory=list)  # a table of the answer
    response_type: Field | None = None  # a one-row table typing the whole answer
    error_examples: list[Example] = field(default_factory=list)
    error_codes: list[ErrorCode] = field(default_factory=list)
    # The type tables under this operation's heading; any operation of the page may use them.
    types: dict[str, TypeTable] = field(default_factory=dict)
    heading: str = ""  # the heading's own text (the summary may add its group)
    group: str = ""  # the heading of the group it stands under, if any
    # "参考[创建工作流参数](/api/workflow/#创建工作流)" as the body section:
    # (the linked heading, line, the linked page's path or "")
    body_reference: tuple[str, int, str] | None = None


@dataclass
class Page:
    title: str
    permalink: str
    operations: list[Operation]
    warnings: list[str] = field(default_factory=list)
    source: str = ""  # the file it was read from, for messages
    types: list[TypeTable] = field(default_factory=list)  # type tables outside any operation
    intro: list[str] = field(default_factory=list)  # the text above the first section
    # A page-wide error section ('## 错误响应'): every operation's errors.
    error_codes: list[ErrorCode] = field(default_factory=list)
    error_examples: list[Example] = field(default_factory=list)
    # Request lines listed in prose (line, text): each must name an operation of the page.
    listed: list[tuple[int, str]] = field(default_factory=list)
