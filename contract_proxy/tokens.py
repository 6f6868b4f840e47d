"""Credentials in a request (the bearer header, `?token=`), kept out of everything written.

A request is described for the log, the report and the JUnit file only through these
functions: the token's place shows `$ZADIG_TOKEN`, and any text taken from an answer has
the token replaced too (a server may echo it in an error's description).
"""

from __future__ import annotations

import shlex
from urllib.parse import parse_qsl, urlencode

PLACEHOLDER = "$ZADIG_TOKEN"
TOKEN_PARAM = "token"
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie"}
# A text is scrubbed of a token only when the token is this long: replacing a one-letter
# token everywhere would garble the text (the token's own places are replaced regardless).
SCRUB_MIN = 4
BODY_SHOWN = 64 * 1024


def secrets_of(headers: dict[str, str], query: str) -> list[str]:
    """Every credential the request carries: the whole header values and the token parts."""
    found = []
    for name in SECRET_HEADERS:
        value = headers.get(name, "")
        if value:
            found.append(value)
            scheme, _, rest = value.partition(" ")
            if rest.strip():
                found.append(rest.strip())
    found += [
        value for name, value in parse_qsl(query, keep_blank_values=True) if name == TOKEN_PARAM
    ]
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if len(secret) >= SCRUB_MIN:
            text = text.replace(secret, PLACEHOLDER)
    return text


def safe_query(query: str) -> str:
    """The query string with `token=` shown as $ZADIG_TOKEN (other parameters unchanged)."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name == TOKEN_PARAM for name, _ in pairs):
        return query
    shown = [(name, "TOKEN_PLACE" if name == TOKEN_PARAM else value) for name, value in pairs]
    return urlencode(shown).replace("TOKEN_PLACE", PLACEHOLDER)


def safe_target(path: str, query: str) -> str:
    shown = safe_query(query)
    return path + ("?" + shown if shown else "")


def curl(
    method: str, url_base: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> str:
    """The request as a shell command; credentials read from $ZADIG_TOKEN when it runs."""
    parts = [shlex.quote(part) for part in ("curl", "-sS", "-i", "-X", method)]
    for name, value in headers.items():
        if name in SECRET_HEADERS:
            scheme, space, _ = value.partition(" ")
            parts += [
                "-H",
                _quoted(f"{name}: {scheme} {PLACEHOLDER}" if space else f"{name}: {PLACEHOLDER}"),
            ]
        else:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    note = ""
    if len(body) > BODY_SHOWN:
        parts += ["--data-binary", "@body.json"]
        note = f"  # the body ({len(body)} bytes) is not shown"
    elif body:
        parts += ["--data-binary", shlex.quote(body.decode("utf-8", "replace"))]
    parts.append(_quoted(url_base + safe_target(path, query)))
    return " ".join(parts) + note


def _quoted(text: str) -> str:
    """Single quotes, or double quotes where $ZADIG_TOKEN must expand."""
    if PLACEHOLDER not in text:
        return shlex.quote(text)
    escaped = "".join("\\" + c if c in '\\"`$' else c for c in text)
    return '"' + escaped.replace("\\" + PLACEHOLDER, PLACEHOLDER) + '"'
