"""The layout variations of one doc set's pages, each on a page written for it
(tests/data/pages: artifact-api.md, template-api.md, scan-api.md). Expected values are
read off those pages."""

from __future__ import annotations

import pytest
import yaml
from converter_helpers import PAGES, body_schema, convert, line_of, operation, page, params, table

from openapi import cli

ITEMS = "/api/aslan/artifact/items"
DETAIL = ITEMS + "/{artifactId}/detail"
TEMPLATES = "/api/aslan/template/{kind}/templates"
TEMPLATE = TEMPLATES + "/{name}"
SCANS = "/api/aslan/scan/{projectName}/tasks"
SCAN = SCANS + "/{taskId}"


def _convert(name: str) -> tuple[dict, list[str]]:
    warnings: list[str] = []
    text = cli.convert((PAGES / name).read_text(encoding="utf-8"), None, warnings.append)
    return yaml.safe_load(text), warnings


def _line(name: str, marker: str) -> int:
    return line_of((PAGES / name).read_text(encoding="utf-8"), marker)


@pytest.fixture(scope="module")
def artifact() -> tuple[dict, list[str]]:
    return _convert("artifact-api.md")


@pytest.fixture(scope="module")
def template() -> tuple[dict, list[str]]:
    return _convert("template-api.md")


@pytest.fixture(scope="module")
def scan() -> tuple[dict, list[str]]:
    return _convert("scan-api.md")


def _example(holder: dict, name: str = "documented") -> object:
    return holder["content"]["application/json"]["examples"][name]["value"]


# --- every operation of each page -------------------------------------------------


def test_every_operation_of_each_page_is_emitted(artifact, template, scan):
    found = {
        name: {(path, method) for path, item in doc[0]["paths"].items() for method in item}
        for name, doc in (("artifact", artifact), ("template", template), ("scan", scan))
    }
    assert found == {
        "artifact": {(ITEMS, "get"), (DETAIL, "get")},
        "template": {(TEMPLATES, "post"), (TEMPLATE, "delete")},
        "scan": {(SCANS, "post"), (SCAN, "get")},
    }


# --- headings: ### or ####, no blank line, stray spaces, no space after # ----------


def test_third_level_headings_without_blank_lines(artifact):
    op = operation(artifact[0], ITEMS, "get")
    assert op["summary"] == "获取制品列表"
    assert [p["name"] for p in op["parameters"]] == ["projectName", "status", "page", "image"]


def test_headings_with_stray_spaces(artifact, scan):
    # '###  请求', '###   路径参数', '### Query  参数说明 ', '#### 请求 ', '####   body 参数说明'
    found = params(operation(artifact[0], DETAIL, "get"))
    assert set(found) == {("path", "artifactId"), ("query", "withLogs")}
    assert body_schema(operation(scan[0], SCANS, "post"))["required"] == ["name", "rules"]


def test_heading_without_space_after_hashes_is_read_with_a_warning(scan):
    document, warnings = scan
    ok = operation(document, SCANS, "post")["responses"]["200"]
    assert _example(ok) == {"task_id": 12}
    line = _line("scan-api.md", "####正常返回")
    assert f"line {line}: no space after '#': read as a heading" in warnings


# --- table section names -----------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "where"),
    [
        ("Query", "query"),
        ("Query 参数说明", "query"),
        ("Query参数", "query"),
        ("路径参数", "path"),
        ("路径参数说明", "path"),
    ],
)
def test_parameter_section_names(heading, where):
    name = "id" if where == "path" else "q"
    text = page(f"""
        ## 取
        #### 请求
        ```
        GET /api/things/:id?q=:q
        ```
        #### {heading}
        {{rows}}
        """).format(rows=table(f"`{name}`|int|编号|无|是"))
    found = params(operation(convert(text)[0], "/api/things/{id}", "get"))
    assert found[(where, name)]["schema"] == {"type": "integer"}
    assert found[(where, name)]["description"] == "编号"


@pytest.mark.parametrize("heading", ["body 参数", "body 参数说明", "Body参数说明"])
def test_body_section_names(heading):
    text = page(f"""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### {heading}
        {{rows}}
        """).format(rows=table("`a`|string|甲|无|是", "`b`|int|乙|无|否"))
    schema = body_schema(operation(convert(text)[0], "/api/things", "post"))
    assert schema["required"] == ["a"]
    assert schema["properties"]["b"] == {"type": "integer", "description": "乙"}


def test_body_table_under_body_heading_with_nested_tables(template):
    schema = body_schema(operation(template[0], TEMPLATES, "post"))
    assert schema["required"] == ["name", "spec"]
    spec = schema["properties"]["spec"]
    assert spec["type"] == "object" and spec["required"] == ["image"]
    assert spec["properties"]["timeout"] == {
        "type": "integer",
        "description": "超时秒数",
        "default": 600,
    }
    owners = schema["properties"]["owners"]
    assert owners["items"]["required"] == ["user"]


# --- 是否必须 words ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "no"),
    [
        ("是", "否"),
        ("must", "optional"),
        ("required", "optional"),
        ("必须", "可选"),
        ("true", "false"),
        ("Y", "N"),
        ("Required", "Optional"),
        ("必传", "非必传"),
    ],
)
def test_required_words(yes, no):
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        {rows}
        """).format(rows=table(f"`a`|string|甲|无|{yes}", f"`b`|string|乙|无|{no}"))
    assert body_schema(operation(convert(text)[0], "/api/things", "post"))["required"] == ["a"]


def test_required_words_on_the_pages(artifact, template, scan):
    listing = params(operation(artifact[0], ITEMS, "get"))
    assert [listing[("query", n)]["required"] for n in ("projectName", "image")] == [False, True]
    create = params(operation(template[0], TEMPLATES, "post"))
    assert create[("query", "projectName")]["required"] is True  # 必须
    assert create[("query", "dryRun")]["required"] is False  # 可选
    assert body_schema(operation(template[0], TEMPLATES, "post"))["required"] == ["name", "spec"]
    detail = params(operation(artifact[0], DETAIL, "get"))
    assert detail[("query", "withLogs")]["required"] is False  # optional
    query = params(operation(scan[0], SCAN, "get"))
    assert query[("query", "detail")]["required"] is False  # 否


def test_conditionally_required_is_optional_with_a_warning(scan):
    document, warnings = scan
    rule = body_schema(operation(document, SCANS, "post"))["properties"]["rules"]["items"]
    assert rule["required"] == ["id"]
    assert rule["properties"]["paths"]["description"] == "扫描目录（按目录扫描时必填）"
    line = _line("scan-api.md", "按目录扫描时必填")
    assert f"line {line}: '按目录扫描时必填' in 是否必须 is a condition: taken as optional" in (
        warnings
    )


# --- placeholders ------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_line",
    [
        "GET /api/repos/:owner/:repo/branches?limit=:limit",
        "GET /api/repos/<owner>/<repo>/branches?limit=<limit>",
        "GET /api/repos/{owner}/{repo}/branches?limit={limit}",
        "GET /api/repos/:owner/{repo}/branches?limit=<limit>",
    ],
)
def test_placeholder_styles_in_path_and_query(request_line):
    text = (
        page("""
        ## 取
        #### 请求
        ```
        REQUEST
        ```
        #### 路径参数说明
        {path}
        #### Query 参数说明
        {query}
        """)
        .format(
            path=table("`owner`|string|所有者|无|是", "`repo`|string|仓库|无|是"),
            query=table("`limit`|int|条数|20|否"),
        )
        .replace("REQUEST", request_line)
    )
    document, warnings = convert(text)
    assert list(document["paths"]) == ["/api/repos/{owner}/{repo}/branches"]
    found = params(operation(document, "/api/repos/{owner}/{repo}/branches", "get"))
    assert list(found) == [("path", "owner"), ("path", "repo"), ("query", "limit")]
    assert found[("query", "limit")]["schema"] == {"type": "integer", "default": 20}
    assert warnings == []


def test_placeholders_on_the_pages(artifact, template, scan):
    assert ("path", "artifactId") in params(operation(artifact[0], DETAIL, "get"))  # <name>
    assert [p["name"] for p in operation(template[0], TEMPLATE, "delete")["parameters"]] == [
        "kind",
        "name",
    ]  # {name}
    assert list(params(operation(scan[0], SCAN, "get"))) == [
        ("path", "projectName"),
        ("path", "taskId"),
        ("query", "detail"),
    ]  # :name


# --- 默认值 --------------------------------------------------------------------------


def test_free_text_default_goes_to_the_description(artifact):
    found = params(operation(artifact[0], ITEMS, "get"))
    project = found[("query", "projectName")]
    assert project["schema"] == {"type": "string"}
    assert project["description"] == "项目名称（默认值：默认为空，返回全部项目的制品）"
    assert found[("query", "status")]["schema"] == {"type": "string", "default": "ready"}
    assert found[("query", "page")]["schema"] == {"type": "integer", "default": 1}
    assert "default" not in found[("query", "image")]["schema"]


def test_free_text_default_of_an_integer_is_no_default(template):
    weight = body_schema(operation(template[0], TEMPLATES, "post"))["properties"]["weight"]
    assert weight == {"type": "integer", "description": "排序权重（默认值：不填则排在最后）"}


def test_value_like_default_of_the_wrong_type_is_a_warning():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things?n=:n&tags=:tags
        ```
        #### Query 参数说明
        {rows}
        """).format(rows=table("`n`|int|数量|abc|否", "`tags`|string Array|标签|[x|否"))
    document, warnings = convert(text)
    found = params(operation(document, "/api/things", "get"))
    assert found[("query", "n")]["schema"] == {"type": "integer"}
    assert found[("query", "n")]["description"] == "数量（默认值：abc）"
    assert "default" not in found[("query", "tags")]["schema"]
    lines = text.splitlines()
    rows = [n for n, line in enumerate(lines, 1) if line.startswith(("|`n`", "|`tags`"))]
    assert warnings == [
        f"line {rows[0]}: default 'abc' is not a valid integer: kept in the description, "
        "no default",
        f"line {rows[1]}: default '[x' is not a valid array: kept in the description, no default",
    ]


# --- types --------------------------------------------------------------------------


def test_types_on_the_template_page(template):
    props = body_schema(operation(template[0], TEMPLATES, "post"))["properties"]
    shapes = {name: {k: v for k, v in prop.items() if k == "type"} for name, prop in props.items()}
    assert shapes == {
        "name": {"type": "string"},
        "labels": {"type": "array"},
        "ports": {"type": "array"},
        "version": {"type": "integer"},
        "shared": {"type": "boolean"},
        "vars": {"type": "object"},
        "spec": {"type": "object"},
        "owners": {"type": "array"},
        "weight": {"type": "integer"},
    }
    assert props["labels"]["items"] == {"type": "string"}  # []string
    assert props["ports"]["items"] == {"type": "string"}  # string Array
    assert props["version"] == {
        "type": "integer",
        "format": "int64",
        "description": "模板版本",
        "default": 1,
    }
    assert props["shared"]["default"] is True


@pytest.mark.parametrize(
    ("type_", "schema"),
    [
        ("int", {"type": "integer"}),
        ("integer", {"type": "integer"}),
        ("int64", {"type": "integer", "format": "int64"}),
        ("bool", {"type": "boolean"}),
        ("boolean", {"type": "boolean"}),
        ("string Array", {"type": "array", "items": {"type": "string"}}),
        ("[]string", {"type": "array", "items": {"type": "string"}}),
        ("Object", {"type": "object"}),
        ("object", {"type": "object"}),
        ("Object Array", {"type": "array", "items": {"type": "object"}}),
        ("[]int64", {"type": "array", "items": {"type": "integer", "format": "int64"}}),
        ("map[string]string", {"type": "object", "additionalProperties": {"type": "string"}}),
    ],
)
def test_type_names(type_, schema):
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        {rows}
        """).format(rows=table(f"`f`|{type_}|字段|无|是"))
    prop = body_schema(operation(convert(text)[0], "/api/things", "post"))["properties"]["f"]
    assert prop == {**schema, "description": "字段"}


def test_named_type_tables_give_the_items_fields(scan):
    rules = body_schema(operation(scan[0], SCANS, "post"))["properties"]["rules"]
    assert rules["type"] == "array"
    item = rules["items"]
    assert item["type"] == "object"
    assert list(item["properties"]) == ["id", "level", "paths"]
    assert item["properties"]["level"]["default"] == "warn"
    assert item["properties"]["paths"]["items"] == {"type": "string"}


def test_named_type_without_its_table_is_an_object_with_a_warning():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        {rows}
        """).format(rows=table("`cfg`|BuildConfig|配置|无|是"))
    document, warnings = convert(text)
    prop = body_schema(operation(document, "/api/things", "post"))["properties"]["cfg"]
    assert prop == {"type": "object", "description": "配置"}
    row = next(n for n, line in enumerate(text.splitlines(), 1) if "`cfg`" in line)
    assert (
        f"line {row}: type 'BuildConfig' of 'cfg' is not described on the page; taken as "
        "an object" in warnings
    )


# --- answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "status"),
    [
        ("正常返回", "200"),
        ("成功返回", "200"),
        ("返回", "200"),
        ("异常返回", "400"),
        ("错误返回", "400"),
        ("错误码", "400"),
    ],
)
def test_answer_section_names(heading, status):
    answer = '{"code": 6001, "message": "失败"}' if status == "400" else '{"id": 3}'
    text = page(f"""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### {heading}
        ```json
        {answer}
        ```
        """)
    responses = operation(convert(text)[0], "/api/things", "get")["responses"]
    assert set(responses) == {"200", status}
    assert "content" in responses[status]


def test_success_and_error_examples_on_the_pages(artifact, template, scan):
    listing = operation(artifact[0], ITEMS, "get")["responses"]
    assert _example(listing["200"])[0]["image"] == "registry.local/shop/cart:v3"
    assert _example(listing["400"])["code"] == 400  # 错误返回 with an HTTP code
    create = operation(template[0], TEMPLATES, "post")["responses"]
    assert _example(create["200"]) == {"id": "tpl-7", "created": True}  # 返回
    assert _example(create["400"])["code"] == 6401  # 异常返回, 6xxx -> 400
    delete = operation(template[0], TEMPLATE, "delete")["responses"]
    assert _example(delete["400"])["description"] == "template is in use"  # 错误码 as JSON
    query = operation(scan[0], SCAN, "get")["responses"]
    assert _example(query["200"])["issues"] == [{"rule": 3, "file": "main.go"}]


def test_error_code_table_gives_one_example_per_code_under_its_status(artifact):
    document, warnings = artifact
    responses = operation(document, DETAIL, "get")["responses"]
    assert set(responses) == {"200", "400", "404"}
    assert _example(responses["400"], "code_6301") == {"code": 6301, "message": "制品不存在"}
    assert _example(responses["400"], "code_6302") == {"code": 6302, "message": "制品已被清理"}
    assert _example(responses["404"], "code_404") == {"code": 404, "message": "项目不存在"}
    assert "6301 制品不存在" in responses["400"]["description"]
    line = _line("artifact-api.md", "|错误码|描述|")
    assert any(w.startswith(f"line {line}: error codes read from a table") for w in warnings)


def test_error_code_table_without_a_code_column_guesses_the_numbers_with_a_warning():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### 错误码
        |编号|含义|
        |---|---|
        |6010|没有权限|
        """)
    document, warnings = convert(text)
    responses = operation(document, "/api/things", "get")["responses"]
    assert _example(responses["400"], "code_6010") == {"code": 6010, "message": "没有权限"}
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("|编号"))
    assert (
        f"line {line}: error code table without a '错误码' column: codes read from "
        "column '编号'" in warnings
    )


def test_error_code_list_items():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### 错误码
        - 6020: 项目不存在
        - 403：没有权限
        """)
    responses = operation(convert(text)[0], "/api/things", "get")["responses"]
    assert _example(responses["400"], "code_6020") == {"code": 6020, "message": "项目不存在"}
    assert _example(responses["403"], "code_403") == {"code": 403, "message": "没有权限"}


def test_several_error_examples_each_under_its_status():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### 异常返回
        ```json
        {"code": 6030, "message": "a"}
        ```
        ```json
        {"code": 404, "message": "b"}
        ```
        ```json
        {"code": 6031, "message": "c"}
        ```
        """)
    responses = operation(convert(text)[0], "/api/things", "get")["responses"]
    assert set(responses) == {"200", "400", "404"}
    assert [
        e["value"]["code"]
        for e in responses["400"]["content"]["application/json"]["examples"].values()
    ] == [6030, 6031]


def test_bold_labels_in_place_of_headings():
    text = page("""
        ## 取

        **请求**

        ```http
        GET /api/things/:id
        ```

        **路径参数说明**

        {rows}

        **正常返回**

        ```json
        {{"id": 1}}
        ```
        """).format(rows=table("`id`|int64|编号|无|是"))
    op = operation(convert(text)[0], "/api/things/{id}", "get")
    assert params(op)[("path", "id")]["schema"] == {"type": "integer", "format": "int64"}
    assert _example(op["responses"]["200"]) == {"id": 1}


def test_request_parameter_table_is_placed_by_the_request_line():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things/:id?force=:force
        ```
        #### 请求参数
        {rows}
        """).format(
        rows=table("`id`|int|编号|无|是", "`force`|bool|强制|false|否", "`name`|string|名称|无|是")
    )
    op = operation(convert(text)[0], "/api/things/{id}", "post")
    assert list(params(op)) == [("path", "id"), ("query", "force")]
    assert body_schema(op)["required"] == ["name"]


def test_operations_at_level_three_under_group_headings():
    text = page("""
        ## 环境

        ### 获取环境
        #### 请求
        ```
        GET /api/envs/:name HTTP/1.1
        ```
        #### 正常返回
        ```json
        {"name": "dev"}
        ```

        ### 删除环境
        #### 请求
        ```
        DELETE /api/envs/:name
        ```

        ## 服务

        ### 获取服务
        #### 请求
        ```
        GET /api/services
        ```
        """)
    document, warnings = convert(text)
    found = {
        (path, method, op["summary"])
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    assert found == {
        ("/api/envs/{name}", "get", "获取环境"),
        ("/api/envs/{name}", "delete", "删除环境"),
        ("/api/services", "get", "获取服务"),
    }
    assert not any("not one the converter knows" in w for w in warnings)


def test_error_example_without_a_code_is_answered_with_400():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### 异常返回
        ```json
        {"message": "参数错误"}
        ```
        """)
    responses = operation(convert(text)[0], "/api/things", "get")["responses"]
    assert _example(responses["400"]) == {"message": "参数错误"}


def test_numbered_and_english_section_headings():
    text = page("""
        ## 1. 获取列表
        ### 1.1 请求
        ```
        GET /api/list?page=:page
        ```
        ### 1.2 Query Parameters
        {rows}
        ### 1.3 返回示例
        ```json
        {{"total": 1}}
        ```
        """).format(rows=table("`page`|Integer|页码|1|否"))
    document, warnings = convert(text)
    op = operation(document, "/api/list", "get")
    assert op["summary"] == "1. 获取列表"
    assert params(op)[("query", "page")]["schema"] == {"type": "integer", "default": 1}
    assert _example(op["responses"]["200"]) == {"total": 1}
    assert warnings == []


def test_answer_field_table_describes_the_example_schema():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### 正常返回
        ```json
        [{"id": 1, "owner": {"name": "a"}}]
        ```
        #### 返回说明
        |参数名|类型|描述|
        |---|---|---|
        |`id`|int|编号|
        |`owner`|Object|负责人|
        |`tags`|[]string|标签|

        其中 `owner` 中的参数说明如下：

        |参数名|类型|描述|
        |---|---|---|
        |`name`|string|姓名|
        """)
    document, warnings = convert(text)
    ok = operation(document, "/api/things", "get")["responses"]["200"]
    item = ok["content"]["application/json"]["schema"]["items"]
    assert item["properties"]["id"] == {"type": "integer", "description": "编号"}
    assert item["properties"]["owner"]["properties"]["name"] == {
        "type": "string",
        "description": "姓名",
    }
    assert item["properties"]["tags"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": "标签",
    }
    assert _example(ok) == [{"id": 1, "owner": {"name": "a"}}]
    assert warnings == []


def test_answer_field_table_without_example_is_the_schema():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### 返回参数说明
        |参数名|类型|描述|
        |---|---|---|
        |`total`|int64|总数|
        """)
    ok = operation(convert(text)[0], "/api/things", "get")["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {
        "type": "object",
        "properties": {"total": {"type": "integer", "format": "int64", "description": "总数"}},
    }


def test_request_written_as_a_curl_command():
    text = page("""
        ## 建
        #### 请求
        ```bash
        curl -X POST -H 'Authorization: Bearer t' \\
          'https://zadig.example.com/api/things/:id?force=:force' \\
          -d '{"name": "a"}'
        ```
        """)
    document, warnings = convert(text)
    op = operation(document, "/api/things/{id}", "post")
    assert list(params(op)) == [("path", "id"), ("query", "force")]
    media = op["requestBody"]["content"]["application/json"]
    assert media["examples"]["documented"]["value"] == {"name": "a"}
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("curl"))
    assert (
        f"line {line}: request read from a curl command: POST /api/things/:id?force=:force"
        in warnings
    )


def test_answer_that_is_not_json_is_a_text_example_with_a_warning():
    text = page("""
        ## 删
        #### 请求
        ```
        DELETE /api/things/:id
        ```
        #### 正常返回
        ```
        success
        ```
        #### 异常返回
        ```
        404 page not found
        ```
        """)
    document, warnings = convert(text)
    responses = operation(document, "/api/things/{id}", "delete")["responses"]
    ok = responses["200"]["content"]["text/plain"]
    assert ok["examples"]["documented"]["value"] == "success"
    assert responses["400"]["content"]["text/plain"]["examples"]["documented"]["value"] == (
        "404 page not found"
    )
    lines = [n + 1 for n, row in enumerate(text.splitlines(), 1) if row == "```"][::2]
    assert [w for w in warnings if "not JSON" in w] == [
        f"line {lines[1]}: answer example is not JSON: kept as text/plain",
        f"line {lines[2]}: answer example is not JSON: kept as text/plain",
    ]


SERVICES = "/api/aslan/service/services"


@pytest.fixture(scope="module")
def service() -> tuple[dict, list[str]]:
    return _convert("service-api.md")


def test_service_page_bold_labels_curl_and_request_parameters(service):
    document, warnings = service
    op = operation(document, SERVICES, "get")
    assert op["summary"] == "1. 获取服务列表"
    found = params(op)
    assert list(found) == [("query", "projectName"), ("query", "type")]
    assert found[("query", "projectName")]["required"] is True
    assert found[("query", "type")]["schema"] == {"type": "string", "default": "k8s"}
    line = _line("service-api.md", "curl -X GET")
    assert any(w.startswith(f"line {line}: request read from a curl command") for w in warnings)


def test_service_page_answer_table_and_error_code_list(service):
    responses = operation(service[0], SERVICES, "get")["responses"]
    item = responses["200"]["content"]["application/json"]["schema"]["items"]
    # The example shows an integer; the table's int64 says more and holds it.
    assert item["properties"]["revision"] == {
        "type": "integer",
        "format": "int64",
        "description": "版本号",
    }
    assert item["properties"]["owner"] == {"type": "object", "description": "负责人"}
    assert _example(responses["200"]) == [
        {"service_name": "cart", "revision": 3, "labels": {"tier": "web"}}
    ]
    assert _example(responses["400"], "code_6601") == {"code": 6601, "message": "项目不存在"}
    assert _example(responses["400"], "code_6602") == {"code": 6602, "message": "服务类型不支持"}


def test_service_page_numbered_sections_header_and_text_answer(service):
    op = operation(service[0], SERVICES + "/{name}", "put")
    assert list(params(op)) == [("path", "name"), ("header", "X-Request-Id")]
    schema = body_schema(op)
    assert schema["required"] == ["replicas"]
    assert schema["properties"]["env"]["additionalProperties"] == {"type": "string"}
    assert schema["properties"]["replicas"]["default"] == 1
    ok = op["responses"]["200"]["content"]["text/plain"]["examples"]["documented"]["value"]
    assert ok == "success"
    assert _example(op["responses"]["400"]) == {"message": "服务不存在"}


def test_operations_at_level_one_with_sections_at_level_two():
    text = page("""
        # 获取列表
        ## 请求
        ```
        GET /api/list?page=:page
        ```
        ## Query
        {rows}
        """).format(rows=table("`page`|int|页码|1|否"))
    op = operation(convert(text)[0], "/api/list", "get")
    assert op["summary"] == "获取列表"
    assert params(op)[("query", "page")]["schema"] == {"type": "integer", "default": 1}


def test_error_code_table_with_an_http_status_column():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### 错误码
        |错误码|HTTP 状态码|描述|
        |---|---|---|
        |6050|404|对象不存在|
        |6051||参数错误|
        """)
    responses = operation(convert(text)[0], "/api/things", "get")["responses"]
    assert set(responses) == {"200", "400", "404"}
    assert _example(responses["404"], "code_6050") == {"code": 6050, "message": "对象不存在"}
    assert _example(responses["400"], "code_6051") == {"code": 6051, "message": "参数错误"}


def test_error_code_table_whose_only_numbers_are_under_a_status_title():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### 错误码
        |状态码|描述|
        |---|---|
        |6060|超时|
        """)
    document, warnings = convert(text)
    responses = operation(document, "/api/things", "get")["responses"]
    assert _example(responses["400"], "code_6060") == {"code": 6060, "message": "超时"}
    assert any("codes read from column '状态码'" in w for w in warnings)


def test_dotted_row_names_are_nested_fields():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        {rows}
        """).format(
        rows=table(
            "`targets`|Object Array|目标|无|是",
            "`targets[].name`|string|名称|无|是",
            "`targets[].build`|Object|构建|无|否",
            "`targets[].build.branch`|string|分支|`main`|否",
        )
    )
    schema = body_schema(operation(convert(text)[0], "/api/things", "post"))
    item = schema["properties"]["targets"]["items"]
    assert item["required"] == ["name"]
    assert item["properties"]["build"]["properties"]["branch"] == {
        "type": "string",
        "description": "分支",
        "default": "main",
    }


def test_parameter_name_with_a_note_is_read_as_its_identifier():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things?projectName=:projectName
        ```
        #### Query
        {rows}
        """).format(rows=table("`projectName`（项目标识）|string|项目|无|是"))
    document, warnings = convert(text)
    assert ("query", "projectName") in params(operation(document, "/api/things", "get"))
    assert any("read as 'projectName'" in w for w in warnings)
