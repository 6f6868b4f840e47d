"""A page's Markdown as a list of top-level blocks, each with the line it starts on.

The YAML front matter is cut off first; markdown-it-py then reads headings, code blocks,
tables, paragraphs and lists. Hand-written pages have flaws that this step repairs, so
that the later steps see the blocks the author meant: a heading without a space after
`#`, a bold paragraph standing for a heading, text glued under a table. This module
knows Markdown, not what the sections mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from . import vocabulary as vocab
from .model import ConversionError, Loss

DELIMITER_ROW = re.compile(r"^\|?(\s*:?-+:?\s*\|)+\s*(:?-+:?\s*)?$")
UNSPACED_HEADING = re.compile(r"^(?P<hashes>#{1,6})(?P<text>[^#\s].*)$")


@dataclass
class Block:
    """A top-level piece of the page, with its 1-based first line."""

    # heading | fence | table | paragraph | list | container (its name as text) |
    # container_end (| anchor, while reading)
    kind: str
    line: int
    text: str = ""
    level: int = 0
    rows: list[list[str]] | None = None  # table: header first
    row_lines: list[int] | None = None
    items: list[str] | None = None
    warning: str = ""  # a flaw survived while reading this block
    bold: bool = False  # a heading written as a bold paragraph (`**请求**`)
    anchor: str = ""  # a heading's id: `<h4 id="x">`, else the slug of its text


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
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


def read_blocks(body: str) -> list[Block]:
    """The top-level blocks of a page's body, in order."""
    blocks: list[Block] = []
    for block in _read_blocks(body):
        if blocks and blocks[-1].kind == "anchor":
            anchor = blocks.pop().anchor
            if block.kind == "heading":
                block.anchor = anchor
        blocks.append(block)
    return [b for b in blocks if b.kind != "anchor"]


def _markdown() -> MarkdownIt:
    """CommonMark with tables and VuePress' `::: name` containers."""
    md = MarkdownIt("commonmark").enable("table")
    for name in vocab.CONTAINERS:
        md.use(container_plugin, name)
    return md


MARKDOWN = _markdown()


def _read_blocks(body: str) -> list[Block]:
    tokens = MARKDOWN.parse(body)
    source = body.splitlines()
    blocks: list[Block] = []
    depth = 0  # containers open: their paragraphs are one level deeper
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = tok.map[0] + 1 if tok.map else 0
        container = re.fullmatch(r"container_(?P<name>.+)_(?P<end>open|close)", tok.type)
        if container and container.group("end") == "open":
            depth += 1
            blocks.append(Block("container", line, container.group("name")))
            i += 1
        elif container:
            depth -= 1
            blocks.append(Block("container_end", blocks[-1].line if blocks else 0))
            i += 1
        elif tok.type == "heading_open":
            text, anchor = _heading_text(tokens[i + 1].content.strip())
            blocks.append(Block("heading", line, text, level=int(tok.tag[1]), anchor=anchor))
            i += 3
        elif tok.type == "html_block":
            blocks += _html_block(tok.content, line)
            i += 1
        elif tok.type in ("fence", "code_block"):
            blocks.append(Block("fence", line, tok.content, items=[tok.info.strip()]))
            i += 1
        elif tok.type == "table_open":
            i = _table(tokens, i, source, blocks)
        elif tok.type == "paragraph_open" and tok.level == depth:
            blocks += _paragraph(tokens[i + 1].content.strip(), line)
            i += 3
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            i, items = _list_items(tokens, i)
            blocks.append(Block("list", line, items=items))
        else:
            i += 1
    return blocks


def slug(text: str) -> str:
    """The anchor a doc site gives a Markdown heading: lower case, blanks as '-'."""
    text = re.sub(r"[`*]", "", text).strip().lower()
    return re.sub(r"[^\w\-]+", "", re.sub(r"\s+", "-", text))


def _heading_text(text: str) -> tuple[str, str]:
    """A Markdown heading's text and anchor: an id given in inline HTML
    (`### <a id="x"></a>Repo`, `<span id="x">…</span>`) wins over the slug."""
    tags = re.findall(r"<[^>]+>", text)
    if not tags:
        return text, slug(text)
    text = re.sub(r"<[^>]+>", "", text).strip()
    ident = next((m for m in map(vocab.HTML_ID.search, tags) if m), None)
    return text, ident.group("id") if ident else slug(text)


def _html_block(html: str, line: int) -> list[Block]:
    """A heading written as HTML is a heading, its id the anchor; a line that only sets
    an anchor (`<a id="x"></a>`) gives it to the heading under it. Text right under
    either without a blank line (Markdown keeps it in the HTML block) is read on its own."""
    first, _, rest = html.partition("\n")
    anchor = vocab.HTML_ANCHOR.match(first)
    ident = vocab.HTML_ID.search(anchor.group("attrs")) if anchor else None
    if ident:
        marker = [Block("anchor", line, anchor=ident.group("id"))]
        return marker + (_read_blocks("\n" * line + rest) if rest.strip() else [])
    heading = vocab.HTML_HEADING.match(html)
    if not heading:
        return []
    rest = html[heading.end() :]
    if rest.startswith("\n"):
        rest = rest[1:]
    text = re.sub(r"<[^>]+>", "", heading.group("text")).strip()
    text = re.sub(r"\s+", " ", text)
    ident = vocab.HTML_ID.search(heading.group("attrs"))
    blocks = [
        Block(
            "heading",
            line,
            text,
            level=int(heading.group("level")),
            anchor=ident.group("id") if ident else slug(text),
        )
    ]
    if rest.strip():
        blocks += _read_blocks("\n" * (line + heading.group(0).count("\n")) + rest)
    return blocks


def _paragraph(text: str, line: int) -> list[Block]:
    """A paragraph, or the heading its author meant: `**请求**`, or `###请求` (no space)."""
    anchor = vocab.HTML_ANCHOR.match(text)
    ident = vocab.HTML_ID.search(anchor.group("attrs")) if anchor else None
    if ident:  # `<a id="repo"></a>` on its own line: the anchor of the heading under it
        return [Block("anchor", line, anchor=ident.group("id"))]
    mismatched = _mismatched_table(text, line)
    if mismatched:
        return mismatched
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


def _cell_texts(row: str) -> list[str]:
    """The cells of a table row as written (`|a|b|` and `a|b` both have two)."""
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return re.split(r"(?<!\\)\|", row)


def _cells(row: str) -> int:
    return len(_cell_texts(row))


def _mismatched_table(text: str, line: int) -> list[Block]:
    """A table whose delimiter row has another number of columns than its header is no
    table to Markdown (a paragraph): read it with the header's columns, with a warning."""
    rows = text.splitlines()
    if len(rows) < 2 or "|" not in rows[0] or not DELIMITER_ROW.match(rows[1].strip()):
        return []
    columns, delimiters = _cells(rows[0]), _cells(rows[1])
    if columns == delimiters:
        return []
    rows[1] = "|" + "---|" * columns
    blocks = _read_blocks("\n" * (line - 1) + "\n".join(rows))
    if not blocks or blocks[0].kind != "table":
        return []
    blocks[0].warning = (
        f"the delimiter row has {delimiters} columns, the header {columns}: "
        f"read with the header's {columns}"
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
    tables = _split_rows(rows, lines, source)
    wide = [line for line in lines[1:] if _extra_cells(source, line, len(rows[0]))]
    first = next((b for b in tables if b.kind == "table" and not b.warning), None)
    if wide and first:
        first.warning = Loss(
            f"row at line {wide[0]} has more cells than the header's {len(rows[0])}: "
            "the extra cells are ignored"
        )
    blocks.extend(tables)
    return i + 1


def _extra_cells(source: list[str], line: int, columns: int) -> bool:
    """Whether a row holds text beyond the header's columns (Markdown drops it)."""
    text = source[line - 1] if 0 < line <= len(source) else ""
    return "|" in text and any(cell.strip() for cell in _cell_texts(text)[columns:])


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
