"""Read an API page (front matter, one heading per operation, its sections) into a Page.

The page is parsed with markdown-it-py; this module walks its tokens. It knows the
layout of the pages, not OpenAPI (the emitter's job), and not the words the pages use
for sections, flags, types and placeholders (vocabulary.py).
"""

from __future__ import annotations

import copy
import difflib
import json
import re
import shlex
from dataclasses import dataclass
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import lenient_json
from . import vocabulary as vocab
from .model import ConversionError, ErrorCode, Example, Field, NoOperation, Operation, Page

DELIMITER_ROW = re.compile(r"^\|?(\s*:?-+:?\s*\|)+\s*(:?-+:?\s*)?$")
UNSPACED_HEADING = re.compile(r"^(?P<hashes>#{1,6})(?P<text>[^#\s].*)$")
ENDPOINT_PARTS = (
    "request",
    "path_params",
    "query_params",
    "body_params",
    "params",
    "headers",
    "body_example",
    "type_def",
)
# Sections that, at the operations' own heading level, are the page's general text rather
# than a misplaced section of the operation above.
PAGE_SECTIONS = ("notes", "error_codes", "response_fields")
ERROR_CODE_ITEM = re.compile(r"^`?(?P<code>\d{3,})`?\s*[:：\-—|]?\s*(?P<message>.*)$")


@dataclass
class Block:
    """A top-level piece of the page, with its 1-based first line."""

    kind: str  # heading | fence | table | paragraph | list
    line: int
    text: str = ""
    level: int = 0
    rows: list[list[str]] | None = None  # table: header first
    row_lines: list[int] | None = None
    items: list[str] | None = None
    warning: str = ""  # a flaw survived while reading this block
    bold: bool = False  # a heading written as a bold paragraph (`**请求**`)


def parse(text: str) -> Page:
    """Parse a whole page; raises ConversionError naming the line it cannot understand."""
    meta, body = _split_front_matter(text)
    page = Page(
        title=str(meta.get("title", "")).strip() or "API",
        permalink=str(meta.get("permalink", "")).strip(),
        operations=[],
    )
    blocks = _blocks(body)
    level = _operation_level(blocks)
    current: _Section | None = None
    for block in blocks:
        if block.warning:
            page.warnings.append(f"line {block.line}: {block.warning}")
        if block.kind != "heading":
            if current:
                current.add(block, page.warnings)
            continue
        kind = _exact_section(block.text)
        if kind and kind[0] in PAGE_SECTIONS and not block.bold and block.level <= level:
            _close(current, page)
            current = _Section(Operation(summary=block.text, line=block.line))
        elif current and (kind or block.bold or block.level > level):
            current.heading(block, kind, page.warnings)
        elif block.bold:
            continue  # bold text before any operation
        elif kind:
            page.warnings.append(
                f"line {block.line}: '{block.text}' heading outside any operation; ignored"
            )
        else:
            _close(current, page)
            current = (
                _Section(Operation(summary=block.text, line=block.line))
                if block.level == level
                else None
            )
    _close(current, page)
    if not page.operations:
        raise NoOperation(
            1,
            "no operation found: each endpoint needs a heading "
            f"('{'#' * level} name') and a request line under it",
        )
    _check_unique(page.operations)
    return page


def _operation_level(blocks: list[Block]) -> int:
    """The heading level of the operations: that of the heading over most request sections
    (`##` on the pages seen; `###` where `##` groups them). Section names do not count."""
    found: list[int] = []
    above = 0
    for b in blocks:
        if b.kind != "heading" or b.bold:
            continue
        kind = _exact_section(b.text)
        if kind is None:
            above = b.level
        elif kind and kind[0] == "request" and above:
            found.append(above)
    if not found:
        levels = [
            b.level
            for b in blocks
            if b.kind == "heading" and not b.bold and b.level >= 2 and not _exact_section(b.text)
        ]
        return min(levels, default=2)
    return max(set(found), key=lambda level: (found.count(level), -level))


def _exact_section(text: str) -> tuple[str, str] | None:
    """(kind, type name) for a heading the vocabulary names exactly."""
    key = vocab.normal(text)
    if key in vocab.SECTIONS:
        return vocab.SECTIONS[key], ""
    match = vocab.TYPE_HEADING.match(re.sub(r"[`*]|\s+", "", text.strip()).rstrip(":："))
    return ("type_def", match.group("name")) if match else None


def _guessed_section(text: str) -> str:
    key = vocab.normal(text)
    return next((kind for word, kind in vocab.SECTION_WORDS if word in key), "")


def _close(section: _Section | None, page: Page) -> None:
    if section is None:
        return
    if section.op.method:
        page.operations.append(section.finish(page.warnings))
    elif section.started:
        raise ConversionError(
            section.op.line,
            f"section '{section.op.summary}' has no "
            "request line (a '请求' section with 'METHOD /path')",
        )
    elif section.has_text:
        page.warnings.append(
            f"line {section.op.line}: section '{section.op.summary}' has "
            "no request line: read as prose, not as an operation"
        )


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Cut the YAML front matter out, leaving blank lines so line numbers still hold."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            try:
                meta = yaml.safe_load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as exc:
                raise ConversionError(2, f"front matter is not YAML: {exc}") from exc
            if not isinstance(meta, dict):
                raise ConversionError(2, "front matter must be 'key: value' lines")
            return meta, "\n" * (end + 1) + "\n".join(lines[end + 1 :])
    raise ConversionError(1, "front matter opened with '---' is never closed")


def _blocks(body: str) -> list[Block]:
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    source = body.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = tok.map[0] + 1 if tok.map else 0
        if tok.type == "heading_open":
            blocks.append(
                Block("heading", line, tokens[i + 1].content.strip(), level=int(tok.tag[1]))
            )
            i += 3
        elif tok.type in ("fence", "code_block"):
            blocks.append(Block("fence", line, tok.content, items=[tok.info.strip()]))
            i += 1
        elif tok.type == "table_open":
            i = _table(tokens, i, source, blocks)
        elif tok.type == "paragraph_open" and tok.level == 0:
            blocks += _paragraph(tokens[i + 1].content.strip(), line)
            i += 3
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            i, items = _list_items(tokens, i)
            blocks.append(Block("list", line, items=items))
        else:
            i += 1
    return blocks


def _paragraph(text: str, line: int) -> list[Block]:
    """A paragraph, or the heading its author meant: `**请求**`, or `###请求` (no space)."""
    bold = vocab.BOLD_LABEL.match(text)
    if bold:
        return [Block("heading", line, bold.group("text").strip(), bold=True)]
    blocks: list[Block] = []
    rest: list[str] = []
    for offset, row in enumerate(text.splitlines()):
        unspaced = UNSPACED_HEADING.match(row.strip())
        if not unspaced:
            rest.append(row)
            continue
        if rest:
            blocks.append(Block("paragraph", line + offset - len(rest), "\n".join(rest)))
            rest = []
        blocks.append(
            Block(
                "heading",
                line + offset,
                unspaced.group("text").strip(),
                level=len(unspaced.group("hashes")),
                warning="no space after '#': read as a heading",
            )
        )
    if rest:
        blocks.append(
            Block("paragraph", line + len(text.splitlines()) - len(rest), "\n".join(rest))
        )
    return blocks


def _table(tokens: list[Token], i: int, source: list[str], blocks: list[Block]) -> int:
    rows: list[list[str]] = []
    lines: list[int] = []
    while tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "tr_open":
            rows.append([])
            lines.append(tok.map[0] + 1 if tok.map else 0)
        elif tok.type == "inline":
            rows[-1].append(tok.content.strip())
        i += 1
    blocks.extend(_split_rows(rows, lines, source))
    return i + 1


def _split_rows(rows: list[list[str]], lines: list[int], source: list[str]) -> list[Block]:
    """Without a blank line, text right under a table (and a table right under that text)
    is read as more rows: give them back as the paragraphs and tables the author meant."""
    blocks: list[Block] = []
    kept: list[int] = []
    for index, line in enumerate(lines):
        text = source[line - 1].strip() if 0 < line <= len(source) else "|"
        if "|" not in text:
            after = _paragraph(text, line)
            if after[0].kind == "paragraph":
                after[0].warning = "no blank line between a table and this text"
            blocks += _table_block(rows, lines, kept) + after
            kept = []
        elif not DELIMITER_ROW.match(text):
            kept.append(index)
    return blocks + _table_block(rows, lines, kept)


def _table_block(rows: list[list[str]], lines: list[int], kept: list[int]) -> list[Block]:
    if not kept:
        return []
    return [
        Block(
            "table",
            lines[kept[0]],
            rows=[rows[k] for k in kept],
            row_lines=[lines[k] for k in kept],
        )
    ]


def _list_items(tokens: list[Token], i: int) -> tuple[int, list[str]]:
    close = tokens[i].type.replace("_open", "_close")
    depth, items = 0, []
    while True:
        tok = tokens[i]
        if tok.type.endswith("list_open"):
            depth += 1
        elif tok.type.endswith("list_close"):
            depth -= 1
            if depth == 0 and tok.type == close:
                return i + 1, items
        elif tok.type == "inline" and depth == 1:
            items.append(tok.content.strip())
        i += 1


class _Section:
    """Collects the blocks under one operation heading into an Operation."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.sub = ""
        self.type_name = ""
        self.sub_line = op.line
        self.started = False  # a section the vocabulary knows was seen
        self.has_text = False
        self.request_line = op.line
        self.request_query: list[str] = []
        self.path_table: list[Field] = []
        self.query_table: list[Field] = []
        self.any_table: list[Field] = []  # 请求参数: placed by the request line
        self.types: dict[str, tuple[list[Field], int]] = {}
        self.nested_into: tuple[str, int] | None = None
        self.pending: list[ConversionError] = []  # raised only if this is an operation

    def heading(self, block: Block, kind: tuple[str, str] | None, warnings: list[str]) -> None:
        self.nested_into = None
        if kind is None:
            guess = _guessed_section(block.text)
            if guess:
                warnings.append(
                    f"line {block.line}: heading '{block.text}' read as a '{guess}' section"
                )
                kind = (guess, "")
        if kind is None:
            if block.bold:
                self.add(Block("paragraph", block.line, block.text), warnings)
                return
            self.sub, self.type_name = "unknown", ""
            warnings.append(
                f"line {block.line}: subsection '{block.text}' is not one "
                "the converter knows; its text is ignored"
            )
            return
        self.sub, self.type_name = kind
        self.sub_line = block.line
        # Parts only an endpoint has: without a request line they are an error. Notes,
        # answers and error codes alone may be a page's general text.
        self.started = self.started or self.sub in ENDPOINT_PARTS
        if self.sub == "type_def" and self.type_name in self.types:
            self.pending.append(
                ConversionError(block.line, f"type '{self.type_name}' is described twice")
            )

    def add(self, block: Block, warnings: list[str]) -> None:
        self.has_text = True
        if block.kind == "list":
            self._list(block, warnings)
        elif block.kind == "paragraph":
            self._paragraph(block, warnings)
        elif block.kind == "fence":
            self._fence(block, warnings)
        elif block.kind == "table":
            self._table(block, warnings)

    def _list(self, block: Block, warnings: list[str]) -> None:
        if self.sub == "notes":
            self.op.notes.extend(block.items or [])
        elif self.sub == "error_codes":
            for offset, item in enumerate(block.items or []):
                self._code_item(item, block.line + offset, warnings)

    def _paragraph(self, block: Block, warnings: list[str]) -> None:
        for pattern in vocab.NESTED:
            match = pattern.search(block.text)
            if match:
                self.nested_into = (match.group(1), block.line)
                return
        if self.sub == "request" and not self.op.method:
            line = block.text.strip().splitlines()[0]
            if vocab.REQUEST_LINE.match(line):
                self._request_line(line, block.line)
        elif self.sub == "notes":
            self.op.notes.append(block.text)
        elif self.sub == "error_codes":
            # Prose around the codes ("错误码说明如下：") is skipped; lines opening with a
            # number are codes.
            for offset, row in enumerate(block.text.splitlines()):
                if ERROR_CODE_ITEM.match(row.strip()):
                    self._code_item(row, block.line + offset, warnings)

    def _fence(self, block: Block, warnings: list[str]) -> None:
        sub = self.sub
        first = next((row.strip() for row in block.text.splitlines() if row.strip()), "")
        if (
            sub != "request"
            and not self.op.method
            and sub in ("", "notes", "unknown")
            and vocab.REQUEST_LINE.match(first)
        ):
            warnings.append(
                f"line {block.line + 1}: request line outside a '请求' section; read as the request"
            )
            sub = "request"
        if sub == "request":
            if vocab.REQUEST_LINE.match(first) or not first.startswith(("{", "[")):
                self._request_fence(block, warnings)
                return
            sub = "body_example"
        if sub in ("body_example", "body_params", "params"):
            if self.op.body_example:
                warnings.append(f"line {block.line + 1}: a second body example; the first is kept")
            else:
                self.op.body_example = Example(_json(block, warnings), block.line)
        elif sub == "success":
            self.op.success_examples.append(_answer(block, warnings))
        elif sub in ("error", "error_codes"):
            answer = _answer(block, warnings)
            if answer.media != "application/json":
                self.op.error_examples.append(answer)
                return
            value = answer.value
            items = value if isinstance(value, list) and value else [value]
            if not all(isinstance(item, dict) for item in items):
                items = [value]  # a list answer, not a list of error envelopes
            for item in items:
                if not isinstance(item, dict) or not str(item.get("code", "")).isdigit():
                    warnings.append(
                        f"line {block.line + 1}: error example without a numeric 'code': "
                        f"answered with {vocab.DEFAULT_ERROR_STATUS}"
                    )
                self.op.error_examples.append(Example(item, block.line))

    def _request_fence(self, block: Block, warnings: list[str]) -> None:
        rows = [(n, row.strip()) for n, row in enumerate(block.text.splitlines(), 1) if row.strip()]
        found = [
            (n, row)
            for n, row in rows
            if vocab.REQUEST_LINE.match(row)
            and vocab.REQUEST_LINE.match(row).group("method").upper() in vocab.METHODS
        ]
        if not found and rows and rows[0][1].startswith("curl "):
            self._curl(block, warnings)
            return
        if not found:
            text = rows[0][1] if rows else ""
            raise ConversionError(
                block.line + 1, f"request line '{text}' is not 'METHOD /path/:param?query=:value'"
            )
        if self.op.method:
            raise ConversionError(
                block.line + found[0][0],
                "a second request line in one operation: give each endpoint its own heading",
            )
        if len(found) > 1:
            raise ConversionError(
                block.line + found[1][0],
                "several request lines in one block: give each endpoint its own heading",
            )
        self._request_line(found[0][1], block.line + found[0][0])

    def _curl(self, block: Block, warnings: list[str]) -> None:
        """A request written as a curl command: its method, URL and `-d` body."""
        line = block.line + 1
        try:
            words = shlex.split(block.text.replace("\\\n", " "))
        except ValueError as exc:
            raise ConversionError(line, f"curl command not understood: {exc}") from None
        method, url, body = "", "", None
        takes_value = {"-H", "--header", "-u", "--user", "-o", "--output", "-b", "--cookie"}
        index = 1
        while index < len(words):
            word = words[index]
            value = words[index + 1] if index + 1 < len(words) else ""
            if word in ("-X", "--request"):
                method, index = value, index + 2
            elif word in ("-d", "--data", "--data-raw", "--data-binary"):
                body, index = value, index + 2
            elif word == "--url":
                url, index = value, index + 2
            elif word in takes_value:
                index += 2
            elif word.startswith("-"):
                index += 1
            else:
                url, index = url or word, index + 1
        target = re.sub(r"^[a-z]+://[^/]*", "", url)
        if not target.startswith("/"):
            raise ConversionError(line, f"curl command without a URL: '{words[-1]}'")
        method = (method or ("POST" if body is not None else "GET")).upper()
        warnings.append(f"line {line}: request read from a curl command: {method} {target}")
        if self.op.method:
            raise ConversionError(
                line, "a second request line in one operation: give each endpoint its own heading"
            )
        self._request_line(f"{method} {target}", line)
        if body and not self.op.body_example:
            self.op.body_example = Example(
                _json(Block("fence", block.line, body), warnings), block.line
            )

    def _request_line(self, text: str, line: int) -> None:
        match = vocab.REQUEST_LINE.match(text)
        if not match or match.group("method").upper() not in vocab.METHODS:
            raise ConversionError(
                line, f"request line '{text}' is not 'METHOD /path/:param?query=:value'"
            )
        path, _, query = match.group("target").partition("?")
        self.op.method = match.group("method").lower()
        self.op.path = _template(path)
        self.request_line = line
        self.started = True
        self.request_query = [
            part.split("=", 1)[0].strip()
            for part in query.split("&")
            if part.split("=", 1)[0].strip()
        ]
        for name in self.request_query:
            if not re.fullmatch(r"[\w.\-\[\]]+", name):
                raise ConversionError(line, f"query string part '{name}' is not a name")

    def _table(self, block: Block, warnings: list[str]) -> None:
        if self.sub in ("error", "error_codes") and not self.nested_into:
            self._code_table(block, warnings)
            return
        if self.sub in ("response_fields", "success") and not self.nested_into:
            if self.sub == "success":
                warnings.append(
                    f"line {block.line}: table under a success heading: read as the fields "
                    "of the answer"
                )
            self.op.response_fields += _fields(block, warnings, answer=True)
            return
        if self.sub in ("", "notes", "unknown") and not self.nested_into:
            self.pending.append(
                ConversionError(
                    block.line,
                    "a parameter table must stand under a '路径参数说明', "
                    "'Query 参数说明' or 'body 参数说明' heading",
                )
            )
            return
        fields = _fields(block, warnings, answer=self.sub in ("response_fields", "success"))
        if self.nested_into:
            name, line = self.nested_into
            parent = _find(self._all_fields(), name)
            if parent is None:
                raise ConversionError(
                    line,
                    f"nested table for '{name}', but no field of that name was described above",
                )
            parent.children = fields
            self.nested_into = None
        elif self.sub == "type_def":
            if self.type_name in self.types:
                self.types[self.type_name][0].extend(fields)
            else:
                self.types[self.type_name] = (fields, self.sub_line)
        elif self.sub == "path_params":
            self.path_table += fields
        elif self.sub == "query_params":
            self.query_table += fields
        elif self.sub == "headers":
            self.op.header_params += fields
        elif self.sub in ("body_params", "body_example"):
            self.op.body_fields += fields
        else:  # request, params: where the request line puts each name
            self.any_table += fields

    def _all_fields(self) -> list[Field]:
        fields = (
            self.op.body_fields
            + self.query_table
            + self.path_table
            + self.any_table
            + self.op.response_fields
        )
        for type_fields, _ in self.types.values():
            fields = fields + type_fields
        return fields

    def _code_table(self, block: Block, warnings: list[str]) -> None:
        rows, lines = block.rows or [], block.row_lines or []
        header = [vocab.normal(cell) for cell in rows[0]]
        code_at = _column(header, vocab.ERROR_CODE_COLUMNS["code"])
        if code_at is None:
            numeric = [
                i
                for i in range(len(header))
                if rows[1:]
                and all(i < len(row) and row[i].strip("` ").isdigit() for row in rows[1:])
            ]
            if not numeric:
                raise ConversionError(
                    block.line,
                    "an error code table needs a '错误码' column (or a column of numbers)",
                )
            code_at = numeric[0]
            warnings.append(
                f"line {block.line}: error code table without a '错误码' column: "
                f"codes read from column '{rows[0][code_at]}'"
            )
        message_at = _column(header, vocab.ERROR_CODE_COLUMNS["message"])
        status_at = _column(header, vocab.ERROR_CODE_COLUMNS["status"])
        if status_at == code_at:  # the only numbers are the codes
            status_at = None
        for row, line in zip(rows[1:], lines[1:], strict=True):
            cells = [cell.strip("` ") for cell in row]
            code = cells[code_at] if code_at < len(cells) else ""
            if not code.isdigit():
                raise ConversionError(line, f"error code '{code}' is not a number")
            if message_at is not None and message_at < len(cells):
                message = cells[message_at]
            else:
                message = " ".join(
                    c for i, c in enumerate(cells) if i not in (code_at, status_at) and c
                )
            status = cells[status_at] if status_at is not None and status_at < len(cells) else ""
            if status and not (status.isdigit() and int(status) in vocab.HTTP_ERROR_CODES):
                raise ConversionError(line, f"HTTP status '{status}' is not a 4xx or 5xx status")
            self.op.error_codes.append(
                ErrorCode(int(code), message.strip(), line, int(status) if status else None)
            )
        warnings.append(
            f"line {block.line}: error codes read from a table: each code is an "
            "example {code, message} under its status"
        )

    def _code_item(self, text: str, line: int, warnings: list[str]) -> None:
        match = ERROR_CODE_ITEM.match(text.strip().lstrip("-*").strip())
        if not match:
            raise ConversionError(
                line, f"'{text}' under 错误码 is neither a code with its meaning nor a JSON example"
            )
        self.op.error_codes.append(
            ErrorCode(int(match.group("code")), match.group("message").strip(), line)
        )
        warnings.append(
            f"line {line}: error code read from text: an example {{code, message}} under its status"
        )

    def finish(self, warnings: list[str]) -> Operation:
        if self.pending:
            raise self.pending[0]
        op = self.op
        self._resolve_types(warnings)
        in_path = re.findall(r"{([^{}]+)}", op.path)
        placed = self._place_documented(in_path, warnings)
        for name in in_path:
            if name not in placed:
                warnings.append(
                    f"line {self.request_line}: path parameter '{name}' is not "
                    "described; taken as a required string"
                )
                op.path_params.append(Field(name, "string", "", None, True, self.request_line))
        for name in self.request_query:
            if name not in placed:
                op.query_params.append(Field(name, "string", "", None, False, self.request_line))
        _force_required(op.path_params, warnings)
        op.path_params.sort(key=lambda f: in_path.index(f.name))
        return op

    def _resolve_types(self, warnings: list[str]) -> None:
        """Give each field typed `[]Name` or `Name` the rows of the 'Name 参数说明' table."""
        used: set[str] = set()

        def resolve(fields: list[Field], depth: int) -> None:
            for f in fields:
                name = f.reading.named
                if name and not f.children:
                    if name in self.types and depth < 8:
                        f.children = copy.deepcopy(self.types[name][0])
                        used.add(name)
                    elif name not in self.types:
                        warnings.append(
                            f"line {f.line}: type '{f.type}' of '{f.name}' is not "
                            "described on the page; taken as an object"
                        )
                resolve(f.children, depth + 1)

        resolve(
            self.op.body_fields
            + self.path_table
            + self.query_table
            + self.any_table
            + self.op.header_params
            + self.op.response_fields,
            0,
        )
        for name, (_, line) in self.types.items():
            if name not in used:
                warnings.append(
                    f"line {line}: type '{name}' is described but no field uses it; ignored"
                )

    def _place_documented(self, in_path: list[str], warnings: list[str]) -> dict[str, str]:
        """Put each table row where the request line says; returns name -> path|query|body."""
        placed: dict[str, str] = {}
        tables = (
            [(f, "path") for f in self.path_table]
            + [(f, "query") for f in self.query_table]
            + [(f, "any") for f in self.any_table]
        )
        for f, table in tables:
            where = _place(f, in_path, self.request_query, placed, warnings, table, self.op.method)
            placed[f.name] = where
            if where == "body":
                self.op.body_fields.append(f)
            else:
                (self.op.path_params if where == "path" else self.op.query_params).append(f)
        return placed


def _template(path: str) -> str:
    """The OpenAPI template of a request path: every placeholder style becomes {name}."""
    for pattern in vocab.PLACEHOLDERS:
        path = pattern.sub(lambda m: "{" + m.group(1) + "}", path)
    return path


def _force_required(path_params: list[Field], warnings: list[str]) -> None:
    for f in path_params:
        if not f.required:
            warnings.append(
                f"line {f.line}: path parameter '{f.name}' marked optional; "
                "a path parameter is always required"
            )
            f.required = True


def _place(
    f: Field,
    in_path: list[str],
    in_query: list[str],
    placed: dict[str, str],
    warnings: list[str],
    table: str,
    method: str,
) -> str:
    """Where the request line puts a documented parameter; renames near-misses."""
    if f.name in placed:
        raise ConversionError(f.line, f"parameter '{f.name}' is described twice")
    if f.name in in_path:
        return "path"
    if f.name in in_query:
        if table == "path":
            warnings.append(
                f"line {f.line}: '{f.name}' is listed as a path parameter but "
                "the request line puts it in the query string: placed in query"
            )
        return "query"
    by_case = {n.lower(): n for n in in_path + in_query if n not in placed}
    if f.name.lower() in by_case:
        named = by_case[f.name.lower()]
        warnings.append(
            f"line {f.line}: table names '{f.name}', the request line '{named}': taken as '{named}'"
        )
        f.name = named
        return "path" if named in in_path else "query"
    free = [name for name in in_path if name not in placed]
    close = difflib.get_close_matches(f.name, free, n=1, cutoff=0.75)
    if close:
        warnings.append(
            f"line {f.line}: table names '{f.name}', the request line "
            f"'{close[0]}': taken as '{close[0]}'"
        )
        f.name = close[0]
        return "path"
    if table == "query":
        return "query"
    if table == "any":
        if method in ("post", "put", "patch"):
            return "body"
        warnings.append(
            f"line {f.line}: '{f.name}' is not in the request line; taken as a query parameter"
        )
        return "query"
    warnings.append(
        f"line {f.line}: '{f.name}' is listed as a path parameter but the request line has no "
        "such placeholder: placed in query"
    )
    return "query"


def _column(header: list[str], titles: tuple[str, ...]) -> int | None:
    keys = [vocab.normal(title) for title in titles]
    return next((header.index(key) for key in keys if key in header), None)


def _fields(block: Block, warnings: list[str], answer: bool = False) -> list[Field]:
    """The rows of a parameter table (`answer`: a table of the answer's fields, which says
    nothing of being required)."""
    rows, lines = block.rows or [], block.row_lines or []
    header = [vocab.normal(cell) for cell in rows[0]]
    index: dict[str, int | None] = {}
    for key, titles in vocab.COLUMNS.items():
        index[key] = _column(header, titles)
        if index[key] is None and key in vocab.MANDATORY_COLUMNS:
            known = "|".join(names[0] for names in vocab.COLUMNS.values())
            raise ConversionError(
                block.line, f"table lacks the column '{titles[0]}'; columns read: {known}"
            )
    if index["required"] is None and not answer:
        warnings.append(
            f"line {block.line}: table has no '是否必须' column: parameters "
            "taken as optional (path parameters as required)"
        )
    fields = []
    for row, line in zip(rows[1:], lines[1:], strict=True):
        cell = {key: (row[i] if i is not None and i < len(row) else "") for key, i in index.items()}
        name = cell["name"].strip("`* ")
        if not name:
            raise ConversionError(line, "a table row has no parameter name")
        plain = re.match(r"`?([A-Za-z_$][\w.\-\[\]$]*)`?", name)
        if plain and plain.group(1) != name:
            # "`projectName` (query)", "id（必填）": the name is the identifier it opens with.
            warnings.append(f"line {line}: parameter name '{name}' read as '{plain.group(1)}'")
            name = plain.group(1)
        reading = vocab.read_type(cell["type"])
        if reading is None:
            raise ConversionError(
                line, f"unknown type '{cell['type']}' for '{name}'; known: {vocab.known_types()}"
            )
        required, condition = (
            _required(cell["required"], line, warnings)
            if index["required"] is not None
            else (False, "")
        )
        default, prose = _default(cell["default"], reading, line, warnings)
        description = cell["description"]
        if condition:
            description = f"{description}（{condition}）" if description else condition
        if prose:
            description = f"{description}（默认值：{prose}）" if description else f"默认值：{prose}"
        fields.append(
            Field(
                name,
                cell["type"].strip("` "),
                description,
                default,
                required,
                line,
                reading=reading,
            )
        )
    return _nest_dotted(fields)


def _nest_dotted(fields: list[Field]) -> list[Field]:
    """Rows named `targets.name` or `targets[].name` are fields of the row `targets`."""
    top: list[Field] = []
    for f in fields:
        parent_name, dot, child = f.name.rpartition(".")
        if not dot:
            top.append(f)
            continue
        parent = _find_path(top, parent_name.replace("[]", "").split("."))
        if parent is None:  # a name with a dot (a query parameter `filter.name`)
            top.append(f)
            continue
        f.name = child
        parent.children.append(f)
    return top


def _find_path(fields: list[Field], names: list[str]) -> Field | None:
    for f in fields:
        if f.name == names[0]:
            return f if len(names) == 1 else _find_path(f.children, names[1:])
    return None


def _required(text: str, line: int, warnings: list[str]) -> tuple[bool, str]:
    """Whether a row is required, and a condition for the description ("使用 PR 构建时必填")."""
    key = vocab.normal(text)
    if key in vocab.REQUIRED:
        return vocab.REQUIRED[key], ""
    if key and any(word in key for word in vocab.CONDITIONAL):
        warnings.append(f"line {line}: '{text}' in 是否必须 is a condition: taken as optional")
        return False, text.strip()
    if not key:
        warnings.append(f"line {line}: 是否必须 is empty: taken as optional")
        return False, ""
    words = "/".join(vocab.REQUIRED)
    raise ConversionError(line, f"'{text}' in 是否必须 is not a word the converter knows ({words})")


def _default(
    text: str, reading: vocab.TypeReading, line: int, warnings: list[str]
) -> tuple[Any, str]:
    """(default value or None, prose for the description): a default is only a value of
    the parameter's type; anything else is text about it."""
    text = text.strip()
    quoted = vocab.QUOTED.match(text)
    bare = next((g for g in quoted.groups() if g is not None), "") if quoted else text
    if vocab.normal(bare) in vocab.NO_DEFAULT and not (quoted and bare):
        return None, ""
    kind = "array" if reading.depth else reading.schema.get("type", "")
    try:
        value = _value(bare, kind, quoted is not None)
    except ValueError:
        value = None
    if value is not None:
        return value, ""
    # Text that looks like a value (ASCII, one word) but is not one of the type is a slip
    # worth a warning; prose ("默认为空，查询所有项目") is simply moved to the description.
    if bare.isascii() and not re.search(r"\s", bare.strip()):
        warnings.append(
            f"line {line}: default '{text}' is not a valid {kind or 'value'}: "
            "kept in the description, no default"
        )
    return None, text


def _value(text: str, kind: str, quoted: bool) -> Any:
    if kind == "boolean":
        key = vocab.normal(text)
        if key in vocab.REQUIRED:  # 是/否, true/false, yes/no mean the same here
            return vocab.REQUIRED[key]
        raise ValueError(text)
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind in ("object", "array"):
        value = lenient_json.loads(text)
        if isinstance(value, dict if kind == "object" else list):
            return value
        raise ValueError(text)
    if kind == "string":
        if quoted or vocab.STRING_VALUE.match(text):
            return text
        raise ValueError(text)
    raise ValueError(text)


def _answer(block: Block, warnings: list[str]) -> Example:
    """An answer's example: JSON, or plain text when the block is neither marked JSON nor
    shaped like it (`success`, `404 page not found`)."""
    info = (block.items or [""])[0].lower()
    text = block.text.strip()
    if info in vocab.JSON_FENCES or text.startswith(("{", "[", '"')):
        return Example(_json(block, warnings), block.line)
    try:
        return Example(json.loads(text), block.line)
    except json.JSONDecodeError:
        warnings.append(f"line {block.line + 1}: answer example is not JSON: kept as text/plain")
        return Example(text, block.line, "text/plain")


def _json(block: Block, warnings: list[str]) -> Any:
    try:
        return json.loads(block.text)
    except json.JSONDecodeError:
        pass
    try:
        value = lenient_json.loads(block.text)
    except json.JSONDecodeError as exc:
        raise ConversionError(
            block.line + exc.lineno, f"example is not JSON even leniently read: {exc.msg}"
        ) from None
    warnings.append(
        f"line {block.line + 1}: example is not strict JSON; read with its "
        "comments, trailing commas and '...' dropped"
    )
    return value


def _find(fields: list[Field], name: str) -> Field | None:
    for f in fields:
        if f.name == name:
            return f
        found = _find(f.children, name)
        if found:
            return found
    return None


def operation_key(op: Operation) -> tuple[str, str]:
    """Two operations are the same when method and path match, whatever the names of
    their path parameters."""
    return op.method, re.sub(r"{[^{}]+}", "{}", op.path)


def align_paths(pages: list[Page]) -> None:
    """Spell each path template one way: `/env/{name}` and `/env/{envName}` are the same
    path to OpenAPI, which refuses both. Later spellings take the first one's names."""
    first: dict[str, tuple[str, Page, int]] = {}
    for page in pages:
        for op in page.operations:
            key = operation_key(op)[1]
            if key not in first:
                first[key] = (op.path, page, op.line)
                continue
            path, owner, line = first[key]
            if path == op.path:
                continue
            renames = dict(
                zip(
                    re.findall(r"{([^{}]+)}", op.path), re.findall(r"{([^{}]+)}", path), strict=True
                )
            )
            for f in op.path_params:
                f.name = renames.get(f.name, f.name)
            where = f"line {line}" if owner is page else f"{owner.source}:{line}"
            page.warnings.append(
                f"line {op.line}: path {op.path} is spelled {path} at "
                f"{where}: parameters renamed to match"
            )
            op.path = path


def _check_unique(operations: list[Operation]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for op in operations:
        key = operation_key(op)
        if key in seen:
            raise ConversionError(
                op.line, f"{op.method.upper()} {op.path} is already described at line {seen[key]}"
            )
        seen[key] = op.line
