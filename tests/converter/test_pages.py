"""Pages in the same layout that the converter was not written against (tests/data/pages)."""

from __future__ import annotations

import jsonschema
import pytest
import yaml
from converter_helpers import PAGES, body_schema, operation, params

from openapi import cli
from openapi.emitter import _draft4

ENV_LIST = "/api/aslan/environment/environments"
ENV = ENV_LIST + "/{name}"
PROJECT = "/openapi/projects/project/{projectKey}"


def _convert(name: str) -> tuple[dict, list[str]]:
    warnings: list[str] = []
    text = cli.convert((PAGES / name).read_text(encoding="utf-8"), None, warnings.append)
    return yaml.safe_load(text), warnings


@pytest.fixture(scope="module")
def env() -> tuple[dict, list[str]]:
    return _convert("environment-api.md")


@pytest.fixture(scope="module")
def project() -> tuple[dict, list[str]]:
    return _convert("project-api.md")


def _example(media_holder: dict) -> object:
    return media_holder["content"]["application/json"]["examples"]["documented"]["value"]


def test_environment_page_operations(env):
    document, _ = env
    assert document["info"] == {
        "title": "环境",
        "version": "1.7.1",
        "description": "Converted from the API page `/v1.7.1/api/environment/`.",
    }
    assert {path: sorted(item) for path, item in document["paths"].items()} == {
        ENV_LIST: ["get"],
        ENV: ["put"],
    }


def test_get_with_query_table_and_typed_defaults(env):
    op = operation(env[0], ENV_LIST, "get")
    assert op["description"] == "- 需要有查看环境的权限；\n- 结果按环境创建时间排序。"
    found = params(op)
    assert list(found) == [
        ("query", "projectName"),
        ("query", "envType"),
        ("query", "page"),
        ("query", "withStatus"),
    ]
    assert found[("query", "projectName")]["required"] is True
    assert found[("query", "envType")]["schema"] == {"type": "string", "default": "general"}
    assert found[("query", "page")]["schema"] == {"type": "integer", "default": 1}
    assert found[("query", "withStatus")]["schema"] == {"type": "boolean", "default": False}


def test_array_answer_with_comment_and_trailing_commas(env):
    ok = operation(env[0], ENV_LIST, "get")["responses"]["200"]
    assert _example(ok) == [{"name": "dev", "status": "Running", "update_time": 1616380000}]
    schema = ok["content"]["application/json"]["schema"]
    assert schema["type"] == "array"
    assert schema["items"]["properties"]["update_time"] == {"type": "integer"}


def test_put_reconciles_path_name_and_moves_query_param(env):
    document, warnings = env
    found = params(operation(document, ENV, "put"))
    assert list(found) == [("path", "name"), ("query", "projectName")]
    assert found[("path", "name")]["description"] == "环境名称"
    assert found[("query", "projectName")]["required"] is True
    assert any("'names'" in w and "'name'" in w for w in warnings)
    assert any("projectName" in w and "placed in query" in w for w in warnings)


def test_put_body_with_nested_in_nested_tables_and_defaults(env):
    schema = body_schema(operation(env[0], ENV, "put"))
    assert schema["required"] == ["services"]
    assert schema["properties"]["auto_sync"]["default"] is False
    assert schema["properties"]["replicas"]["default"] == 1
    assert schema["properties"]["labels"]["items"] == {"type": "string"}
    service = schema["properties"]["services"]["items"]
    assert service["required"] == ["service_name", "containers"]
    container = service["properties"]["containers"]["items"]
    assert container["required"] == ["name", "image"]
    assert container["properties"]["restart"] == {
        "type": "boolean",
        "description": "是否重启",
        "default": True,
    }


def test_put_examples_survive_their_flaws(env):
    op = operation(env[0], ENV, "put")
    assert _example(op["requestBody"])["services"][0]["containers"] == [
        {"name": "proxy", "image": "nginx:1.19"}
    ]
    assert _example(op["requestBody"])["auto_sync"] is True
    assert _example(op["responses"]["400"])["code"] == 6102


def test_project_page_methods_and_version(project):
    document, warnings = project
    assert document["info"]["version"] == "1.8.0"
    assert sorted(document["paths"][PROJECT]) == ["delete", "get", "patch"]
    assert any("'project_key'" in w and "'projectKey'" in w for w in warnings)


def test_get_answer_schema_is_inferred_from_the_example(project):
    ok = operation(project[0], PROJECT, "get")["responses"]["200"]
    props = ok["content"]["application/json"]["schema"]["properties"]
    assert {k: v["type"] for k, v in props.items()} == {
        "name": "string",
        "env_count": "integer",
        "ratio": "number",
        "public": "boolean",
        "owners": "array",
    }
    assert _example(ok)["owners"] == ["admin"]


def test_patch_body_types_and_defaults(project):
    op = operation(project[0], PROJECT, "patch")
    schema = body_schema(op)
    props = schema["properties"]
    assert schema["required"] == ["owners"]
    assert props["timeout"] == {
        "type": "integer",
        "format": "int64",
        "description": "超时秒数",
        "default": 3600,
    }
    assert props["weight"]["default"] == 1.5 and props["weight"]["type"] == "number"
    assert props["public"]["default"] is False
    settings = props["settings"]
    assert settings["type"] == "object" and settings["required"] == ["notify"]
    assert settings["properties"]["retention_days"]["default"] == 30
    assert settings["properties"]["notify"]["default"] is True


def test_http_error_code_keeps_its_status(project):
    responses = operation(project[0], PROJECT, "patch")["responses"]
    assert set(responses) == {"200", "403"}
    assert _example(responses["403"])["code"] == 403


def test_delete_with_query_table_and_commented_error(project):
    op = operation(project[0], PROJECT, "delete")
    found = params(op)
    assert found[("query", "isDelete")]["schema"] == {"type": "boolean", "default": True}
    assert found[("query", "isDelete")]["required"] is False
    assert "description" not in op  # no 注意事项 on the page
    assert set(op["responses"]) == {"200", "400"}
    assert _example(op["responses"]["400"])["code"] == 6090


@pytest.mark.parametrize("name", sorted(path.name for path in PAGES.glob("*.md")))
def test_converted_pages_are_valid_openapi(name):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(_convert(name)[0])


def _examples_against_schemas(node: object, schema: object = None) -> list[tuple[object, dict]]:
    """Every (example, schema) pair of a document: media examples and schema `example`s."""
    found: list[tuple[object, dict]] = []
    if isinstance(node, dict):
        if isinstance(node.get("schema"), dict):
            schema = node["schema"]
            found += [(e["value"], schema) for e in node.get("examples", {}).values()]
        if "example" in node and "type" in node or "anyOf" in node:
            found += [(node["example"], node)] if "example" in node else []
        for key, value in node.items():
            if key not in ("examples", "example", "x-page-example"):
                found += _examples_against_schemas(value, schema)
    elif isinstance(node, list):
        for value in node:
            found += _examples_against_schemas(value, schema)
    return found


@pytest.mark.parametrize("name", sorted(path.name for path in PAGES.glob("*.md")))
def test_every_example_kept_fits_its_schema(name):
    """Examples the spec keeps as examples fit the schema made from the same page (the
    others are kept as x-page-example, with a warning)."""
    document, _ = _convert(name)
    pairs = _examples_against_schemas(document["paths"])
    if name == "rollout-api.md":  # the walk finds them: 10 JSON examples and a text one
        assert len(pairs) == 11
    for value, schema in pairs:
        errors = list(jsonschema.Draft4Validator(_draft4(schema)).iter_errors(value))
        assert errors == [], (name, value)
