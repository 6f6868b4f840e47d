"""Overlay merge rules: mappings merge, named lists merge by name, $ref replaces,
and an overlay cannot name an endpoint the page does not document."""

from __future__ import annotations

import copy

import pytest

from openapi import overlay

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "T", "version": "1"},
    "paths": {
        "/a/{id}": {
            "get": {
                "summary": "s",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"x": {"type": "integer"}},
                                }
                            }
                        },
                    }
                },
            }
        }
    },
}


def test_mappings_merge_key_by_key():
    merged = overlay.apply(
        SPEC,
        {
            "info": {"contact": {"name": "n"}},
            "paths": {"/a/{id}": {"get": {"operationId": "getA"}}},
        },
    )
    assert merged["info"] == {"title": "T", "version": "1", "contact": {"name": "n"}}
    op = merged["paths"]["/a/{id}"]["get"]
    assert op["operationId"] == "getA" and op["summary"] == "s"


def test_named_lists_merge_by_name_and_append_new_names():
    extra = {
        "paths": {
            "/a/{id}": {
                "get": {
                    "parameters": [
                        {"name": "id", "schema": {"format": "int64"}},
                        {"name": "new", "in": "header", "schema": {"type": "string"}},
                    ]
                }
            }
        }
    }
    params = overlay.apply(SPEC, extra)["paths"]["/a/{id}"]["get"]["parameters"]
    assert [p["name"] for p in params] == ["id", "q", "new"]
    assert params[0] == {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "format": "int64"},
    }


def test_ref_replaces_what_it_lands_on():
    ref = {"$ref": "#/components/schemas/X"}
    extra = {
        "paths": {
            "/a/{id}": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": ref}}}}}
            }
        }
    }
    response = overlay.apply(SPEC, extra)["paths"]["/a/{id}"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == ref
    assert response["description"] == "ok"


def test_other_values_replace():
    merged = overlay.apply(SPEC, {"info": {"title": "New"}, "servers": [{"url": "http://x"}]})
    assert merged["info"]["title"] == "New"
    assert merged["servers"] == [{"url": "http://x"}]


def test_apply_leaves_its_inputs_alone():
    spec, extra = copy.deepcopy(SPEC), {"info": {"contact": {"name": "n"}}}
    overlay.apply(spec, extra)
    assert spec == SPEC and extra == {"info": {"contact": {"name": "n"}}}


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"paths": {"/b": {"get": {"operationId": "x"}}}}, "/b"),
        ({"paths": {"/a/{id}": {"post": {"operationId": "x"}}}}, "POST /a/{id}"),
    ],
)
def test_unknown_path_or_method_is_an_error(extra, named):
    with pytest.raises(overlay.OverlayError, match=named.replace("{", r"\{").replace("}", r"\}")):
        overlay.apply(SPEC, extra)


def one_operation_page(tmp_path):
    doc = tmp_path / "page.md"
    doc.write_text("## 一\n#### 请求\n```\nGET /a\n```\n", encoding="utf-8")
    return doc


def test_cli_reports_an_unknown_overlay_path(tmp_path, run_cli):
    doc = one_operation_page(tmp_path)
    extra = tmp_path / "overlay.yaml"
    extra.write_text("paths:\n  /nope:\n    get: {operationId: x}\n", encoding="utf-8")
    code, out, err = run_cli("convert", str(doc), "--overlay", str(extra))
    assert code != 0 and out == ""
    assert err.startswith("error: ") and "/nope" in err


def test_overlay_that_is_not_a_mapping_is_an_error(tmp_path):
    extra = tmp_path / "overlay.yaml"
    extra.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(overlay.OverlayError, match="mapping"):
        overlay.load(extra)


def test_overlay_that_is_not_yaml_is_a_clear_error(tmp_path, run_cli):
    doc = one_operation_page(tmp_path)
    extra = tmp_path / "overlay.yaml"
    extra.write_text("a: [\n", encoding="utf-8")
    code, _, err = run_cli("convert", str(doc), "--overlay", str(extra))
    assert code != 0 and err.startswith(f"error: {extra}: not YAML")


def test_overlay_path_that_is_not_a_mapping_is_an_error():
    with pytest.raises(overlay.OverlayError, match="must map methods"):
        overlay.apply(SPEC, {"paths": {"/a/{id}": None}})
