"""JSON as hand-written pages have it: `#` and `//` comments, trailing commas, `...`,
keys without quotes (`{message: "success"}`) or with their closing quote misplaced
(`"type: "repo"`), a comma missing at the end of a line, and several values in one block
(one answer after another)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# A key whose closing quote slipped past its colon (`"type: "repo"`), a string literal, a
# comment, an elided element ("..." where an element would be), a
# comma followed only by blanks/comments and a closer, a key without quotes, or a line
# break between the end of a value and the next key or element with no comma.
_TOKEN = re.compile(
    r'(?P<splitkey>"[A-Za-z_][\w\-]*:[ \t]+"(?=[^"\n,:]+"))'
    r'|(?P<string>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<comment>(?:#|//)[^\n]*)"
    r"|(?P<ellipsis>(?<=[\[{,\s])(?:\.\.\.|…)\s*,?)"
    r"|(?P<trailing>,(?=\s*[}\]]))"
    r"|(?P<bare>(?<=[{,\s])[A-Za-z_][\w\-]*(?=\s*:))"
    r'|(?P<missing>(?<=["\d}\]el])[ \t]*(?=\n\s*["{\[]))'
)


def _drop(text: str, kinds: tuple[str, ...]) -> str:
    def replace(match: re.Match[str]) -> str:
        kind = match.lastgroup
        if kind not in kinds:
            return match.group(0)
        if kind == "bare":
            return f'"{match.group(0)}"'
        if kind == "missing":
            return ","
        if kind == "splitkey":
            return '"' + match.group(0)[1 : match.group(0).index(":")] + '": "'
        return ""

    return _TOKEN.sub(replace, text)


def _repaired(text: str) -> str:
    """Comments go first so that a comma before a comment and a closer is seen as trailing.
    Line breaks are kept, so the decoder's line numbers stay those of the page."""
    return _drop(_drop(text, ("comment", "ellipsis")), ("trailing", "bare", "splitkey"))


def loads(text: str, **options: Any) -> Any:
    """Parse lenient JSON; raises json.JSONDecodeError (with lineno) when it still fails."""
    return json.loads(_repaired(text), **options)


def loads_all(text: str, **options: Any) -> list[Any]:
    """Every value of a block holding one or more (each perhaps under a `#` comment),
    leniently read; a comma missing at a line's end is put back. Raises
    json.JSONDecodeError when it still fails."""
    repaired = _drop(_repaired(text), ("missing",))
    try:
        return [json.loads(repaired, **options)]
    except json.JSONDecodeError as first:
        # A comma put between two whole values made them one bad document: read the
        # values one after another instead.
        values, decoder, index = [], json.JSONDecoder(**options), 0
        source = _repaired(text)
        while True:
            while index < len(source) and source[index].isspace():
                index += 1
            if index >= len(source):
                break
            try:
                value, index = decoder.raw_decode(source, index)
            except json.JSONDecodeError:
                raise first from None
            values.append(value)
        if len(values) < 2:
            raise
        return values


# The pieces of a block that `comments` walks: a string (perhaps a key, when a colon
# follows), a comment, a key without quotes, a bracket, or a value's start at the top level.
_PIECE = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<comment>(?:#|//)[^\n]*)"
    r"|(?P<bare>(?<![\w\"])[A-Za-z_][\w\-]*(?=\s*:))"
    r"|(?P<open>[\[{])|(?P<close>[\]}])"
    r"|(?P<scalar>-?\d|true\b|false\b|null\b)"
)


@dataclass
class Comments:
    """What the comments of a hand-written value say: the lines above it (`# 指定的任务不存在`)
    and, per field, the comment on the line of its key (`"task_id": 20  # 任务序号`). A
    field is a path of keys, `[]` standing for the items of an array."""

    title: str = ""
    fields: dict[tuple[str, ...], str] = field(default_factory=dict)


def comments(text: str) -> list[Comments]:
    """The comments of each value in a block, in order (one entry per top-level value)."""
    found: list[Comments] = []
    above: list[str] = []  # comment lines before the next top-level value
    stack: list[list[str]] = []  # per open bracket: [kind, its current key]
    keys: dict[int, tuple[str, ...]] = {}  # line -> the last key read on it
    for match in _PIECE.finditer(text):
        kind, piece = match.lastgroup, match.group(0)
        line = text.count("\n", 0, match.start())
        if kind == "comment":
            note = piece.lstrip("#/").strip()
            if not stack and note:
                above.append(note)
            elif line in keys and note and found:
                said = found[-1].fields.get(keys[line], "")
                if note not in said.split("；"):  # one field, several values' comments
                    found[-1].fields[keys[line]] = f"{said}；{note}" if said else note
            continue
        if not stack and kind in ("open", "string", "scalar"):
            found.append(Comments(" ".join(above)))
            above = []
        if kind == "open":
            stack.append(["{" if piece == "{" else "[", ""])
        elif kind == "close" and stack:
            stack.pop()
        elif stack and stack[-1][0] == "{" and (kind == "bare" or _is_key(text, match.end())):
            stack[-1][1] = piece.strip('"')
            keys[line] = tuple(frame[1] if frame[0] == "{" else "[]" for frame in stack)
    return found


def _is_key(text: str, end: int) -> bool:
    return bool(re.match(r"\s*:", text[end:]))
