"""connexion's request validators, with each JSON schema compiled once instead of per request
(connexion 3.3 builds a jsonschema validator, and deep-copies parameter schemas, on every call)."""

from __future__ import annotations

from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from connexion.validators.parameter import draft4_format_checker
from jsonschema import Draft4Validator, ValidationError

# id(schema) -> (schema, compiled): the schema is kept so that its id cannot be reused.
_compiled: dict[int, tuple[dict, Any]] = {}


def compiled(schema: dict, factory: Any) -> Any:
    hit = _compiled.get(id(schema))
    if hit is None or hit[0] is not schema:
        hit = (schema, factory(schema))
        _compiled[id(schema)] = hit
    return hit[1]


def _body_validator(schema: dict) -> Any:
    return Draft4RequestValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _parameter_validator(param: dict) -> Any:
    return Draft4Validator(param.get("schema", param), format_checker=draft4_format_checker)


class CachedJSONBodyValidator(JSONRequestBodyValidator):
    @property
    def _validator(self) -> Any:
        return compiled(self._schema, _body_validator)


class CachedParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict, param_name: str | None = None
    ) -> str | None:
        # Same outcome as ParameterValidator.validate_parameter, without the per-call work.
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            try:
                compiled(param, _parameter_validator).validate(value)
            except ValidationError as exception:
                return str(exception)
            return None
        if param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"
        return None


def validator_map() -> dict:
    body = MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": CachedJSONBodyValidator})
    return {**VALIDATOR_MAP, "parameter": CachedParameterValidator, "body": body}
