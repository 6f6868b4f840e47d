"""An operation's request line: `METHOD /path/:param?query=:value`.

It is written on a line of its own, in a code block, or as a curl command (whose `-d`
body is then the body example). Each placeholder style of the pages (`:name`, `{name}`,
`<name>`, see vocabulary.py) becomes OpenAPI's `{name}`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from . import vocabulary as vocab
from .blocks import Block
from .model import ConversionError

# curl options whose next word is their value, not the URL.
CURL_TAKES_VALUE = {"-H", "--header", "-u", "--user", "-o", "--output", "-b", "--cookie"}


@dataclass
class RequestLine:
    method: str  # lower case
    path: str  # OpenAPI template, e.g. /a/{id}
    query: list[str]  # the names in the query string
    line: int
    literals: dict[str, str] = field(default_factory=dict)  # query name -> its fixed value
    # (name given, the page's words) of each placeholder written as a description
    described: list[tuple[str, str]] = field(default_factory=list)


def read_request_line(text: str, line: int) -> RequestLine:
    """Read `METHOD /path?query`; raises ConversionError when it is not one."""
    match = vocab.REQUEST_LINE.match(text)
    if not match or match.group("method").upper() not in vocab.METHODS:
        raise ConversionError(
            line, f"request line '{text}' is not 'METHOD /path/:param?query=:value'"
        )
    path, _, query = match.group("target").partition("?")
    names, literals = [], {}
    for part in query.split("&"):
        name, _, value = (piece.strip() for piece in part.partition("="))
        if not name:
            continue
        if not re.fullmatch(r"[\w.\-\[\]]+", name):
            raise ConversionError(line, f"query string part '{name}' is not a name")
        names.append(name)
        if vocab.QUERY_LITERAL.match(value):
            literals[name] = value
    path, described = _described(template(path))
    return RequestLine(match.group("method").lower(), path, names, line, literals, described)


def template(path: str) -> str:
    """The OpenAPI template of a request path: every placeholder style becomes {name}."""
    for pattern in vocab.PLACEHOLDERS:
        path = pattern.sub(lambda m: "{" + m.group(1) + "}", path)
    return path


def _described(path: str) -> tuple[str, list[tuple[str, str]]]:
    """The path with each placeholder written as a description (`<服务名称>`) made
    `{param1}`, `{param2}`...; the parser names them once it has read the tables."""
    described: list[tuple[str, str]] = []

    def name(match: re.Match[str]) -> str:
        described.append((f"param{len(described) + 1}", match.group(1)))
        return "{" + described[-1][0] + "}"

    for pattern in vocab.DESCRIBED_PLACEHOLDERS:
        path = pattern.sub(name, path)
    return path, described


def request_in_block(
    block: Block, warnings: list[str], taken: bool
) -> tuple[RequestLine, str | None]:
    """The request a code block gives, and the body of a curl command (else None).

    `taken`: the operation has its request line already, so a block holding one more is
    an error."""
    rows = [(n, row.strip()) for n, row in enumerate(block.text.splitlines(), 1) if row.strip()]
    found = [(n, row) for n, row in rows if is_request_line(row)]
    if not found and rows and rows[0][1].startswith("curl "):
        return _curl(block, warnings, taken)
    if not found:
        text = rows[0][1] if rows else ""
        raise ConversionError(
            block.line + 1, f"request line '{text}' is not 'METHOD /path/:param?query=:value'"
        )
    if taken:
        raise ConversionError(
            block.line + found[0][0],
            "a second request line in one operation: give each endpoint its own heading",
        )
    if len(found) > 1:
        raise ConversionError(
            block.line + found[1][0],
            "several request lines in one block: give each endpoint its own heading",
        )
    return read_request_line(found[0][1], block.line + found[0][0]), None


def is_request_line(row: str) -> bool:
    match = vocab.REQUEST_LINE.match(row)
    return bool(match and match.group("method").upper() in vocab.METHODS)


def curl_command(text: str) -> tuple[str, str | None] | None:
    """A curl command's request as `METHOD /path?query` and its `-d` body; None when the
    text is no curl command with a URL."""
    try:
        words = shlex.split(text.replace("\\\n", " "))
    except ValueError:
        return None
    if not words or words[0] != "curl":
        return None
    method, url, body = _curl_parts(words)
    target = re.sub(r"^[a-z]+://[^/]*", "", url)
    if not target.startswith("/"):
        return None
    return f"{(method or ('POST' if body is not None else 'GET')).upper()} {target}", body


def _curl(block: Block, warnings: list[str], taken: bool) -> tuple[RequestLine, str | None]:
    """A request written as a curl command: its method, URL and `-d` body."""
    line = block.line + 1
    try:
        words = shlex.split(block.text.replace("\\\n", " "))
    except ValueError as exc:
        raise ConversionError(line, f"curl command not understood: {exc}") from None
    method, url, body = _curl_parts(words)
    target = re.sub(r"^[a-z]+://[^/]*", "", url)
    if not target.startswith("/"):
        raise ConversionError(line, f"curl command without a URL: '{words[-1]}'")
    method = (method or ("POST" if body is not None else "GET")).upper()
    warnings.append(f"line {line}: request read from a curl command: {method} {target}")
    if taken:
        raise ConversionError(
            line, "a second request line in one operation: give each endpoint its own heading"
        )
    request = read_request_line(f"{method} {target}", line)
    request.literals = {}  # a curl command's values are an example's, not fixed ones
    return request, body


def _curl_parts(words: list[str]) -> tuple[str, str, str | None]:
    """(method, URL, body) of a curl command's words, the first being `curl`."""
    method, url, body = "", "", None
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
        elif word in CURL_TAKES_VALUE:
            index += 2
        elif word.startswith("-"):
            index += 1
        else:
            url, index = url or word, index + 1
    return method, url, body
