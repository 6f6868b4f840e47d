"""Turn a parsed Page into an OpenAPI 3.0.3 document (a plain dict, ready for YAML)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .model import ConversionError, Example, Field, Operation, Page

SCALARS = {
    "string": {"type": "string"},
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "integer": {"type": "integer"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "long": {"type": "integer", "format": "int64"},
    "float": {"type": "number", "format": "float"},
    "double": {"type": "number", "format": "double"},
    "number": {"type": "number"},
    "bool": {"type": "boolean"},
    "boolean": {"type": "boolean"},
    "object": {"type": "object"},
    "map": {"type": "object"},
}
ARRAY = re.compile(r"^(?:(?P<item>.+?)\s*(?:array|\[\])|\[\](?P<item2>.+)|array)$", re.I)
# The pages' error examples carry Zadig codes; codes that are HTTP statuses are
# answered with that status, every other (6xxx) code with 400.
DEFAULT_ERROR_STATUS = 400


def emit(page: Page) -> dict[str, Any]:
    """The OpenAPI document for a page, before any overlay."""
    version = re.search(r"v(\d+(?:\.\d+)*)", page.permalink)
    info: dict[str, Any] = {"title": page.title,
                            "version": version.group(1) if version else "0.0.0"}
    if page.permalink:
        info["description"] = f"Converted from the API page `{page.permalink}`."
    paths: dict[str, dict[str, Any]] = {}
    for op in page.operations:
        paths.setdefault(op.path, {})[op.method] = _operation(op, page.title)
    return {"openapi": "3.0.3", "info": info,
            "tags": [{"name": page.title, "description": f"{page.title} API"}],
            "paths": paths}


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the spec reads like the page."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(document: dict[str, Any]) -> str:
    """YAML text of a document; stable, so that a fresh conversion compares equal."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=1000)


def schema_for(f: Field) -> dict[str, Any]:
    """The JSON schema of one table row (and of its nested table, if any)."""
    kind = f.type.strip().lower()
    match = ARRAY.match(kind)
    if kind in SCALARS:
        schema = dict(SCALARS[kind])
        if f.children and schema["type"] != "object":
            raise ConversionError(f.children[0].line, f"nested table for '{f.name}', whose "
                                  f"type {f.type} has no fields")
        if f.children:
            schema.update(_object(f.children))
    elif match:
        item = (match.group("item") or match.group("item2") or "").strip()
        item_field = Field(f.name, item or "object", "", None, True, f.line, f.children)
        schema = {"type": "array",
                  "items": schema_for(item_field) if item or f.children else {}}
    else:
        raise ConversionError(f.line, f"unknown type '{f.type}' for '{f.name}'; known: "
                              + ", ".join(sorted(SCALARS)) + " and '<type> Array'")
    if f.description:
        schema["description"] = f.description
    if f.default is not None:
        schema["default"] = f.default
    return schema


def _object(fields: list[Field]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    schema["properties"] = {f.name: schema_for(f) for f in fields}
    return schema


def _operation(op: Operation, tag: str) -> dict[str, Any]:
    out: dict[str, Any] = {"tags": [tag], "summary": op.summary,
                           "operationId": _operation_id(op)}
    if op.notes:
        out["description"] = "\n".join(f"- {note}" for note in op.notes)
    params = [_parameter(f, "path") for f in op.path_params]
    params += [_parameter(f, "query") for f in op.query_params]
    if params:
        out["parameters"] = params
    if op.body_fields or op.body_example:
        out["requestBody"] = _body(op)
    out["responses"] = _responses(op)
    return out


def _operation_id(op: Operation) -> str:
    words = [op.method]
    for segment in op.path.strip("/").split("/"):
        param = re.fullmatch(r"{(\w+)}", segment)
        words.append(f"by_{param.group(1)}" if param else re.sub(r"\W", "_", segment))
    return "_".join(w for w in words if w)


def _parameter(f: Field, location: str) -> dict[str, Any]:
    schema = schema_for(f)
    description = schema.pop("description", "")
    param: dict[str, Any] = {"name": f.name, "in": location}
    if description:
        param["description"] = description
    param["required"] = f.required
    param["schema"] = schema
    return param


def _body(op: Operation) -> dict[str, Any]:
    media: dict[str, Any] = {}
    if op.body_fields:
        media["schema"] = _object(op.body_fields)
    elif op.body_example:
        media["schema"] = infer_schema(op.body_example.value)
    if op.body_example:
        media["examples"] = _examples(op.body_example)
    required = any(f.required for f in op.body_fields) or not op.body_fields
    return {"required": required, "content": {"application/json": media}}


def _responses(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "正常返回"}}
    if op.success_example:
        responses["200"]["content"] = {"application/json": {
            "schema": infer_schema(op.success_example.value),
            "examples": _examples(op.success_example)}}
    if op.error_example:
        code = op.error_example.value["code"]
        status = code if isinstance(code, int) and 400 <= code <= 599 else DEFAULT_ERROR_STATUS
        responses[str(status)] = {"description": "异常返回", "content": {"application/json": {
            "schema": infer_schema(op.error_example.value),
            "examples": _examples(op.error_example)}}}
    return responses


def _examples(example: Example) -> dict[str, Any]:
    value = example.value
    summary = "Example from the page"
    if isinstance(value, dict) and "code" in value:
        summary += f" (code {value['code']})"
    return {"documented": {"summary": summary, "value": value}}


def infer_schema(value: Any) -> dict[str, Any]:
    """A loose schema from an example value: types only, nothing required."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list):
        return {"type": "array", "items": infer_schema(value[0]) if value else {}}
    if isinstance(value, dict):
        return {"type": "object",
                "properties": {key: infer_schema(item) for key, item in value.items()}}
    return {}
