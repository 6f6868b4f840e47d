"""Read an API page (front matter, `##` operations, `####` subsections) into a Page.

The page is parsed with markdown-it-py; this module walks its tokens. It knows the
layout of the pages, not OpenAPI: that is the emitter's job.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import lenient_json
from .model import ConversionError, Example, Field, Operation, Page

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
COLUMNS = {"name": "参数名", "type": "类型", "description": "描述", "default": "默认值",
           "required": "是否必须"}
NO_DEFAULT = {"", "无", "-", "—", "n/a"}
YES, NO = {"是", "yes", "true", "y"}, {"否", "no", "false", "n"}
NESTED = re.compile(r"其中\s*`?([\w.\-]+)`?\s*中的参数")
DELIMITER_ROW = re.compile(r"^\|?(\s*:?-+:?\s*\|)+\s*(:?-+:?\s*)?$")
REQUEST_LINE = re.compile(r"^(?P<method>[A-Za-z]+)\s+(?P<target>/\S*)$")


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


def parse(text: str) -> Page:
    """Parse a whole page; raises ConversionError naming the line it cannot understand."""
    meta, body = _split_front_matter(text)
    page = Page(title=str(meta.get("title", "")).strip() or "API",
                permalink=str(meta.get("permalink", "")).strip(), operations=[])
    current: _Section | None = None
    for block in _blocks(body):
        if block.warning:
            page.warnings.append(f"line {block.line}: {block.warning}")
        if block.kind == "heading" and block.level <= 2:
            if current:
                page.operations.append(current.finish(page.warnings))
            current = _Section(Operation(summary=block.text, line=block.line)) \
                if block.level == 2 else None
        elif current:
            current.add(block, page.warnings)
    if current:
        page.operations.append(current.finish(page.warnings))
    if not page.operations:
        raise ConversionError(1, "no operation found: each endpoint needs a '## heading'")
    _check_unique(page.operations)
    return page


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
            return meta, "\n" * (end + 1) + "\n".join(lines[end + 1:])
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
            blocks.append(Block("heading", line, tokens[i + 1].content.strip(),
                                level=int(tok.tag[1])))
            i += 3
        elif tok.type in ("fence", "code_block"):
            blocks.append(Block("fence", line, tok.content, items=[tok.info.strip()]))
            i += 1
        elif tok.type == "table_open":
            i = _table(tokens, i, source, blocks)
        elif tok.type == "paragraph_open" and tok.level == 0:
            blocks.append(Block("paragraph", line, tokens[i + 1].content.strip()))
            i += 3
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            i, items = _list_items(tokens, i)
            blocks.append(Block("list", line, items=items))
        else:
            i += 1
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
            blocks += _table_block(rows, lines, kept) + [Block(
                "paragraph", line, text, warning="no blank line between a table and this text")]
            kept = []
        elif not DELIMITER_ROW.match(text):
            kept.append(index)
    return blocks + _table_block(rows, lines, kept)


def _table_block(rows: list[list[str]], lines: list[int], kept: list[int]) -> list[Block]:
    if not kept:
        return []
    return [Block("table", lines[kept[0]], rows=[rows[k] for k in kept],
                  row_lines=[lines[k] for k in kept])]


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
    """Collects the blocks under one `##` heading into an Operation."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.sub = ""
        self.sub_line = op.line
        self.request_query: list[str] = []
        self.path_table: list[Field] = []
        self.query_table: list[Field] = []
        self.nested_into: tuple[str, int] | None = None

    def add(self, block: Block, warnings: list[str]) -> None:
        if block.kind == "heading":
            self.sub, self.sub_line, self.nested_into = _subsection(block), block.line, None
            if not self.sub:
                warnings.append(f"line {block.line}: subsection '{block.text}' is not one "
                                "the converter knows; its text is ignored")
        elif block.kind == "list" and self.sub == "notes":
            self.op.notes.extend(block.items or [])
        elif block.kind == "paragraph":
            match = NESTED.search(block.text)
            if match:
                self.nested_into = (match.group(1), block.line)
        elif block.kind == "fence":
            self._fence(block, warnings)
        elif block.kind == "table":
            self._table(block)

    def _fence(self, block: Block, warnings: list[str]) -> None:
        if self.sub == "request":
            self._request_line(block)
        elif self.sub in ("body_example", "success", "error"):
            example = Example(_json(block, warnings), block.line)
            if self.sub == "body_example":
                self.op.body_example = example
            elif self.sub == "success":
                self.op.success_example = example
            else:
                if not isinstance(example.value, dict) or "code" not in example.value:
                    raise ConversionError(block.line + 1, "an error answer must be a JSON "
                                          "object with a 'code'")
                self.op.error_example = example

    def _request_line(self, block: Block) -> None:
        text = block.text.strip()
        match = REQUEST_LINE.match(text)
        if not match or match.group("method").upper() not in METHODS:
            raise ConversionError(block.line + 1, f"request line '{text}' is not "
                                  "'METHOD /path/:param?query=:value'")
        path, _, query = match.group("target").partition("?")
        self.op.method = match.group("method").lower()
        self.op.path = re.sub(r":(\w+)", r"{\1}", path)
        self.request_query = [part.split("=", 1)[0] for part in query.split("&") if part]

    def _table(self, block: Block) -> None:
        fields = _fields(block)
        if self.nested_into:
            name, line = self.nested_into
            parent = _find(self.op.body_fields + self.query_table + self.path_table, name)
            if parent is None:
                raise ConversionError(line, f"nested table for '{name}', but no field of "
                                      "that name was described above")
            parent.children = fields
            self.nested_into = None
        elif self.sub == "path_params":
            self.path_table += fields
        elif self.sub == "query_params":
            self.query_table += fields
        elif self.sub == "body_params":
            self.op.body_fields += fields
        else:
            raise ConversionError(block.line, "a parameter table must stand under a "
                                  "'路径参数说明', 'Query 参数说明' or 'body 参数说明' heading")

    def finish(self, warnings: list[str]) -> Operation:
        op = self.op
        if not op.method:
            raise ConversionError(op.line, f"section '{op.summary}' has no '#### 请求' "
                                  "block with a request line")
        in_path = re.findall(r"{(\w+)}", op.path)
        placed = self._place_documented(in_path, warnings)
        for name in in_path:
            if name not in placed:
                warnings.append(f"line {op.line}: path parameter '{name}' is not described; "
                                "taken as a required string")
                op.path_params.append(Field(name, "string", "", None, True, op.line))
        for name in self.request_query:
            if name not in placed:
                op.query_params.append(Field(name, "string", "", None, False, op.line))
        _force_required(op.path_params, warnings)
        op.path_params.sort(key=lambda f: in_path.index(f.name))
        return op

    def _place_documented(self, in_path: list[str], warnings: list[str]) -> dict[str, str]:
        """Put each table row where the request line says; returns name -> path|query."""
        placed: dict[str, str] = {}
        tables = [(f, "path") for f in self.path_table] + [(f, "query") for f in self.query_table]
        for f, table in tables:
            where = _place(f, in_path, self.request_query, placed, warnings, table)
            placed[f.name] = where
            (self.op.path_params if where == "path" else self.op.query_params).append(f)
        return placed


def _force_required(path_params: list[Field], warnings: list[str]) -> None:
    for f in path_params:
        if not f.required:
            warnings.append(f"line {f.line}: path parameter '{f.name}' marked optional; "
                            "a path parameter is always required")
            f.required = True


def _subsection(block: Block) -> str:
    text = block.text.lower()
    if "注意" in text:
        return "notes"
    if text in ("请求", "request"):
        return "request"
    if "路径参数" in text or "path" in text:
        return "path_params"
    if "query" in text or "查询参数" in text:
        return "query_params"
    if "body" in text or "请求体" in text:
        return "body_example" if ("样例" in text or "示例" in text) else "body_params"
    if "正常返回" in text or "成功返回" in text:
        return "success"
    if "异常返回" in text or "错误返回" in text:
        return "error"
    # Last, so that 请求体/请求参数 headings are read as what they describe.
    return "request" if "请求" in text else ""


def _place(f: Field, in_path: list[str], in_query: list[str], placed: dict[str, str],
           warnings: list[str], table: str) -> str:
    """Where the request line puts a documented parameter; renames near-misses."""
    if f.name in placed:
        raise ConversionError(f.line, f"parameter '{f.name}' is described twice")
    if f.name in in_path:
        return "path"
    if f.name in in_query:
        if table == "path":
            warnings.append(f"line {f.line}: '{f.name}' is listed as a path parameter but "
                            "the request line puts it in the query string: placed in query")
        return "query"
    free = [name for name in in_path if name not in placed]
    close = difflib.get_close_matches(f.name, free, n=1, cutoff=0.75)
    if close:
        warnings.append(f"line {f.line}: table names '{f.name}', the request line "
                        f"'{close[0]}': taken as '{close[0]}'")
        f.name = close[0]
        return "path"
    if table == "query":
        return "query"
    raise ConversionError(f.line, f"path parameter '{f.name}' does not appear in the "
                          "request line")


def _fields(block: Block) -> list[Field]:
    rows, lines = block.rows or [], block.row_lines or []
    header = [cell.strip() for cell in rows[0]]
    index = {}
    for key, title in COLUMNS.items():
        if title not in header:
            raise ConversionError(block.line, f"table lacks the column '{title}'; expected "
                                  + "|".join(COLUMNS.values()))
        index[key] = header.index(title)
    fields = []
    for row, line in zip(rows[1:], lines[1:], strict=True):
        cell = {key: (row[i] if i < len(row) else "") for key, i in index.items()}
        name = cell["name"].strip("`* ")
        if not name:
            raise ConversionError(line, "a table row has no parameter name")
        required = cell["required"].strip().lower()
        if required not in YES | NO:
            raise ConversionError(line, f"'{cell['required']}' in 是否必须 is neither 是 nor 否")
        type_ = cell["type"].strip("` ")
        fields.append(Field(name, type_, cell["description"],
                            _default(cell["default"], type_, line), required in YES, line))
    return fields


def _default(text: str, type_: str, line: int) -> Any:
    text = text.strip().strip("`")
    if text.lower() in NO_DEFAULT:
        return None
    kind = type_.lower()
    try:
        if kind in ("bool", "boolean"):
            if text.lower() in YES | {"true"}:
                return True
            if text.lower() in NO | {"false"}:
                return False
            raise ValueError(text)
        if kind in ("int", "int32", "int64", "integer", "long"):
            return int(text)
        if kind in ("float", "double", "number"):
            return float(text)
        if kind == "object" or "array" in kind or kind.startswith("[]"):
            return lenient_json.loads(text)
    except ValueError:
        raise ConversionError(line, f"default '{text}' is not a valid {type_}") from None
    return text.strip("\"'")


def _json(block: Block, warnings: list[str]) -> Any:
    try:
        return json.loads(block.text)
    except json.JSONDecodeError:
        pass
    try:
        value = lenient_json.loads(block.text)
    except json.JSONDecodeError as exc:
        raise ConversionError(block.line + exc.lineno, f"example is not JSON even "
                              f"leniently read: {exc.msg}") from None
    warnings.append(f"line {block.line + 1}: example is not strict JSON; read with its "
                    "comments and trailing commas dropped")
    return value


def _find(fields: list[Field], name: str) -> Field | None:
    for f in fields:
        if f.name == name:
            return f
        found = _find(f.children, name)
        if found:
            return found
    return None


def _check_unique(operations: list[Operation]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for op in operations:
        key = (op.method, op.path)
        if key in seen:
            raise ConversionError(op.line, f"{op.method.upper()} {op.path} is already "
                                  f"described at line {seen[key]}")
        seen[key] = op.line
