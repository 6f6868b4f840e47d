"""A parameter or field table read into `Field`s.

Which column is which (the titles vary, see vocabulary.py), whether a row is required
(是否必须, with conditions taken as optional), its default (a value of its type, or prose
moved to the description), its type, rows named `parent.child` nested under `parent`,
and fields typed by a named type given that type's table.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

from . import lenient_json
from . import vocabulary as vocab
from .blocks import Block
from .model import ConversionError, Field, Loss, Operation, TypeTable

# Named types refer to one another; deeper than this is taken as a cycle and left open.
MAX_TYPE_DEPTH = 8


def column(header: list[str], titles: tuple[str, ...]) -> int | None:
    """The index of the first of `titles` in a header of `normal()` cells, if any."""
    keys = [vocab.normal(title) for title in titles]
    return next((header.index(key) for key in keys if key in header), None)


def read_fields(block: Block, warnings: list[str], answer: bool = False) -> list[Field]:
    """The rows of a parameter table (`answer`: a table of the answer's fields, which says
    nothing of being required)."""
    rows, lines = block.rows or [], block.row_lines or []
    index = _columns(block, warnings, answer)
    if _swapped(rows[1:], index):
        index["type"], index["description"] = index["description"], index["type"]
        warnings.append(
            f"line {block.line}: the 类型 column holds descriptions and the "
            f"{rows[0][index['type'] or 0]} column types: the two are read swapped"
        )
    fields = []
    for row, line in zip(rows[1:], lines[1:], strict=True):
        cell = {key: (row[i] if i is not None and i < len(row) else "") for key, i in index.items()}
        fields.append(_field(cell, line, warnings, index["required"] is not None))
    return _nest_dotted(fields)


def _is_type(text: str) -> bool:
    reading = vocab.read_type(text)
    return reading is not None and not reading.word


def _swapped(rows: list[list[str]], index: dict[str, int | None]) -> bool:
    """A table whose 类型 cells are mostly not types while most 描述 cells are: the
    author swapped the two columns' titles."""
    kind, text = index["type"], index["description"]
    if kind is None or text is None or not rows:
        return False
    cells = [
        (row[kind] if kind < len(row) else "", row[text] if text < len(row) else "") for row in rows
    ]
    kinds = sum(_is_type(k) for k, _ in cells)
    texts = sum(_is_type(d) for _, d in cells)
    return 2 * texts > len(cells) and 2 * kinds < len(cells)


def answer_type(block: Block, warnings: list[str]) -> Field | None:
    """A table of the answer with a 类型 column but no 参数名, whose single row types the
    whole answer (`| [][Cluster](#cluster) | 集群列表 |`): that row as the answer's type."""
    rows = block.rows or []
    header = [vocab.normal(cell) for cell in rows[0]]
    kind = column(header, vocab.COLUMNS["type"])
    if kind is None or column(header, vocab.COLUMNS["name"]) is not None or len(rows) != 2:
        return None
    text = column(header, vocab.COLUMNS["description"])
    row, line = rows[1], (block.row_lines or [block.line] * 2)[1]
    reading = vocab.read_type(row[kind]) if kind < len(row) else None
    if reading is None:
        return None
    warnings.append(
        f"line {line}: table without a '参数名' column, one row: read as the type of the "
        "whole answer"
    )
    description = row[text] if text is not None and text < len(row) else ""
    return Field("", row[kind].strip("` "), description, None, False, line, reading=reading)


def _columns(block: Block, warnings: list[str], answer: bool) -> dict[str, int | None]:
    """Where each column of the vocabulary is in the table (None: absent)."""
    header = [vocab.normal(cell) for cell in (block.rows or [])[0]]
    index: dict[str, int | None] = {}
    for key, titles in vocab.COLUMNS.items():
        index[key] = column(header, titles)
        if index[key] is None and key in vocab.MANDATORY_COLUMNS:
            read = "|".join((block.rows or [[]])[0])
            needed = " and ".join(f"'{vocab.COLUMNS[k][0]}'" for k in vocab.MANDATORY_COLUMNS)
            raise ConversionError(
                block.line,
                f"table lacks the column '{titles[0]}' (a table needs {needed}); "
                f"columns read: {read}",
            )
    if index["required"] is None and not answer:
        warnings.append(
            f"line {block.line}: table has no '是否必须' column: parameters "
            "taken as optional (path parameters as required)"
        )
    return index


def _field(cell: dict[str, str], line: int, warnings: list[str], has_required: bool) -> Field:
    """One row, its cells by column key."""
    name = _name(cell["name"], line, warnings)
    reading = vocab.read_type(cell["type"])
    note = vocab.TYPE_NOTE.match(cell["type"].strip()) if reading is None else None
    if note and vocab.read_type(note.group("type")):
        # "空结构体，该值为 null 代表…": the type it opens with, the rest is description.
        warnings.append(
            f"line {line}: type '{cell['type']}' read as '{note.group('type')}', "
            "the rest as its description"
        )
        reading = vocab.read_type(note.group("type"))
        text = note.group("note")
        described = f"{cell['description']}（{text}）" if cell["description"] else text
        cell = {**cell, "type": note.group("type"), "description": described}
    if reading is None:
        raise ConversionError(
            line, f"unknown type '{cell['type']}' for '{name}'; known: {vocab.known_types()}"
        )
    required, condition = (
        _required(cell["required"], line, warnings) if has_required else (False, "")
    )
    default, prose = _default(cell["default"], reading, line, warnings)
    description = cell["description"]
    if condition:
        description = f"{description}（{condition}）" if description else condition
    if prose:
        description = f"{description}（默认值：{prose}）" if description else f"默认值：{prose}"
    return Field(
        name,
        cell["type"].strip("` "),
        description,
        default,
        required,
        line,
        reading=reading,
    )


def _name(text: str, line: int, warnings: list[str]) -> str:
    name = text.strip("`* ")
    if not name:
        raise ConversionError(line, "a table row has no parameter name")
    plain = re.match(r"`?([A-Za-z_$][\w.\-\[\]$]*)`?", name)
    if plain and plain.group(1) != name:
        # "`projectName` (query)", "id（必填）": the name is the identifier it opens with.
        warnings.append(f"line {line}: parameter name '{name}' read as '{plain.group(1)}'")
        name = plain.group(1)
    return name


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


def find_field(fields: list[Field], name: str) -> Field | None:
    """The first field named `name`, at any depth."""
    for f in fields:
        if f.name == name:
            return f
        found = find_field(f.children, name)
        if found:
            return found
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
    noted = vocab.REQUIRED_NOTE.match(text.strip())
    if noted and vocab.normal(noted.group("word")) in vocab.REQUIRED:
        required = vocab.REQUIRED[vocab.normal(noted.group("word"))]
        warnings.append(
            f"line {line}: '{text}' in 是否必须 read as '{noted.group('word')}', "
            "the rest goes to the description"
        )
        return required, noted.group("note").strip()
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


def resolve_types(
    operations: list[Operation], warnings: list[str], shared: Sequence[TypeTable] = ()
) -> None:
    """Give each field typed `[]Name`, `Name` or `[Name](#anchor)` the rows of that type's
    table. A type is looked up among its operation's own type tables by name, then across
    the page by the link's anchor, then across the page by name: type tables are shared by
    the whole page (a later operation often links to a table described above it; `shared`:
    the tables of a section that holds only type tables, such as '## 数据结构')."""
    page = [table for op in operations for table in op.types.values()] + list(shared)
    for op in operations:
        fields = (
            op.body_fields
            + op.path_params
            + op.query_params
            + op.header_params
            + op.response_fields
            + ([op.response_type] if op.response_type else [])
        )
        _resolve(fields, op.types, page, warnings, 0)
    for table in page:
        if not table.used and table.bare:
            raise ConversionError(
                table.line,
                f"no field has the type '{table.name}', and '{table.name}' is no section "
                "the converter knows: the table under it is not understood",
            )
        if not table.used:
            warnings.append(
                Loss(
                    f"line {table.line}: type '{table.name}' is described but no field uses "
                    "it; ignored"
                )
            )


def _resolve(
    fields: list[Field],
    own: dict[str, TypeTable],
    page: list[TypeTable],
    warnings: list[str],
    depth: int,
) -> None:
    for f in fields:
        reading = f.reading
        if reading.named and not f.children:
            table = _type_table(reading, f.line, own, page)
            if table is not None and depth < MAX_TYPE_DEPTH:
                f.children = copy.deepcopy(table.fields)
                f.variants = copy.deepcopy(table.examples)
                table.used = True
            elif table is None and reading.word:
                raise ConversionError(
                    f.line,
                    f"unknown type '{f.type}' for '{f.name}'; known: {vocab.known_types()}",
                )
            elif table is None:
                warnings.append(
                    f"line {f.line}: type '{f.type}' of '{f.name}' is not "
                    "described on the page; taken as an object"
                )
        _resolve(f.children, own, page, warnings, depth + 1)


def _type_table(
    reading: vocab.TypeReading, line: int, own: dict[str, TypeTable], page: list[TypeTable]
) -> TypeTable | None:
    """The table of a named type: by name in its operation (any case), by anchor, by name
    on the page (the nearest one above the field when several share the name)."""
    if reading.named in own:
        return own[reading.named]
    named = [t for t in own.values() if t.name.lower() == reading.named.lower()]
    if named:  # `[][Workflow](#…)` over its own `workflow` table
        return named[0]
    if reading.anchor:
        for key in (str.__str__, str.lower):
            found = [t for t in page if t.anchor and key(t.anchor) == key(reading.anchor)]
            if found:
                return found[0]
    for key in (str.__str__, str.lower):
        found = [t for t in page if key(t.name) == key(reading.named)]
        if found:
            above = [t for t in found if t.line < line]
            return above[-1] if above else found[0]
    return None
