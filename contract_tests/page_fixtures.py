"""The requests the gate sends to operations without hand-written rules, from what their page
shows: each parameter's value from `--set NAME=VALUE`, else the spec's own example, default or
single choice, else a value of that name in the page's examples (a field of an answer or body
example), else, where the parameter is required, a name or id that cannot exist."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from api_contract.operations import Operation
from api_contract.spec import Contract
from contract_tests.error_probes import Request
from contract_tests.settings import Settings


def page_values(contract: Contract) -> dict[str, Any]:
    """Every scalar field shown in the pages' examples, by name (the first seen wins)."""
    found: dict[str, Any] = {}
    for operation in contract.operations.values():
        examples = [*operation.request_examples.values()]
        examples += [
            value
            for status, answer in sorted(operation.answers.items())
            if status < 400
            for value in answer.examples.values()
        ]
        for example in examples:
            for name, value in _fields(example):
                found.setdefault(name, value)
    return found


def _fields(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for name, value in node.items():
            if isinstance(value, str | int | float | bool) and value != "":
                yield str(name), value
            else:
                yield from _fields(value)
    elif isinstance(node, list):
        for item in node:
            yield from _fields(item)


def parameter_value(
    parameter: Mapping[str, Any], shown: Mapping[str, Any], sets: Mapping[str, str]
) -> Any:
    """The value for `parameter`, or None when nothing gives one."""
    name = parameter.get("name", "")
    schema = parameter.get("schema") or {}
    if name in sets:
        return _typed(sets[name], schema)
    for source in (parameter, schema):
        if "example" in source:
            return source["example"]
    if "default" in schema:
        return schema["default"]
    if len(schema.get("enum", [])) >= 1:
        return schema["enum"][0]
    value = shown.get(name)
    if value is not None and _fits(value, schema):
        return value
    return None


def _typed(text: str, schema: Mapping[str, Any]) -> Any:
    if schema.get("type") == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    return text


def _fits(value: Any, schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str | int) and not isinstance(value, bool)
    return True


def query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def page_request(
    operation: Operation,
    settings: Settings,
    shown: Mapping[str, Any],
    sets: Mapping[str, str],
    absent: bool = False,
) -> Request:
    """A request of `operation` with the page's values (`absent`: every path parameter a name or
    id that cannot exist, and an empty body, so that even a server that skips a check cannot
    change anything real)."""
    path = operation.path
    query: dict[str, str] = {}
    for parameter in operation.parameters:
        where, name = parameter.get("in"), parameter.get("name", "")
        value = None if absent and where == "path" else parameter_value(parameter, shown, sets)
        if value is None and (where == "path" or parameter.get("required")):
            value = _absent(parameter, settings)
        if value is None:
            continue
        if where == "path":
            path = path.replace("{" + name + "}", quote(query_text(value), safe=""))
        elif where == "query":
            query[name] = query_text(value)
    if not operation.has_body:
        return Request(operation.method, path, query)
    body = {} if absent else operation.request_example
    return Request(operation.method, path, query, body={} if body is None else body)


def _absent(parameter: Mapping[str, Any], settings: Settings) -> Any:
    if (parameter.get("schema") or {}).get("type") == "integer":
        return settings.absent_id()
    return settings.absent_name(parameter.get("name", "value"))
