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
from .model import ConversionError, Loss, NoOperation, Operation, Page
from .paths import check_unique, operation_key
from .request_line import read_request_line
from .section import (
    Section,
    exact_section,
    guessed_section,
    holds_request_line,
    listed_requests,
    markdown,
)
from .tables import resolve_types

# Sections that, at the operations' own heading level, are the page's general text rather
# than a misplaced section of the operation above.
PAGE_SECTIONS = ("notes", "error_codes", "response_fields", "error")


def parse(text: str) -> Page:
    """Parse a whole page; raises ConversionError naming the line it cannot understand."""
    meta, body = split_front_matter(text)
    page = Page(
        title=str(meta.get("title", "")).strip() or "API",
        permalink=str(meta.get("permalink", "")).strip(),
        operations=[],
    )
    blocks = read_blocks(body)
    if not meta.get("title"):
        blocks = _page_title(blocks, page)
    level = _operation_level(blocks)
    titles, parts = _titles(blocks, level)
    ambiguous = _ambiguous(blocks, titles)
    parents = _parents(blocks, titles)
    groups: list[Block] = []  # the titles above the current one
    context: list[Section] = []  # the groups above the current title that hold its parts
    current: Section | None = None
    for index, block in enumerate(blocks):
        if block.warning:
            said = f"line {block.line}: {block.warning}"
            page.warnings.append(Loss(said) if isinstance(block.warning, Loss) else said)
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
                group = groups[-1].text if groups else ""
                current = _title(block, titles[index], summary, current, page, context, group)
                current.group = index in parents
            groups.append(block)
        elif block.kind == "heading":
            current = _heading(block, level, current, page, context)
        elif current:
            current.add(block, page.warnings)
        elif holds_request_line(block, False):
            raise ConversionError(
                block.line, "request line before any heading: give the endpoint a heading"
            )
        else:  # the page's own text above its first heading describes it
            page.listed += listed_requests(block)
            if block.kind in ("paragraph", "list", "table", "fence"):
                page.intro.append(markdown(block))
    _close(current, page, context)
    _check_listed(page)
    _page_errors(page)
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


def _page_errors(page: Page) -> None:
    """The page-wide error section's codes and examples are every operation's errors (an
    operation's own example of a code wins)."""
    for op in page.operations:
        own = {str(code.code) for code in op.error_codes} | {
            str(vocab.error_code(e.value)) for e in op.error_examples
        }
        op.error_codes += [copy.deepcopy(c) for c in page.error_codes if str(c.code) not in own]
        op.error_examples += [
            copy.deepcopy(e)
            for e in page.error_examples
            if str(vocab.error_code(e.value)) not in own
        ]


def _check_listed(page: Page) -> None:
    """Request lines listed in prose (several in one code block, a curl example outside
    '请求') are no operations; each must name one of the page's operations, or is warned."""
    known = {operation_key(op) for op in page.operations}
    for line, text in page.listed:
        try:
            request = read_request_line(text, line)
        except ConversionError:
            continue
        key = (request.method, re.sub(r"{[^{}]+}", "{}", request.path))
        if key not in known:
            page.warnings.append(
                Loss(
                    f"line {line}: request line '{text}' in prose is none of this page's operations"
                )
            )


def _page_title(blocks: list[Block], page: Page) -> list[Block]:
    """A page without a front matter title is titled by its first heading when that is a
    `#` heading (`# Helm 服务 OpenAPI`); that heading is then no group of the operations."""
    first = next((b for b in blocks if b.kind == "heading"), None)
    if first is None or first.level != 1 or first.bold:
        return blocks
    page.title = first.text
    return [b for b in blocks if b is not first]


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
                Loss(
                    f"line {line}: the body is described by a link to '{words}', which is no "
                    "operation of this page: no body schema"
                )
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
    section = ""  # the section the blocks stand in: a curl command is a request only in '请求'
    for index, block in enumerate(blocks):
        kind = exact_section(block.text) if block.kind == "heading" else None
        if block.kind == "heading" and not block.bold and kind is None:
            # A guessed section name under a title is a section of it, not a title.
            if not (guessed_section(block.text) and last and block.level > last):
                titles[index], last, owner, section = False, block.level, index, ""
                continue
        if block.kind == "heading" and not block.bold and kind and _bare_name(block.text):
            titles[index], owner, section = False, index, ""
            bare.add(index)
            continue
        if block.kind == "heading":
            section = kind[0] if kind else guessed_section(block.text)
        if owner is not None and holds_request_line(block, section == "request"):
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
    block: Block,
    owns: bool,
    summary: str,
    current: Section | None,
    page: Page,
    context: list[Section],
    group: str,
) -> Section:
    """The section a title opens: an operation when it owns a request line; else a part
    of the operation above (when deeper), or a group or prose. A new section inherits
    what the groups above it say (`context`)."""
    if not owns and current and current.owns and block.level > current.level:
        current.heading(block, None, page.warnings)
        return current
    _close(current, page, context)
    context[:] = [section for section in context if section.level < block.level]
    op = Operation(summary=summary, line=block.line, heading=block.text, group=group)
    return Section(op, block.level, owns, inherited=list(context), done=page.operations)


def _parents(blocks: list[Block], titles: dict[int, bool]) -> set[int]:
    """The titles that are groups: an operation stands deeper under them."""
    order = list(titles)
    parents: set[int] = set()
    for position, index in enumerate(order):
        for child in order[position + 1 :]:
            if blocks[child].level <= blocks[index].level:
                break
            if titles[child]:
                parents.add(index)
                break
    return parents


def _heading(
    block: Block, level: int, current: Section | None, page: Page, context: list[Section]
) -> Section | None:
    """The section that reads the blocks after a section heading: the page's general
    text, a subsection of the current operation, or none."""
    kind = exact_section(block.text)
    if kind and kind[0] in PAGE_SECTIONS and not block.bold and block.level <= level:
        _close(current, page, context)
        context[:] = [section for section in context if section.level < block.level]
        section = Section(Operation(summary=block.text, line=block.line), block.level)
        section.heading(block, kind, page.warnings)
        return section
    if current:
        current.heading(block, kind, page.warnings)
        return current
    if kind and not block.bold:
        page.warnings.append(
            Loss(f"line {block.line}: '{block.text}' heading outside any operation; ignored")
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


def _close(section: Section | None, page: Page, context: list[Section]) -> None:
    if section is None:
        return
    page.listed += section.listed
    if section.op.method:
        page.operations.append(section.finish(page.warnings))
    elif section.group and not section.owns:
        # What a group says (notes, parameter and type tables, answers) is said of every
        # operation under it that does not say it itself.
        section.close_group(page.warnings)
        page.types += section.types.values()
        context.append(section)
    elif section.op.error_codes or section.op.error_examples:
        # A page-wide '## 错误响应': the errors of every operation of the page.
        page.error_codes += section.op.error_codes
        page.error_examples += section.op.error_examples
        page.warnings.append(
            f"line {section.op.line}: section '{section.op.summary}' lists the page's errors: "
            "they are every operation's error answers"
        )
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
        # Prose (`## 权限说明` and its table): the page's description keeps it.
        page.intro += [f"**{section.op.summary}**", *section.text]
        page.warnings.append(
            f"line {section.op.line}: section '{section.op.summary}' has "
            "no request line: read as prose, not as an operation; kept in the page's description"
        )
