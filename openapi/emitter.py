"""Turn a parsed Page into an OpenAPI 3.0.3 document (a plain dict, ready for YAML)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import yaml

from . import vocabulary as vocab
from .model import ConversionError, ErrorCode, Example, Field, Loss, Operation, Page


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
    ids = _unique_ids([op for page in pages for op in page.operations])
    for page in pages:
        if page.title not in [tag["name"] for tag in tags]:
            # The page's own text above its operations (and its prose sections) describes it.
            about = "\n\n".join(page.intro) if page.intro else f"{page.title} API"
            tags.append({"name": page.title, "description": about})
        for op in page.operations:
            try:
                out = _operation(op, page.title, page.warnings)
            except ConversionError as exc:
                raise ConversionError(exc.line, exc.message, page.source) from None
            wanted, out["operationId"] = out["operationId"], ids[(op.method, op.path)]
            if out["operationId"] != wanted:
                page.warnings.append(
                    f"line {op.line}: operationId {wanted} is also another operation's (the "
                    f"path that sorts first keeps it); renamed {out['operationId']}"
                )
            paths.setdefault(op.path, {})[op.method] = out
    document = {"openapi": "3.0.3", "info": info, "tags": tags, "paths": paths}
    catalogue = _catalogue(pages)
    if catalogue:
        document["components"] = {vocab.CATALOGUE: catalogue}
    return document


def _catalogue(pages: list[Page]) -> dict[str, Any]:
    """The codes of the pages' page-wide error sections, as the error catalogue keeps them:
    the HTTP status each is answered with and its message."""
    entries: dict[str, Any] = {}
    for page in pages:
        for code in page.error_codes:
            entries.setdefault(
                str(code.code),
                {"status": code.status or error_status(code.code), "message": code.message},
            )
        for example in page.error_examples:
            code = vocab.error_code(example.value)
            if str(code).isdigit():
                entries.setdefault(
                    str(code),
                    {
                        "status": error_status(code),
                        "message": str(example.value.get("message", "")),
                    },
                )
    return entries


def _unique_ids(operations: list[Operation]) -> dict[tuple[str, str], str]:
    """(method, path) -> operationId: where several operations would get one, the one whose
    path (then method) sorts first keeps it and the others get `_2`, `_3`, ... in that order,
    whatever the order of the pages."""
    ids: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for path, method in sorted((op.path, op.method) for op in operations):
        wanted = candidate = operation_id_for(method, path)
        number = 1
        while candidate in taken:
            number += 1
            candidate = f"{wanted}_{number}"
        taken.add(candidate)
        ids[(method, path)] = candidate
    return ids


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
        shown = [v.value for v in f.variants if not _mismatch(v.value, schema)]
        if shown:  # JSON shown under the type's table too: an example of it
            schema["example"] = shown[0]
    elif f.variants:
        schema = variant_schema(f.variants)
    if f.options:
        schema["anyOf"] = [
            {"title": table.name, **({"description": table.note} if table.note else {})}
            | _object(table.fields)
            for table in f.options
        ]
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


def _operation(op: Operation, tag: str, warnings: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"tags": [tag], "summary": op.summary, "operationId": _operation_id(op)}
    if op.notes:
        out["description"] = "\n".join(f"- {note}" for note in op.notes)
    params = [_parameter(f, "path") for f in op.path_params]
    params += [_parameter(f, "query") for f in op.query_params]
    params += [_parameter(f, "header") for f in op.header_params]
    if params:
        out["parameters"] = params
    if op.body_fields or op.body_examples:
        out["requestBody"] = _body(op, warnings)
    out["responses"] = _responses(op)
    _check_type_examples(op.body_fields + op.response_fields, warnings)
    for media in [out.get("requestBody", {})] + list(out["responses"].values()):
        for content in media.get("content", {}).values():
            untyped_nulls(content.get("schema", {}))
    return out


def _check_type_examples(fields: list[Field], warnings: list[str]) -> None:
    """JSON shown under a type's table must fit the table (the first that does is the
    type's example); one that does not is named."""
    for f in fields:
        if f.children and f.variants:
            schema = _object(f.children)
            for variant in f.variants:
                problem = _mismatch(variant.value, schema)
                said = Loss(
                    f"line {variant.line + 1}: example of type '{f.type}' does not fit its "
                    f"table ({problem}): left out"
                )
                if problem and said not in warnings:
                    warnings.append(said)
        _check_type_examples(f.children, warnings)


def untyped_nulls(schema: Any) -> None:
    """A field only ever shown as null has no type to make nullable: OpenAPI 3.0 wants
    `nullable` beside a `type`, so such a field is left open (any value, null too)."""
    if not isinstance(schema, dict):
        return
    if schema.get("nullable") and "type" not in schema:
        del schema["nullable"]
    for key in ("items", "additionalProperties"):
        untyped_nulls(schema.get(key))
    for child in list(schema.get("properties", {}).values()) + schema.get("anyOf", []):
        untyped_nulls(child)


def _operation_id(op: Operation) -> str:
    return operation_id_for(op.method, op.path)


def operation_id_for(method: str, path: str) -> str:
    """The operationId of an operation, from its method and path (`get_openapi_quotas_by_id`)."""
    words = [method]
    for segment in path.strip("/").split("/"):
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


def _body(op: Operation, warnings: list[str]) -> dict[str, Any]:
    media: dict[str, Any] = {}
    shown = [e for e in op.body_examples if e.media == "application/json"]
    if op.body_fields:
        for example in shown:
            _relax_conditions(op.body_fields, example, warnings)
        media["schema"] = _object(op.body_fields)
    elif shown:
        media["schema"] = _merged_schema([e.value for e in shown])
    else:
        media["schema"] = {"type": "object"}
    # Examples the spec's own schema rejects are errors to every linter: keep them where
    # no tool takes them for valid requests (as text that is not JSON is kept).
    kept, rejected = [], [e.value for e in op.body_examples if e.media == "text/plain"]
    for example in shown:
        allow_nulls(media["schema"], example.value)
    for example in shown:
        problem = _mismatch(example.value, media["schema"])
        if problem:
            warnings.append(
                Loss(
                    f"line {example.line + 1}: body example does not fit the "
                    f"parameter table ({problem}): kept as x-page-example"
                )
            )
            rejected.append(example.value)
        else:
            annotate(media["schema"], example.notes)
            kept.append(example)
    if rejected:
        media["x-page-example"] = rejected[0] if len(rejected) == 1 else rejected
    if kept:
        media["examples"] = _examples(kept)
    required = any(f.required for f in op.body_fields) or not op.body_fields
    return {"required": required, "content": {"application/json": media}}


def _relax_conditions(fields: list[Field], example: Example, warnings: list[str]) -> None:
    """A field the table marks required, that a body example leaves out, and whose
    description says when it applies ("当类型为 string 时使用该字段") is required only then:
    optional, with a warning naming the example (the two facts of the page agree then)."""
    for _ in range(len(fields) + 8):  # each turn relaxes one field at least
        schema = _object(fields)
        allow_nulls(schema, example.value)
        validator = jsonschema.Draft4Validator(_draft4(schema))
        relaxed = False
        for error in validator.iter_errors(example.value):
            if error.validator != "required" or not isinstance(error.instance, dict):
                continue
            owner = _field_at(fields, list(error.absolute_path))
            for name in error.validator_value:
                missing = next((f for f in owner if f.name == name), None)
                if name in error.instance or missing is None or not missing.required:
                    continue
                if not vocab.CONDITION_IN_TEXT.search(missing.description):
                    continue
                missing.required, relaxed = False, True
                warnings.append(
                    f"line {missing.line}: '{name}' is marked required, but the body example "
                    f"at line {example.line + 1} leaves it out and its description states "
                    f"when it applies ('{missing.description}'): read as optional"
                )
        if not relaxed:
            return


def _field_at(fields: list[Field], path: list[Any]) -> list[Field]:
    """The fields of the object at an example's path (array indexes skipped)."""
    for part in path:
        if isinstance(part, int):
            continue
        found = next((f for f in fields if f.name == part), None)
        if found is None:
            return []
        fields = found.children
    return fields


def _responses(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {vocab.SUCCESS_STATUS: {"description": "正常返回"}}
    content: dict[str, Any] = {}
    success = [e for e in op.success_examples if e.media == "application/json"]
    if success:
        schema = _merged_schema([e.value for e in success])
        _describe(schema, op.response_fields)
        if op.response_type:
            _describe(schema, op.response_type.children)
        for example in success:
            annotate(schema, example.notes)
        content["application/json"] = {"schema": schema, "examples": _examples(success)}
    elif op.response_type:
        content["application/json"] = {"schema": _answer_schema(op.response_type)}
    elif op.response_fields:
        schema = _object(op.response_fields)
        schema.pop("required", None)
        content["application/json"] = {"schema": schema}
    content.update(_text(op.success_examples))
    if content:
        responses[vocab.SUCCESS_STATUS]["content"] = content
    by_status: dict[int, list[Example]] = {}
    for example in [e for e in op.error_examples if e.media == "application/json"]:
        by_status.setdefault(error_status(vocab.error_code(example.value)), []).append(example)
    coded: dict[int, list[ErrorCode]] = {}
    for code in op.error_codes:
        coded.setdefault(code.status or error_status(code.code), []).append(code)
    for status in sorted(set(by_status) | set(coded)):
        examples = by_status.get(status, [])
        codes = coded.get(status, [])
        description = "异常返回"
        if codes:
            description += "；错误码：" + "；".join(f"{c.code} {c.message}".strip() for c in codes)
        values = [e.value for e in examples] + [_code_value(c) for c in codes]
        schema = _merged_schema(values)
        for example in examples:
            annotate(schema, example.notes)
        documented = _examples(examples)
        for c in codes:
            documented[f"code_{c.code}"] = {
                "summary": f"Code {c.code} from the page's 错误码 list",
                "value": _code_value(c),
            }
        responses[str(status)] = {
            "description": description,
            "content": {"application/json": {"schema": schema, "examples": documented}},
        }
    text = _text(op.error_examples)
    if text:
        error = responses.setdefault(
            str(vocab.DEFAULT_ERROR_STATUS), {"description": "异常返回", "content": {}}
        )
        error["content"].update(text)
    return responses


def _answer_schema(whole: Field) -> dict[str, Any]:
    """The schema of a row typing the whole answer; an answer's table says nothing of
    which fields are required."""
    schema = schema_for(whole)
    inner = schema
    while inner.get("type") == "array":
        inner = inner["items"]
    inner.pop("required", None)
    return schema


def _text(examples: list[Example]) -> dict[str, Any]:
    """The plain-text answers among `examples`, as one media type entry."""
    text = [e for e in examples if e.media == "text/plain"]
    if not text:
        return {}
    return {"text/plain": {"schema": {"type": "string"}, "examples": _examples(text)}}


def _describe(schema: dict[str, Any], fields: list[Field]) -> None:
    """Add a table of the answer's fields to the schema inferred from its example: the
    example keeps the shape (so it stays valid), the table adds descriptions and the
    fields the example leaves out."""
    while schema.get("type") == "array":
        schema = schema["items"]
    if schema.get("type") != "object" or not fields:
        return
    props = schema["properties"]
    for f in fields:
        if f.name in props and _shapeless(props[f.name]) and (f.children or f.options):
            # The example shows no item (`[]`) or null: the table's fields give the shape.
            props[f.name] = _table_schema(f, props[f.name])
        elif f.name in props and _wider(f, props[f.name]):
            # The table's type holds the example's (`string、number 或 bool` over `30`).
            props[f.name] = _table_schema(f, props[f.name])
        elif f.name in props:
            if f.description:
                props[f.name]["description"] = f.description
            _describe(props[f.name], f.children)
        else:
            props[f.name] = schema_for(f)
            props[f.name].pop("default", None)


def _table_schema(f: Field, inferred: dict[str, Any]) -> dict[str, Any]:
    """The table's schema of a field in place of the one inferred from the example; a field
    the example shows as null stays nullable, so that the example still fits."""
    schema = schema_for(f)
    schema.pop("default", None)
    if inferred.get("nullable"):
        schema["nullable"] = True
    return schema


def _wider(f: Field, inferred: dict[str, Any]) -> bool:
    """Whether a scalar row's type says more than the example's inferred one and holds it
    (a union of types, a number over an integer, a format)."""
    if f.children or f.variants or f.options or f.reading.depth or f.reading.named:
        return False
    table = f.reading.schema
    kinds = [s.get("type") for s in table.get("anyOf", [table])]
    shown = inferred.get("type")
    if shown is None or table == {k: v for k, v in inferred.items() if k != "description"}:
        return False
    return shown in kinds or (shown == "integer" and "number" in kinds)


def _shapeless(schema: dict[str, Any]) -> bool:
    """A schema inferred from an empty array or object: no field known."""
    while schema.get("type") == "array":
        schema = schema.get("items", {})
    return not schema.get("properties") and schema.get("type") in ("object", None)


def _code_value(code: ErrorCode) -> dict[str, Any]:
    """What the page says of a listed code: the code and its meaning, nothing invented."""
    return {"code": code.code, "message": code.message}


def error_status(code: Any) -> int:
    """The HTTP status answering an error example with this Zadig code (none: the default)."""
    if not str(code).isdigit():
        return vocab.DEFAULT_ERROR_STATUS
    return int(code) if int(code) in vocab.HTTP_ERROR_CODES else vocab.DEFAULT_ERROR_STATUS


def _mismatch(value: Any, schema: dict[str, Any]) -> str:
    """Why `value` does not fit `schema` (empty when it does)."""
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft4Validator(_draft4(schema)).iter_errors(value)
    )
    if error is None:
        return ""
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def _draft4(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema draft 4 reads it: `nullable` is a null type."""
    if isinstance(schema, list):
        return [_draft4(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _draft4(value) for key, value in schema.items() if key != "nullable"}
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {key: _draft4(value) for key, value in schema["properties"].items()}
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if schema.get("nullable") and "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def _merged_schema(values: list[Any]) -> dict[str, Any]:
    """A loose schema every example fits."""
    schema = infer_schema(values[0])
    for value in values[1:]:
        schema = _merge_schemas(schema, infer_schema(value))
    return schema


def _merge_schemas(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    if a == b:
        return a
    if a == NULL or b == NULL:  # a null in one example: the other's shape, nullable
        return {**(b if a == NULL else a), **NULL}
    if a.get("nullable") or b.get("nullable"):
        merged = _merge_schemas(_strict(a), _strict(b))
        return {**merged, **NULL} if merged else merged
    types = {a.get("type"), b.get("type")}
    if types == {"object"}:
        props = dict(a["properties"])
        for key, prop in b["properties"].items():
            props[key] = _merge_schemas(props[key], prop) if key in props else prop
        return {"type": "object", "properties": props}
    if types == {"array"}:
        return {"type": "array", "items": _merge_schemas(a["items"], b["items"])}
    if types == {"integer", "number"}:
        return {"type": "number"}
    return {}


def _examples(examples: list[Example]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, example in enumerate(examples, 1):
        value = example.value
        summary = example.title or "Example from the page"
        if vocab.error_code(value) is not None:
            summary += f" (code {vocab.error_code(value)})"
        out["documented" if number == 1 else f"documented_{number}"] = {
            "summary": summary,
            "value": value,
        }
    return out


NULL = {"nullable": True}  # the schema of a null in an example: nothing but null known


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key != "nullable"}


def allow_nulls(schema: dict[str, Any], value: Any) -> None:
    """Make nullable each field of `schema` that `value` (an example) gives as null, so
    that the example fits its own schema."""
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        for key, item in value.items():
            prop = schema["properties"].get(key)
            if prop is None:
                continue
            if item is None:
                prop["nullable"] = True
            else:
                allow_nulls(prop, item)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            if item is None:
                schema["items"]["nullable"] = True
            else:
                allow_nulls(schema["items"], item)


def variant_schema(variants: list[Example]) -> dict[str, Any]:
    """The schema of a type the page shows as examples instead of a table: inferred from
    each, its label as title, the example kept in it; several are variants (anyOf)."""
    schemas = []
    for variant in variants:
        schema = infer_schema(variant.value)
        allow_nulls(schema, variant.value)
        annotate(schema, variant.notes)
        if variant.title:
            schema = {"title": variant.title, **schema}
        schema["example"] = variant.value
        schemas.append(schema)
    return schemas[0] if len(schemas) == 1 else {"anyOf": schemas}


def annotate(schema: dict[str, Any], notes: dict[tuple[str, ...], str]) -> None:
    """Give the fields of `schema` that have no description what the example's comments
    say of them (`"task_id": 20  # 任务序号`); a table's description wins."""
    for path, note in notes.items():
        target: Any = schema
        for part in path:
            if not isinstance(target, dict):
                break
            target = target.get("items") if part == "[]" else target.get("properties", {}).get(part)
        if isinstance(target, dict) and "description" not in target:
            target["description"] = note


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
        return {"type": "array", "items": _merged_schema(value) if value else {}}
    if value is None:
        return dict(NULL)
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {key: infer_schema(item) for key, item in value.items()},
        }
    return {}
