"""Each layout rule of the page format, on small pages written for the rule."""

from __future__ import annotations

import pytest
from converter_helpers import body_schema, convert, operation, page, params, table

BASIC = page("""
    ## 获取任务

    #### 注意事项

    - 需要读权限；
    - 结果按时间排序。

    #### 请求

    ```
    GET /api/tasks/:id?verbose=:verbose
    ```

    #### 路径参数说明

    {path}

    #### Query 参数说明

    {query}

    #### 正常返回

    ```json
    {{"id": 1}}
    ```
    """).format(
    path=table("`id`|int|任务 id|无|是"), query=table("`verbose`|bool|详细输出|false|否")
)


def test_front_matter_gives_title_version_and_tag():
    document, _ = convert(BASIC)
    assert document["openapi"] == "3.0.3"
    assert document["info"]["title"] == "测试"
    assert document["info"]["version"] == "2.0.0"
    assert "/v2.0.0/api/test/" in document["info"]["description"]
    assert document["tags"][0]["name"] == "测试"
    assert operation(document, "/api/tasks/{id}", "get")["tags"] == ["测试"]


def test_heading_is_summary_and_notes_are_description():
    op = operation(convert(BASIC)[0], "/api/tasks/{id}", "get")
    assert op["summary"] == "获取任务"
    assert op["description"] == "- 需要读权限；\n- 结果按时间排序。"


def test_request_line_gives_path_template_and_query_parameters():
    document, warnings = convert(BASIC)
    assert list(document["paths"]) == ["/api/tasks/{id}"]
    found = params(operation(document, "/api/tasks/{id}", "get"))
    assert set(found) == {("path", "id"), ("query", "verbose")}
    assert found[("path", "id")]["required"] is True
    assert found[("query", "verbose")]["required"] is False
    assert found[("query", "verbose")]["schema"] == {"type": "boolean", "default": False}
    assert warnings == []


def test_query_parameter_only_on_request_line_is_an_optional_string():
    document, _ = convert(
        page("""
        ## 列表
        #### 请求
        ```
        GET /api/items?page=:page
        ```
        """)
    )
    found = params(operation(document, "/api/items", "get"))
    assert found[("query", "page")]["required"] is False
    assert found[("query", "page")]["schema"] == {"type": "string"}


def _body_page(rows: list[str], nested: str = "") -> str:
    return page("""
        ## 创建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明

        {rows}
        {nested}
        """).format(rows=table(*rows), nested=nested)


@pytest.mark.parametrize(
    ("type_", "schema"),
    [
        ("string", {"type": "string"}),
        ("int", {"type": "integer"}),
        ("int64", {"type": "integer", "format": "int64"}),
        ("bool", {"type": "boolean"}),
        ("float", {"type": "number", "format": "float"}),
        ("Object", {"type": "object"}),
        ("Object Array", {"type": "array", "items": {"type": "object"}}),
        ("string Array", {"type": "array", "items": {"type": "string"}}),
        ("int Array", {"type": "array", "items": {"type": "integer"}}),
        ("[]string", {"type": "array", "items": {"type": "string"}}),
    ],
)
def test_every_type_maps_to_a_json_schema(type_, schema):
    document, _ = convert(_body_page([f"`f`|{type_}|字段|无|是"]))
    prop = body_schema(operation(document, "/api/things", "post"))["properties"]["f"]
    assert prop == {**schema, "description": "字段"}


def test_required_column_yes_no():
    document, _ = convert(_body_page(["`a`|string|甲|无|是", "`b`|string|乙|无|否"]))
    schema = body_schema(operation(document, "/api/things", "post"))
    assert schema["required"] == ["a"]
    assert set(schema["properties"]) == {"a", "b"}


@pytest.mark.parametrize(
    ("type_", "text", "value"),
    [
        ("bool", "true", True),
        ("bool", "false", False),
        ("bool", "是", True),
        ("int", "10", 10),
        ("int64", "-3", -3),
        ("float", "0.5", 0.5),
        ("string", "dev", "dev"),
        ("string", "`main`", "main"),
    ],
)
def test_typed_defaults(type_, text, value):
    document, _ = convert(_body_page([f"`f`|{type_}|字段|{text}|否"]))
    prop = body_schema(operation(document, "/api/things", "post"))["properties"]["f"]
    assert prop["default"] == value
    assert type(prop["default"]) is type(value)


def test_default_wu_means_no_default():
    document, _ = convert(_body_page(["`f`|int|字段|无|否"]))
    prop = body_schema(operation(document, "/api/things", "post"))["properties"]["f"]
    assert "default" not in prop


def test_nested_tables_describe_items_and_objects_in_nested_tables():
    nested = (
        "\n其中 `targets` 中的参数说明如下：\n\n"
        + table("`name`|string|名称|无|是", "`build`|Object|构建|无|否")
        + "\n其中 `build` 中的参数说明如下：\n\n"
        + table("`repos`|string Array|仓库|无|是", "`cache`|bool|缓存|true|否")
    )
    document, _ = convert(_body_page(["`targets`|Object Array|目标|无|是"], nested))
    targets = body_schema(operation(document, "/api/things", "post"))["properties"]["targets"]
    assert targets["type"] == "array"
    item = targets["items"]
    assert item["type"] == "object" and item["required"] == ["name"]
    build = item["properties"]["build"]
    assert build["type"] == "object" and build["required"] == ["repos"]
    assert build["properties"]["repos"]["items"] == {"type": "string"}
    assert build["properties"]["cache"]["default"] is True


def test_nested_table_right_under_its_sentence_without_blank_line():
    nested = "\n其中 `targets` 中的参数说明如下：\n" + table("`name`|string|名称|无|是")
    document, _ = convert(_body_page(["`targets`|Object Array|目标|无|是"], nested))
    item = body_schema(operation(document, "/api/things", "post"))["properties"]["targets"]
    assert item["items"]["required"] == ["name"]


EXAMPLES = page("""
    ## 创建
    #### 请求
    ```
    POST /api/things
    ```
    #### body 参数样例
    ```json
    {"name": "a", "tags": ["x"]}
    ```
    #### 正常返回
    ```json
    {"id": 7}
    ```
    #### 异常返回
    ```json
    {"code": 6001, "message": "失败", "type": "error"}
    ```
    """)


def test_body_example_without_table_gives_example_and_inferred_schema():
    op = operation(convert(EXAMPLES)[0], "/api/things", "post")
    media = op["requestBody"]["content"]["application/json"]
    assert media["examples"]["documented"]["value"] == {"name": "a", "tags": ["x"]}
    assert media["schema"]["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}


def test_success_example_is_the_200_example():
    op = operation(convert(EXAMPLES)[0], "/api/things", "post")
    media = op["responses"]["200"]["content"]["application/json"]
    assert media["examples"]["documented"]["value"] == {"id": 7}
    assert media["schema"]["properties"]["id"] == {"type": "integer"}


def test_error_example_keeps_its_code_and_6xxx_is_status_400():
    responses = operation(convert(EXAMPLES)[0], "/api/things", "post")["responses"]
    assert set(responses) == {"200", "400"}
    example = responses["400"]["content"]["application/json"]["examples"]["documented"]
    assert example["value"]["code"] == 6001
    assert "6001" in example["summary"]
    schema = responses["400"]["content"]["application/json"]["schema"]
    assert schema["properties"]["code"] == {"type": "integer"}


def test_error_example_with_an_http_code_uses_that_status():
    document, _ = convert(EXAMPLES.replace('"code": 6001', '"code": 404'))
    responses = operation(document, "/api/things", "post")["responses"]
    assert set(responses) == {"200", "404"}


def test_array_and_object_defaults_are_json():
    document, _ = convert(
        _body_page(['`tags`|string Array|标签|`["a", "b"]`|否', "`meta`|Object|元数据|{}|否"])
    )
    props = body_schema(operation(document, "/api/things", "post"))["properties"]
    assert props["tags"]["default"] == ["a", "b"]
    assert props["meta"]["default"] == {}


@pytest.mark.parametrize("heading", ["请求体参数说明", "body 参数说明", "Body 参数"])
def test_body_table_headings(heading):
    text = _body_page(["`a`|string|甲|无|是"]).replace("#### body 参数说明", f"#### {heading}")
    schema = body_schema(operation(convert(text)[0], "/api/things", "post"))
    assert schema["required"] == ["a"]


def test_unknown_subsection_is_a_warning_and_its_text_ignored():
    text = BASIC.replace("#### 正常返回", "#### 其他说明\n\n一些说明。\n\n#### 正常返回")
    document, warnings = convert(text)
    assert operation(document, "/api/tasks/{id}", "get")["summary"] == "获取任务"
    assert any("'其他说明'" in w for w in warnings)
