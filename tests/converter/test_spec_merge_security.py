"""Several specs made one (`openapi.merge`), their credentials: a security scheme two specs
define differently is renamed in each with the requirements that name it (requirements name a
scheme by key, not by `$ref`), and specs that ask for other credentials each keep their own on
their operations. The specs are written here."""

from __future__ import annotations

from typing import Any

from openapi.merge import merge_specs


def spec(path: str, scheme: dict[str, Any], security: list[dict[str, list]]) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": path, "version": "1.0.0"},
        "security": security,
        "paths": {
            path: {"get": {"operationId": path, "responses": {"200": {"description": "ok"}}}}
        },
        "components": {"securitySchemes": {"auth": scheme}},
    }


BEARER = {"type": "http", "scheme": "bearer"}
KEY = {"type": "apiKey", "in": "header", "name": "X-Token"}


def schemes_of(merged: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """The schemes an operation of `merged` asks for: its own requirements, else the spec's."""
    operation = merged["paths"][path]["get"]
    requirements = operation.get("security", merged.get("security", []))
    found = merged["components"]["securitySchemes"]
    return [found[name] for requirement in requirements for name in requirement]


def test_a_scheme_defined_differently_is_renamed_with_the_requirements_naming_it() -> None:
    merged = merge_specs(
        [
            ("a.yaml", spec("/a", BEARER, [{"auth": []}])),
            ("b.yaml", spec("/b", KEY, [{"auth": []}])),
        ]
    )
    assert schemes_of(merged, "/a") == [BEARER]
    assert schemes_of(merged, "/b") == [KEY]


def test_specs_asking_for_other_credentials_keep_their_own() -> None:
    # Two schemes of other names: no collision, each spec's operations keep asking for theirs.
    first = spec("/a", BEARER, [{"auth": []}])
    second = spec("/b", KEY, [{"key": []}])
    second["components"]["securitySchemes"] = {"key": KEY}
    merged = merge_specs([("a.yaml", first), ("b.yaml", second)])
    assert schemes_of(merged, "/a") == [BEARER]
    assert schemes_of(merged, "/b") == [KEY]
