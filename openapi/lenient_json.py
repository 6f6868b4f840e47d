"""JSON as hand-written pages have it: `#` and `//` comments, trailing commas, `...`."""

from __future__ import annotations

import json
import re
from typing import Any

# A string literal, a comment, an elided element ("..." where an element would be), or a
# comma followed only by blanks/comments and a closer.
_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*")'
    r"|(?P<comment>(?:#|//)[^\n]*)"
    r"|(?P<ellipsis>(?<=[\[{,\s])(?:\.\.\.|…)\s*,?)"
    r"|(?P<trailing>,(?=\s*[}\]]))"
)


def _drop(text: str, kinds: tuple[str, ...]) -> str:
    def replace(match: re.Match[str]) -> str:
        return "" if match.lastgroup in kinds else match.group(0)

    return _TOKEN.sub(replace, text)


def loads(text: str) -> Any:
    """Parse lenient JSON; raises json.JSONDecodeError (with lineno) when it still fails.

    Comments go first so that a comma before a comment and a closer is seen as trailing.
    Line breaks are kept, so the decoder's line numbers stay those of the page.
    """
    return json.loads(_drop(_drop(text, ("comment", "ellipsis")), ("trailing",)))
