"""connexion's request validators backed by the contract's compiled schemas (jsonschema-rs).

connexion 3.3 builds a new jsonschema (pure Python) validator, and deep-copies parameter schemas,
on every request; here each schema is compiled once (api_contract.schemas) and kept. Bodies are
parsed by orjson, and what orjson refuses but Go's decoder (aslan's) takes is taken too. What is
checked, and the 400 that connexion raises, stay connexion's."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import orjson
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator

from api_contract.missing_fields import fill_zero_values, missing_fields
from api_contract.schemas import first_error

PARSED_BODY = "zadig_mock.body"  # scope key: the request body as parsed for validation


def parse_json(body: bytes) -> Any:
    """The JSON document `body`, as Go's encoding/json reads it: besides what orjson takes, lone
    surrogate escapes (read as U+FFFD) and numbers beyond a double (Go skips them in fields it
    ignores). NaN, Infinity, a byte order mark and trailing commas stay errors."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        refused = exc
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_not_json, parse_int=_integer)
        return _without_surrogates(document)
    except (ValueError, RecursionError):
        raise BadRequestProblem(detail=str(refused)) from None


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _integer(text: str) -> int | float:
    # As orjson: an integer beyond 64 bits becomes a float (inf when beyond a double).
    return int(text) if len(text) <= 20 and -(2**63) <= int(text) < 2**64 else float(text)


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(node: Any) -> Any:
    if isinstance(node, str):
        return LONE_SURROGATE.sub("\ufffd", node)
    if isinstance(node, list):
        return [_without_surrogates(item) for item in node]
    if isinstance(node, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in node.items()}
    return node


class CompiledJSONBodyValidator(JSONRequestBodyValidator):
    async def _parse(self, stream: Any, scope: Any) -> Any:
        body = b"".join([message async for message in stream])
        parsed = parse_json(body) if body else None
        scope[PARSED_BODY] = parsed  # for the handler: the body is parsed once
        return parsed

    def _validate(self, body: Any) -> None:
        if not self._nullable and body is None:
            raise BadRequestProblem("Request body must not be empty")
        error = first_error(self._schema, body)
        if error is not None:
            raise BadRequestProblem(detail=error)


class PageBodyValidator(CompiledJSONBodyValidator):
    """The body of one of the spec's operations, checked as aslan checks it: a top-level property
    the page requires but the body lacks takes its zero value (Go's decoding) and the rules go on,
    unless `strict`, which refuses it with 400 naming the first such property. A nested one (a
    field of a target) is refused in both modes: what aslan does with a target lacking a field is
    not known, and refusing it keeps the page's contract. Either way the lacked properties are
    noted for the journal and the log line. Wrong types are refused as before. An operation
    whose spec names no such fields (x-zadig-missing-fields) has every required field refused.

    `page_fields`: operationId -> the top-level fields the page requires (the schema's `required`
    lists only what the release refuses)."""

    strict = False
    page_fields: Mapping[str, tuple[str, ...]] = {}
    NOTE = "zadig_mock"  # scope key of the journal's note about this request

    async def _parse(self, stream: Any, scope: Any) -> Any:
        self._note = scope.get(self.NOTE)
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        self._page = self.page_fields.get(routing.get("operation_id"), ())
        return await super()._parse(stream, scope)

    def _validate(self, body: Any) -> None:
        if not self._nullable and body is None:
            raise BadRequestProblem("Request body must not be empty")
        missing = missing_fields(self._schema, body, self._page)
        if self._note is not None:
            self._note["missing"] = [str(field) for field in missing]
        error = first_error(self._schema, body, required=False)
        if error is not None:
            raise BadRequestProblem(detail=error)
        # Zero values only where the spec says what the release answers without a field
        # (x-zadig-missing-fields); elsewhere a field the page requires is required.
        lenient = bool(self._page) and not self.strict
        refused = [field for field in missing if field.parent] if lenient else missing
        if refused:
            raise BadRequestProblem(detail=refused[0].problem())
        fill_zero_values(self._schema, body, self._page)


class CompiledParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict, param_name: str | None = None
    ) -> str | None:
        # Same outcome as ParameterValidator.validate_parameter, without the per-call work.
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            error = first_error(param.get("schema", param), value)
            # Named as connexion names a body field: the parameter a client got wrong.
            return None if error is None else f"{error} - '{param['name']}'"
        if param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"
        return None


def validator_map(
    *, strict: bool | None = None, page_fields: Mapping[str, tuple[str, ...]] | None = None
) -> dict:
    """connexion's validators, compiled. `strict` None: every required property is enforced (the
    admin API); True/False: the spec's bodies, checked by PageBodyValidator, with the top-level
    fields the page requires per operationId (`page_fields`)."""
    if strict is None:
        json_body: type = CompiledJSONBodyValidator
    else:
        json_body = type(
            "PageBodyValidator",
            (PageBodyValidator,),
            {"strict": strict, "page_fields": dict(page_fields or {})},
        )
    # "body" must stay a MediaTypeDict: connexion looks validators up by media-type pattern,
    # and with a plain dict no JSON body would be validated at all.
    body = MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": json_body})
    return {**VALIDATOR_MAP, "parameter": CompiledParameterValidator, "body": body}
