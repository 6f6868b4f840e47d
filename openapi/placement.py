"""Where each documented parameter goes: path, query or body.

The request line decides, not the table a row stands in: the pages list path parameters
under a query heading and the reverse, or all of them in one 请求参数 table. A name the
request line spells differently (case, a near miss) is renamed to its spelling; a name it
has that no table describes is added as a string.
"""

from __future__ import annotations

import difflib
import re

from .model import ConversionError, Field, Operation
from .request_line import RequestLine
from .vocabulary import TypeReading


def place_parameters(
    op: Operation, documented: list[tuple[Field, str]], request: RequestLine, warnings: list[str]
) -> None:
    """Put the rows of the parameter tables into `op`'s path, query and body parameters.

    `documented`: each row with the table it stands in (`path`, `query`, or `any` for a
    table of parameters the request line places)."""
    in_path = re.findall(r"{([^{}]+)}", op.path)
    placed = _place_documented(op, documented, in_path, request.query, warnings)
    for name in in_path:
        if name not in placed:
            warnings.append(
                f"line {request.line}: path parameter '{name}' is not "
                "described; taken as a required string"
            )
            op.path_params.append(Field(name, "string", "", None, True, request.line))
    for name in request.query:
        if name not in placed:
            op.query_params.append(Field(name, "string", "", None, False, request.line))
    _fix_literals(op.query_params, request, warnings)
    _force_required(op.path_params, warnings)
    op.path_params.sort(key=lambda f: in_path.index(f.name))


def _place_documented(
    op: Operation,
    documented: list[tuple[Field, str]],
    in_path: list[str],
    in_query: list[str],
    warnings: list[str],
) -> dict[str, str]:
    """Put each table row where the request line says; returns name -> path|query|body."""
    placed: dict[str, str] = {}
    for f, table in documented:
        where = _place(f, in_path, in_query, placed, warnings, table, op.method)
        placed[f.name] = where
        if where == "body":
            op.body_fields.append(f)
        else:
            (op.path_params if where == "path" else op.query_params).append(f)
    return placed


def _fix_literals(query: list[Field], request: RequestLine, warnings: list[str]) -> None:
    """A query parameter the request line gives a value (`?source=template`) must be sent
    with that value: required, its one allowed value."""
    for f in query:
        value = request.literals.get(f.name)
        if value is None or f.reading.depth:
            continue
        f.required = True
        f.reading = TypeReading({**f.reading.schema, "enum": [_typed(value, f)]}, 0, "")
        warnings.append(
            f"line {request.line}: query parameter '{f.name}' has the value '{value}' in the "
            f"request line: required, enum [{value}]"
        )


def _typed(value: str, f: Field) -> object:
    kind = f.reading.schema.get("type")
    if kind == "integer" and value.lstrip("-").isdigit():
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _force_required(path_params: list[Field], warnings: list[str]) -> None:
    for f in path_params:
        if not f.required:
            warnings.append(
                f"line {f.line}: path parameter '{f.name}' marked optional; "
                "a path parameter is always required"
            )
            f.required = True


def _place(
    f: Field,
    in_path: list[str],
    in_query: list[str],
    placed: dict[str, str],
    warnings: list[str],
    table: str,
    method: str,
) -> str:
    """Where the request line puts a documented parameter; renames near-misses."""
    if f.name in placed:
        raise ConversionError(f.line, f"parameter '{f.name}' is described twice")
    if f.name in in_path:
        return "path"
    if f.name in in_query:
        if table == "path":
            warnings.append(
                f"line {f.line}: '{f.name}' is listed as a path parameter but "
                "the request line puts it in the query string: placed in query"
            )
        return "query"
    renamed = _renamed(f, in_path, in_query, placed, warnings)
    if renamed:
        return renamed
    return _unplaced(f, warnings, table, method)


def _renamed(
    f: Field, in_path: list[str], in_query: list[str], placed: dict[str, str], warnings: list[str]
) -> str:
    """A name the request line spells otherwise (case; a near miss of a path placeholder):
    renamed to the request line's spelling; returns path|query, or "" when it is none."""
    by_case = {n.lower(): n for n in in_path + in_query if n not in placed}
    if f.name.lower() in by_case:
        named = by_case[f.name.lower()]
        warnings.append(
            f"line {f.line}: table names '{f.name}', the request line '{named}': taken as '{named}'"
        )
        f.name = named
        return "path" if named in in_path else "query"
    free = [name for name in in_path if name not in placed]
    close = difflib.get_close_matches(f.name, free, n=1, cutoff=0.75)
    if close:
        warnings.append(
            f"line {f.line}: table names '{f.name}', the request line "
            f"'{close[0]}': taken as '{close[0]}'"
        )
        f.name = close[0]
        return "path"
    return ""


def _unplaced(f: Field, warnings: list[str], table: str, method: str) -> str:
    """A parameter the request line does not name: its table decides."""
    if table == "query":
        return "query"
    if table == "any":
        if method in ("post", "put", "patch"):
            return "body"
        warnings.append(
            f"line {f.line}: '{f.name}' is not in the request line; taken as a query parameter"
        )
        return "query"
    warnings.append(
        f"line {f.line}: '{f.name}' is listed as a path parameter but the request line has no "
        "such placeholder: placed in query"
    )
    return "query"
