"""Today's OpenAPI listed beside the page's in Swagger UI (`mock_server.swagger_ui`): its paths
added, a component whose name the page's spec gives to another value renamed with every `$ref`
to it, an identical one shared, neither spec's own paths changed."""

from __future__ import annotations

import copy

from mock_server.swagger_ui import with_operations_of

ERROR_PAGE = {"type": "object", "properties": {"code": {"type": "integer"}}}
ERROR_TODAY = {"type": "object", "properties": {"description": {"type": "string"}}}
SUCCESS = {"type": "object", "properties": {"message": {"type": "string"}}}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def answering(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


PAGE = {
    "openapi": "3.0.3",
    "paths": {"/api/a": {"get": {"responses": {"400": answering(ref("ZadigError"))}}}},
    "components": {"schemas": {"ZadigError": ERROR_PAGE, "Success": SUCCESS}},
}
TODAY = {
    "openapi": "3.0.3",
    "paths": {
        "/openapi/b": {
            "get": {
                "responses": {
                    "200": answering(ref("Success")),
                    "400": answering({"items": ref("ZadigError"), "type": "array"}),
                }
            }
        }
    },
    "components": {"schemas": {"ZadigError": ERROR_TODAY, "Success": SUCCESS}},
}


def test_a_colliding_component_is_renamed_where_used() -> None:
    merged = with_operations_of(copy.deepcopy(PAGE), copy.deepcopy(TODAY))
    schemas = merged["components"]["schemas"]
    assert schemas["ZadigError"] == ERROR_PAGE  # the page's keeps its name
    renamed = [name for name, value in schemas.items() if value == ERROR_TODAY]
    assert len(renamed) == 1 and renamed[0] != "ZadigError"
    today = merged["paths"]["/openapi/b"]["get"]["responses"]
    assert today["400"]["content"]["application/json"]["schema"]["items"] == ref(renamed[0])
    page = merged["paths"]["/api/a"]["get"]["responses"]
    assert page["400"]["content"]["application/json"]["schema"] == ref("ZadigError")


def test_an_identical_component_is_shared() -> None:
    merged = with_operations_of(copy.deepcopy(PAGE), copy.deepcopy(TODAY))
    schemas = merged["components"]["schemas"]
    assert [name for name, value in schemas.items() if value == SUCCESS] == ["Success"]
    today = merged["paths"]["/openapi/b"]["get"]["responses"]
    assert today["200"]["content"]["application/json"]["schema"] == ref("Success")


def test_the_spec_given_is_not_changed() -> None:
    page = copy.deepcopy(PAGE)
    with_operations_of(page, copy.deepcopy(TODAY))
    assert page == PAGE


def test_a_renamed_security_scheme_is_the_one_its_operations_ask_for() -> None:
    # Requirements name a scheme, not a `$ref`: today's operations, which ask for their own
    # spec's scheme spec-wide, must name the renamed one, and the page's keep theirs.
    page = {
        **copy.deepcopy(PAGE),
        "security": [{"bearerAuth": []}],
    }
    page["components"]["securitySchemes"] = {"bearerAuth": {"type": "http", "scheme": "bearer"}}
    today = {**copy.deepcopy(TODAY), "security": [{"bearerAuth": []}]}
    today["components"]["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "today's token"}
    }
    merged = with_operations_of(page, today)
    schemes = merged["components"]["securitySchemes"]
    (asked,) = merged["paths"]["/openapi/b"]["get"]["security"]
    (name,) = asked
    assert name != "bearerAuth" and schemes[name]["description"] == "today's token"
    assert merged["security"] == [{"bearerAuth": []}]
    assert "security" not in merged["paths"]["/api/a"]["get"]
