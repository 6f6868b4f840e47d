"""JSON as hand-written pages have it: `#` and `//` comments, trailing commas, `...`,
keys without quotes (`{message: "success"}`), a comma missing at the end of a line, and
several values in one block (one answer after another)."""

from __future__ import annotations

import json
import re
from typing import Any

# A string literal, a comment, an elided element ("..." where an element would be), a
# comma followed only by blanks/comments and a closer, a key without quotes, or a line
# break between the end of a value and the next key or element with no comma.
_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*")'
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
        return ""

    return _TOKEN.sub(replace, text)


def _repaired(text: str) -> str:
    """Comments go first so that a comma before a comment and a closer is seen as trailing.
    Line breaks are kept, so the decoder's line numbers stay those of the page."""
    return _drop(_drop(text, ("comment", "ellipsis")), ("trailing", "bare"))


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
