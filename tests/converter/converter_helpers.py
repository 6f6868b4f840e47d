"""Helpers for the converter tests: build small pages and convert them."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml

from openapi import cli

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "tests" / "data" / "pages"
FRONT = "---\ntitle: 测试\npermalink: /v2.0.0/api/test/\n---\n"
TABLE_HEAD = "|参数名|类型|描述|默认值|是否必须|\n|---|---|---|---|---|\n"


def page(body: str, front: str = FRONT) -> str:
    """A page: front matter then `body` (dedented)."""
    return front + textwrap.dedent(body).lstrip("\n")


def table(*rows: str) -> str:
    """A parameter table; each row is 'name|type|desc|default|required'."""
    return TABLE_HEAD + "".join(f"|{row}|\n" for row in rows)


def convert(markdown: str) -> tuple[dict[str, Any], list[str]]:
    """The OpenAPI document (no overlay) and the warnings for a page."""
    warnings: list[str] = []
    text = cli.convert(markdown, None, warnings.append)
    return yaml.safe_load(text), warnings


def operation(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return document["paths"][path][method]


def params(op: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Parameters keyed by (in, name)."""
    return {(p["in"], p["name"]): p for p in op.get("parameters", [])}


def body_schema(op: dict[str, Any]) -> dict[str, Any]:
    return op["requestBody"]["content"]["application/json"]["schema"]


def accept_token(token: str) -> dict[str, str]:
    """connexion's bearer check for the loading test: any token is a user."""
    return {"sub": token}


def line_of(text: str, marker: str, after: str = "") -> int:
    """1-based number of the first line of `text` holding `marker` (after the first line
    holding `after`, when given)."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if after in line) if after else 0
    return next(n for n, line in enumerate(lines[start:], start + 1) if marker in line)


def answer_schema(op: dict[str, Any]) -> dict[str, Any]:
    """The schema of an operation's JSON answer under 200."""
    return op["responses"]["200"]["content"]["application/json"]["schema"]
