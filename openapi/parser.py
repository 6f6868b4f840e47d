"""Read an API page (front matter, one heading per operation, its sections) into a Page.

The page's blocks (blocks.py) are walked in order: the heading that owns a request line
opens an operation, the headings above it are groups, and every block under it goes to
that operation's `Section` (section.py), which reads it as its sub-heading says. This
module knows the layout of the pages, not OpenAPI (the emitter's job), and not the words
the pages use for sections, flags, types and placeholders (vocabulary.py).
"""

from __future__ import annotations

import copy
import re

from . import vocabulary as vocab
from .blocks import Block, read_blocks, split_front_matter
from .model import ConversionError, NoOperation, Operation, Page
from .paths import check_unique
from .section import Section, exact_section, guessed_section, holds_request_line
from .tables import resolve_types

# Sections that, at the operations' own heading level, are the page's general text rather
# than a misplaced section of the operation above.
PAGE_SECTIONS = ("notes", "error_codes", "response_fields")


def parse(text: str) -> Page:
    """Parse a whole page; raises ConversionError naming the line it cannot understand."""
    meta, body = split_front_matter(text)
    page = Page(
        title=str(meta.get("title", "")).strip() or "API",
        permalink=str(meta.get("permalink", "")).strip(),
        operations=[],
    )
    blocks = read_blocks(body)
    level = _operation_level(blocks)
    titles, parts = _titles(blocks, level)
    ambiguous = _ambiguous(blocks, titles)
    groups: list[Block] = []  # the titles above the current one
    current: Section | None = None
    for index, block in enumerate(blocks):
        if block.warning:
            page.warnings.append(f"line {block.line}: {block.warning}")
        if index in titles:
            while groups and groups[-1].level >= block.level:
                groups.pop()
            summary = block.text
            if block.text in ambiguous and groups:
                summary = vocab.GROUPED_SUMMARY.format(group=groups[-1].text, name=block.text)
            if index in parts and current:
                page.warnings.append(
                    f"line {block.line}: heading '{block.text}' is the only operation under "
                    f"'{groups[-1].text}': read as a part of that one"
                )
                current.heading(block, ("unknown", ""), page.warnings)
            else:
                current = _title(block, titles[index], summary, current, page)
            groups.append(block)
        elif block.kind == "heading":
            current = _heading(block, level, current, page)
        elif current:
            current.add(block, page.warnings)
        elif holds_request_line(block):
            raise ConversionError(
                block.line, "request line before any heading: give the endpoint a heading"
            )
    _close(current, page)
    resolve_types(page.operations, page.warnings, page.types)
    _follow_body_references(page)
    if not page.operations:
        raise NoOperation(
            1,
            "no operation found: each endpoint needs a heading "
            f"('{'#' * level} name') and a request line under it",
        )
    check_unique(page.operations)
    return page


def _follow_body_references(page: Page) -> None:
    """A body section that links to another operation's parameters takes that
    operation's body when it is on the page; else the operation keeps no body schema."""
    for op in page.operations:
        if op.body_reference is None or op.body_fields:
            continue
        words, line, page_path = op.body_reference
        elsewhere = page_path.strip("/") not in ("", page.permalink.strip("/"))
        target = next(
            (
                other
                for other in page.operations
                if other is not op
                and not elsewhere
                and (other.body_fields or other.body_examples)
                and words in (vocab.normal(other.summary), vocab.normal(other.heading))
            ),
            None,
        )
        if target is None:
            page.warnings.append(
                f"line {line}: the body is described by a link to '{words}', which is no "
                "operation of this page: no body schema"
            )
            continue
        op.body_fields = copy.deepcopy(target.body_fields)
        op.body_examples = op.body_examples or copy.deepcopy(target.body_examples)
        page.warnings.append(
            f"line {line}: the body is described by a link: the body of "
            f"'{target.summary}' (line {target.line}) is used"
        )


def _titles(blocks: list[Block], level: int) -> tuple[dict[int, bool], set[int]]:
    """The headings that name something (not a section), by block index, each with
    whether it is an operation; and the titles that are a part of the operation above.

    An operation is the heading that owns a request line (the line stands under it, not
    under a deeper title); the titles above it are groups. A title deeper than the page's
    usual operation level that is the only operation of the title above it is a part of
    that one (`## 获取服务标签` / `### 测试服务` is one operation, 获取服务标签)."""
    titles: dict[int, bool] = {}
    parts: set[int] = set()  # titles read as a part of the operation above
    bare: set[int] = set()  # one-word headings (`Deploy`): a type's, unless a request owns them
    last = 0
    owner: int | None = None
    for index, block in enumerate(blocks):
        kind = exact_section(block.text) if block.kind == "heading" else None
        if block.kind == "heading" and not block.bold and kind is None:
            # A guessed section name under a title is a section of it, not a title.
            if not (guessed_section(block.text) and last and block.level > last):
                titles[index], last, owner = False, block.level, index
                continue
        if block.kind == "heading" and not block.bold and kind and _bare_name(block.text):
            titles[index], owner = False, index
            bare.add(index)
            continue
        if owner is not None and holds_request_line(block):
            titles[owner] = True
    for index in bare:
        if not titles[index]:
            del titles[index]
    order = list(titles)
    for position in range(len(order) - 1, -1, -1):
        parent = order[position]
        if titles[parent]:
            continue
        below = []
        for child in order[position + 1 :]:
            if blocks[child].level <= blocks[parent].level:
                break
            if titles[child]:
                below.append(child)
        if len(below) == 1 and blocks[below[0]].level > level:
            titles[parent], titles[below[0]] = True, False
            parts.add(below[0])
    return titles, parts


def _bare_name(text: str) -> bool:
    """A heading that is one identifier: a type's table, or an operation named in English."""
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", text.strip()))


def _ambiguous(blocks: list[Block], titles: dict[int, bool]) -> set[str]:
    """Operation headings that name several operations (测试服务 under two groups)."""
    names = [blocks[index].text for index, owns in titles.items() if owns]
    return {name for name in names if names.count(name) > 1}


def _title(
    block: Block, owns: bool, summary: str, current: Section | None, page: Page
) -> Section | None:
    """The section a title opens: an operation when it owns a request line; else a part
    of the operation above (when deeper), or a group or prose."""
    if not owns and current and current.owns and block.level > current.level:
        current.heading(block, None, page.warnings)
        return current
    _close(current, page)
    op = Operation(summary=summary, line=block.line, heading=block.text)
    return Section(op, block.level, owns)


def _heading(block: Block, level: int, current: Section | None, page: Page) -> Section | None:
    """The section that reads the blocks after a section heading: the page's general
    text, a subsection of the current operation, or none."""
    kind = exact_section(block.text)
    if kind and kind[0] in PAGE_SECTIONS and not block.bold and block.level <= level:
        _close(current, page)
        return Section(Operation(summary=block.text, line=block.line), block.level)
    if current:
        current.heading(block, kind, page.warnings)
        return current
    if kind and not block.bold:
        page.warnings.append(
            f"line {block.line}: '{block.text}' heading outside any operation; ignored"
        )
    return current


def _operation_level(blocks: list[Block]) -> int:
    """The heading level of the operations: that of the heading over most request sections
    (`##` on the pages seen; `###` where `##` groups them). Section names do not count."""
    found: list[int] = []
    above = 0
    for b in blocks:
        if b.kind != "heading" or b.bold:
            continue
        kind = exact_section(b.text)
        if kind is None:
            above = b.level
        elif kind and kind[0] == "request" and above:
            found.append(above)
    if not found:
        levels = [
            b.level
            for b in blocks
            if b.kind == "heading" and not b.bold and b.level >= 2 and not exact_section(b.text)
        ]
        return min(levels, default=2)
    return max(set(found), key=lambda level: (found.count(level), -level))


def _close(section: Section | None, page: Page) -> None:
    if section is None:
        return
    if section.op.method:
        page.operations.append(section.finish(page.warnings))
    elif section.owns:
        raise ConversionError(
            section.op.line,
            f"the request line under '{section.op.summary}' is not read as its request: "
            "write it in a '请求' section",
        )
    elif section.started and not section.endpoint_part and section.types and not section.pending:
        # A section of type tables only ('## 数据结构'): types any operation may use.
        page.types += section.types.values()
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
