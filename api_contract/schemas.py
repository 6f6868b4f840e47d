"""The spec's JSON schemas compiled once (jsonschema-rs), and what a value breaks of them.

Two readings: the mock's (`first_error`: formats checked, connexion's wording) and the gate's
and the proxy's (`schema_problems`: formats not asserted, every error as jsonschema words it).
Both honour OpenAPI 3.0's `nullable`: a null the page shows is what the page states."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from jsonschema import Draft4Validator

from api_contract.missing_fields import without_required

# (id(schema), reading) -> (schema, compiled): the schema is kept so that its id cannot be
# reused by another one while it is cached.
_compiled: dict[tuple[int, str], tuple[Any, Any]] = {}


def _cached(schema: Any, reading: str, build: Any) -> Any:
    key = (id(schema), reading)
    hit = _compiled.get(key)
    if hit is None or hit[0] is not schema:
        hit = _compiled[key] = (schema, build())
    return hit[1]


def compiled(schema: dict, *, required: bool = True) -> Any:
    """The jsonschema-rs validator of an OpenAPI 3.0 schema (connexion hands the same dict on
    every request of an operation); `required=False`: with its `required` lists left out."""

    def build() -> Any:
        source = json_schema(schema) if required else without_required(json_schema(schema))
        return jsonschema_rs.Draft4Validator(source, validate_formats=True)

    return _cached(schema, "required" if required else "lenient", build)


def json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes a `null` type (and a null
    enum member), as connexion's Draft4RequestValidator allows. Returns a copy."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: json_schema(value) for key, value in node.items()}
    if copy.get("nullable") is True or copy.get("x-nullable") is True:
        if isinstance(copy.get("type"), str):
            copy["type"] = [copy["type"], "null"]
        if isinstance(copy.get("enum"), list) and None not in copy["enum"]:
            copy["enum"] = [*copy["enum"], None]
    return copy


def first_error(schema: dict, value: Any, *, required: bool = True) -> str | None:
    """connexion's wording: "<message> - 'targets.0'" (the path only when there is one)."""
    error = next(compiled(schema, required=required).iter_errors(value), None)
    if error is None:
        return None
    path = ".".join(str(item) for item in error.instance_path)
    return f"{error.message} - {path!r}" if path else error.message


def schema_problems(schema: dict[str, Any], instance: Any, what: str) -> list[str]:
    """Every way `instance` breaks `schema`, each prefixed by `what` and where it is."""

    # OpenAPI 3.0 schemas are close to draft 4; `format` is not asserted.
    def build() -> tuple[Any, Any]:
        source = json_schema(schema)
        return _fast(source), Draft4Validator(source)

    fast, full = _cached(schema, "problems", build)
    if _conforms(fast, instance):
        return []
    # The compiled validator only answers yes or no: jsonschema says what is wrong (and has
    # the last word, so a stricter verdict of the fast one changes nothing).
    errors = sorted(full.iter_errors(instance), key=lambda e: list(e.path))
    return [f"{what}: {_where(error.path)}{error.message}" for error in errors]


def _fast(schema: dict[str, Any]) -> Any:
    """A compiled draft 4 validator (jsonschema-rs), or None for a schema it cannot take."""
    try:
        return jsonschema_rs.Draft4Validator(schema, validate_formats=False)
    except Exception:  # noqa: BLE001 - jsonschema then judges alone
        return None


def _conforms(fast: Any, instance: Any) -> bool:
    try:
        return fast is not None and fast.is_valid(instance)
    except Exception:  # noqa: BLE001 - an instance it cannot read: jsonschema judges
        return False


def _where(path: Any) -> str:
    parts = "/".join(str(part) for part in path)
    return f"at /{parts}: " if parts else ""
