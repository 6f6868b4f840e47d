"""Turn a parsed Page into an OpenAPI 3.0.3 document (a plain dict, ready for YAML)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from . import vocabulary as vocab
from .model import ConversionError, ErrorCode, Example, Field, Operation, Page


def emit(page: Page) -> dict[str, Any]:
    """The OpenAPI document for a page, before any overlay."""
    return emit_pages([page])


def emit_pages(pages: list[Page]) -> dict[str, Any]:
    """One OpenAPI document with the operations of every page, tagged with its title.

    The caller has checked that no operation is defined twice."""
    versions = [_version(page) for page in pages]
    first = pages[0]
    if len(pages) == 1:
        info: dict[str, Any] = {"title": first.title, "version": versions[0]}
        if first.permalink:
            info["description"] = f"Converted from the API page `{first.permalink}`."
    else:
        info = {"title": "Zadig API", "version": max(versions, key=_version_key)}
        links = [f"`{page.permalink}`" for page in pages if page.permalink]
        if links:
            info["description"] = "Converted from the API pages " + ", ".join(links) + "."
    paths: dict[str, dict[str, Any]] = {}
    tags: list[dict[str, str]] = []
    for page in pages:
        if page.title not in [tag["name"] for tag in tags]:
            tags.append({"name": page.title, "description": f"{page.title} API"})
        for op in page.operations:
            try:
                paths.setdefault(op.path, {})[op.method] = _operation(op, page.title)
            except ConversionError as exc:
                raise ConversionError(exc.line, exc.message, page.source) from None
    return {"openapi": "3.0.3", "info": info, "tags": tags, "paths": paths}


def _version(page: Page) -> str:
    version = re.search(r"v(\d+(?:\.\d+)*)", page.permalink)
    return version.group(1) if version else "0.0.0"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the spec reads like the page."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(document: dict[str, Any]) -> str:
    """YAML text of a document; stable, so that a fresh conversion compares equal."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


def schema_for(f: Field) -> dict[str, Any]:
    """The JSON schema of one table row (and of its nested table, if any)."""
    schema = dict(f.reading.schema)
    if f.children:
        if schema.get("type") not in ("object", None):
            raise ConversionError(
                f.children[0].line,
                f"nested table for '{f.name}', whose type {f.type} has no fields",
            )
        schema.update(_object(f.children))
    for _ in range(f.reading.depth):
        schema = {"type": "array", "items": schema}
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
    out: dict[str, Any] = {"tags": [tag], "summary": op.summary, "operationId": _operation_id(op)}
    if op.notes:
        out["description"] = "\n".join(f"- {note}" for note in op.notes)
    params = [_parameter(f, "path") for f in op.path_params]
    params += [_parameter(f, "query") for f in op.query_params]
    params += [_parameter(f, "header") for f in op.header_params]
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
        media["examples"] = _examples([op.body_example])
    required = any(f.required for f in op.body_fields) or not op.body_fields
    return {"required": required, "content": {"application/json": media}}


def _responses(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {vocab.SUCCESS_STATUS: {"description": "正常返回"}}
    if op.success_examples:
        responses[vocab.SUCCESS_STATUS]["content"] = {
            "application/json": {
                "schema": infer_schema(op.success_examples[0].value),
                "examples": _examples(op.success_examples),
            }
        }
    by_status: dict[int, list[Example]] = {}
    for example in op.error_examples:
        by_status.setdefault(error_status(example.value["code"]), []).append(example)
    coded: dict[int, list[ErrorCode]] = {}
    for code in op.error_codes:
        coded.setdefault(error_status(code.code), []).append(code)
    for status in sorted(set(by_status) | set(coded)):
        examples = by_status.get(status, [])
        codes = coded.get(status, [])
        description = "异常返回"
        if codes:
            description += "；错误码：" + "；".join(f"{c.code} {c.message}".strip() for c in codes)
        values = [e.value for e in examples] + [
            {"code": c.code, "message": c.message} for c in codes
        ]
        documented = examples + [
            Example({"code": c.code, "message": c.message}, c.line) for c in codes
        ]
        responses[str(status)] = {
            "description": description,
            "content": {
                "application/json": {
                    "schema": _merged_schema(values),
                    "examples": _examples(documented),
                }
            },
        }
    return responses


def error_status(code: Any) -> int:
    """The HTTP status answering an error example with this Zadig code."""
    code = int(code)
    return code if code in vocab.HTTP_ERROR_CODES else vocab.DEFAULT_ERROR_STATUS


def _merged_schema(values: list[Any]) -> dict[str, Any]:
    """A loose schema every example fits: the properties of all of them."""
    schema = infer_schema(values[0])
    for value in values[1:]:
        other = infer_schema(value)
        if schema.get("type") == other.get("type") == "object":
            for key, prop in other["properties"].items():
                schema["properties"].setdefault(key, prop)
        elif schema != other:
            return {}
    return schema


def _examples(examples: list[Example]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, example in enumerate(examples, 1):
        value = example.value
        summary = "Example from the page"
        if isinstance(value, dict) and "code" in value:
            summary += f" (code {value['code']})"
        out["documented" if number == 1 else f"documented_{number}"] = {
            "summary": summary,
            "value": value,
        }
    return out


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
        return {
            "type": "object",
            "properties": {key: infer_schema(item) for key, item in value.items()},
        }
    return {}
