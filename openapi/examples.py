"""The page's examples: request bodies and answers, and the error codes it lists.

Examples are JSON, read leniently when hand-written (comments, trailing commas, `...`),
or plain text for an answer that is not JSON. An error example may be a list of error
envelopes. Error codes come as a table, a list or lines of text; each becomes an example
{code, message} under its status in the spec.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import lenient_json
from . import vocabulary as vocab
from .blocks import Block
from .model import ConversionError, ErrorCode, Example
from .tables import column

ERROR_CODE_ITEM = re.compile(r"^`?(?P<code>\d{3,})`?\s*[:：\-—|]?\s*(?P<message>.*)$")


def read_json(block: Block, warnings: list[str]) -> Any:
    """A code block's JSON value, strict or else leniently read (with a warning)."""
    values = read_values(block, warnings)
    if len(values) > 1:
        raise ConversionError(block.line + 1, "several JSON values where one example is read")
    return values[0]


def read_values(block: Block, warnings: list[str], **options: Any) -> list[Any]:
    """A code block's JSON values (one, or several in a row), strict or else leniently
    read (with a warning). `options` go to the JSON decoder."""
    try:
        return [json.loads(block.text, **options)]
    except json.JSONDecodeError:
        pass
    try:
        values = lenient_json.loads_all(block.text, **options)
    except json.JSONDecodeError as exc:
        raise ConversionError(
            block.line + exc.lineno, f"example is not JSON even leniently read: {exc.msg}"
        ) from None
    warnings.append(
        f"line {block.line + 1}: example is not strict JSON; read with its "
        "comments, trailing commas and '...' dropped"
    )
    if len(values) > 1:
        warnings.append(
            f"line {block.line + 1}: {len(values)} JSON values in one block: one example each"
        )
    return values


def example_of(block: Block, warnings: list[str], title: str = "") -> Example:
    """The one JSON example of a block (a request body), with what its comments say."""
    return _commented([Example(read_json(block, warnings), block.line, title=title)], block)[0]


def _commented(examples: list[Example], block: Block) -> list[Example]:
    """Give each JSON example of a block what its comments say: the comment lines above
    it as its title (unless a label above the block gave one), the comment on a field's
    line as that field's note."""
    found = lenient_json.comments(block.text)
    if len(found) != len(examples):
        return examples
    for example, said in zip(examples, found, strict=True):
        example.title = said.title or example.title
        example.notes = said.fields
    return examples


def answer(block: Block, warnings: list[str], title: str = "", **options: Any) -> list[Example]:
    """An answer's examples: JSON (one per value in the block), or plain text when the
    block is neither marked JSON nor shaped like it (`success`, `404 page not found`),
    or is lines of quoted text (a log). `title`: the label the page gives the block."""
    info = (block.items or [""])[0].lower()
    text = block.text.strip()
    body = "\n".join(
        row for row in text.splitlines() if not row.strip().startswith(vocab.COMMENT_LINES)
    ).strip()
    if info in vocab.JSON_FENCES or body.startswith(("{", "[", '"')):
        values = read_values(block, warnings, **options)
        if len(values) > 1 and all(isinstance(value, str) for value in values):
            warnings.append(f"line {block.line + 1}: lines of quoted text: kept as text/plain")
            return [Example(text, block.line, "text/plain", title)]
        return _commented([Example(value, block.line, title=title) for value in values], block)
    try:
        return [Example(json.loads(text), block.line, title=title)]
    except json.JSONDecodeError:
        warnings.append(f"line {block.line + 1}: answer example is not JSON: kept as text/plain")
        return [Example(text, block.line, "text/plain", title)]


class RepeatedKeys(list):
    """An object written with its keys repeated (`{"resultCode":401, ..., "resultCode":400,
    ...}`): the objects it stands for, one per repetition of its first key."""


def _split_repeated(pairs: list[tuple[str, Any]]) -> Any:
    keys = [key for key, _ in pairs]
    if len(set(keys)) == len(keys):
        return dict(pairs)
    objects: list[dict[str, Any]] = []
    for key, value in pairs:
        if not objects or key == keys[0] or key in objects[-1]:
            objects.append({})
        objects[-1][key] = value
    return RepeatedKeys(objects)


def error_examples(block: Block, warnings: list[str], title: str = "") -> list[Example]:
    """The error answers a code block shows: one, each of several in a row, each envelope
    of a list of them, or each object of one written with repeated keys; an envelope with
    the success code (0) is left out."""
    examples: list[Example] = []
    for example in answer(block, warnings, title, object_pairs_hook=_split_repeated):
        if example.media != "application/json":
            examples.append(example)
            continue
        value = example.value
        if isinstance(value, RepeatedKeys):
            warnings.append(
                f"line {block.line + 1}: one object with repeated keys: read as "
                f"{len(value)} error examples"
            )
            value = list(value)
        items = value if isinstance(value, list) and value else [value]
        if not all(isinstance(item, dict) for item in items):
            items = [value]  # a list answer, not a list of error envelopes
        for item in items:
            code = vocab.error_code(item)
            if str(code) == "0":
                continue  # the success code among the errors
            if not str(code).isdigit():
                warnings.append(
                    f"line {block.line + 1}: error example without a numeric 'code': "
                    f"answered with {vocab.DEFAULT_ERROR_STATUS}"
                )
            examples.append(Example(item, block.line, title=example.title, notes=example.notes))
    return examples


def codes_from_list(block: Block, warnings: list[str]) -> list[ErrorCode]:
    """A list of codes, one per item (`- 6160: 参数错误`)."""
    return [
        code_item(item, block.line + offset, warnings)
        for offset, item in enumerate(block.items or [])
    ]


def codes_from_text(block: Block, warnings: list[str]) -> list[ErrorCode]:
    """The lines of a paragraph that open with a number; the prose around them
    ("错误码说明如下：") is skipped."""
    return [
        code_item(row, block.line + offset, warnings)
        for offset, row in enumerate(block.text.splitlines())
        if ERROR_CODE_ITEM.match(row.strip())
    ]


def code_item(text: str, line: int, warnings: list[str]) -> ErrorCode:
    """One code written as text: `6160: 参数错误`, `- 6542 — 工作流不存在`."""
    match = ERROR_CODE_ITEM.match(text.strip().lstrip("-*").strip())
    if not match:
        raise ConversionError(
            line, f"'{text}' under 错误码 is neither a code with its meaning nor a JSON example"
        )
    code = ErrorCode(int(match.group("code")), match.group("message").strip(), line)
    warnings.append(
        f"line {line}: error code read from text: an example {{code, message}} under its status"
    )
    return code


def codes_from_table(block: Block, warnings: list[str]) -> list[ErrorCode]:
    """An 错误码 table: a code column (or else the first column of numbers), a message and
    perhaps an HTTP status per row."""
    rows, lines = block.rows or [], block.row_lines or []
    header = [vocab.normal(cell) for cell in rows[0]]
    code_at = _code_column(block, header, warnings)
    message_at = column(header, vocab.ERROR_CODE_COLUMNS["message"])
    status_at = column(header, vocab.ERROR_CODE_COLUMNS["status"])
    if status_at == code_at:  # the only numbers are the codes
        status_at = None
    codes = [
        _code_row([cell.strip("` ") for cell in row], line, code_at, message_at, status_at)
        for row, line in zip(rows[1:], lines[1:], strict=True)
    ]
    warnings.append(
        f"line {block.line}: error codes read from a table: each code is an "
        "example {code, message} under its status"
    )
    return codes


def _code_column(block: Block, header: list[str], warnings: list[str]) -> int:
    """The column titled 错误码, or else the first whose cells are all numbers."""
    rows = block.rows or []
    code_at = column(header, vocab.ERROR_CODE_COLUMNS["code"])
    if code_at is not None:
        return code_at
    numeric = [
        i
        for i in range(len(header))
        if rows[1:] and all(i < len(row) and row[i].strip("` ").isdigit() for row in rows[1:])
    ]
    if not numeric:
        raise ConversionError(
            block.line,
            "an error code table needs a '错误码' column (or a column of numbers)",
        )
    warnings.append(
        f"line {block.line}: error code table without a '错误码' column: "
        f"codes read from column '{rows[0][numeric[0]]}'"
    )
    return numeric[0]


def _code_row(
    cells: list[str], line: int, code_at: int, message_at: int | None, status_at: int | None
) -> ErrorCode:
    """One row of an 错误码 table; without a message column, the other cells are the message."""
    code = cells[code_at] if code_at < len(cells) else ""
    if not code.isdigit():
        raise ConversionError(line, f"error code '{code}' is not a number")
    if message_at is not None and message_at < len(cells):
        message = cells[message_at]
    else:
        message = " ".join(c for i, c in enumerate(cells) if i not in (code_at, status_at) and c)
    status = cells[status_at] if status_at is not None and status_at < len(cells) else ""
    if status and not (status.isdigit() and int(status) in vocab.HTTP_ERROR_CODES):
        raise ConversionError(line, f"HTTP status '{status}' is not a 4xx or 5xx status")
    return ErrorCode(int(code), message.strip(), line, int(status) if status else None)
