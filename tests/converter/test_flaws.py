"""The flaws hand-written pages have: survived, with a warning where something was guessed."""

from __future__ import annotations

import pytest
from converter_helpers import body_schema, convert, operation, page, params, table

from openapi import lenient_json


def test_lenient_json_trailing_commas_and_both_comment_styles():
    text = '{\n  "a": [1, 2,],  // list\n  "b": "x # not a comment", # count\n}\n'
    assert lenient_json.loads(text) == {"a": [1, 2], "b": "x # not a comment"}


def test_lenient_json_comment_between_comma_and_closer():
    assert lenient_json.loads('{"a": 1, # last\n}') == {"a": 1}


def test_lenient_json_drops_elided_elements():
    assert lenient_json.loads('{"a": [1, ..., 3],\n  ...\n}') == {"a": [1, 3]}
    assert lenient_json.loads('[{"k": "x ..."}, …]') == [{"k": "x ..."}]


def test_lenient_json_keeps_slashes_inside_strings():
    assert lenient_json.loads('{"url": "http://x//y"}') == {"url": "http://x//y"}


FLAWED_EXAMPLES = page("""
    ## 创建
    #### 请求
    ```
    POST /api/things
    ```
    #### body 参数样例
    ```json
    {
      "name": "a", // 名称
      "items": [{"k": 1,},],
    }
    ```
    #### 正常返回
    ```json
    {
      "task_id": 16 # 序号
    }
    ```
    """)


def test_examples_with_comments_and_trailing_commas_are_kept_with_a_warning():
    document, warnings = convert(FLAWED_EXAMPLES)
    op = operation(document, "/api/things", "post")
    fences = [n for n, line in enumerate(FLAWED_EXAMPLES.splitlines(), 1) if line == "```json"]
    assert warnings == [
        f"line {n + 1}: example is not strict JSON; read with its comments, "
        "trailing commas and '...' dropped"
        for n in fences
    ]
    body = op["requestBody"]["content"]["application/json"]["examples"]["documented"]
    assert body["value"] == {"name": "a", "items": [{"k": 1}]}
    answer = op["responses"]["200"]["content"]["application/json"]["examples"]["documented"]
    assert answer["value"] == {"task_id": 16}


MISMATCH = page("""
    ## 重试
    #### 请求
    ```
    POST /api/task/:id/pipelines/:pipeline/restart?projectName=:projectName
    ```
    #### 路径参数说明
    {rows}
    """).format(
    rows=table(
        "`id`|int|任务 id|无|是",
        "`pipelines`|string|工作流名称|无|是",
        "`projectName`|string|项目|无|否",
    )
)


def test_table_name_differing_from_path_is_reconciled_with_a_warning():
    document, warnings = convert(MISMATCH)
    op = operation(document, "/api/task/{id}/pipelines/{pipeline}/restart", "post")
    found = params(op)
    assert found[("path", "pipeline")]["description"] == "工作流名称"
    assert ("path", "pipelines") not in found
    assert any("'pipelines'" in w and "'pipeline'" in w for w in warnings)


def test_path_table_parameter_in_query_string_goes_to_query_with_a_warning():
    document, warnings = convert(MISMATCH)
    found = params(operation(document, "/api/task/{id}/pipelines/{pipeline}/restart", "post"))
    assert found[("query", "projectName")]["required"] is False
    assert found[("query", "projectName")]["description"] == "项目"
    assert ("path", "projectName") not in found
    assert any("projectName" in w and "query" in w for w in warnings)


def test_warnings_reach_stderr_with_line_numbers(tmp_path, run_cli):
    doc = tmp_path / "page.md"
    doc.write_text(MISMATCH, encoding="utf-8")
    code, out, err = run_cli("convert", str(doc))
    assert code == 0 and out.startswith("openapi: 3.0.3")
    row = (
        MISMATCH.splitlines().index(
            next(line for line in MISMATCH.splitlines() if "`pipelines`" in line)
        )
        + 1
    )
    assert f"warning: {doc}:{row}: table names 'pipelines'" in err
    assert "placed in query" in err


def test_missing_blank_lines_between_sections_and_blocks():
    cramped = (
        page("")
        + '## 一\n#### 请求\n```\nGET /a\n```\n#### 正常返回\n```json\n{"a": 1}\n```\n'
        + "## 二\n#### 请求\n```\nDELETE /b/:id\n```\n#### 路径参数说明\n"
        + table("`id`|int|编号|无|是")
        + '#### 异常返回\n```json\n{"code": 6100}\n```\n'
    )
    document, _ = convert(cramped)
    assert operation(document, "/a", "get")["responses"]["200"]["content"]
    second = operation(document, "/b/{id}", "delete")
    assert params(second)[("path", "id")]["schema"] == {"type": "integer"}
    assert set(second["responses"]) == {"200", "400"}


def test_paragraph_right_under_a_table_is_not_a_row():
    text = page("""
        ## 创建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        {rows}其中 `targets` 中的参数说明如下：
        {nested}
        """).format(
        rows=table("`targets`|Object Array|目标|无|是"), nested=table("`name`|string|名称|无|是")
    )
    document, warnings = convert(text)
    schema = body_schema(operation(document, "/api/things", "post"))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("其中"))
    assert warnings == [f"line {line}: no blank line between a table and this text"]
    assert list(schema["properties"]) == ["targets"]
    assert schema["properties"]["targets"]["items"]["required"] == ["name"]


def test_undocumented_and_optional_path_parameters_are_required_with_warnings():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/:owner/:repo
        ```
        #### 路径参数说明
        {rows}
        """).format(rows=table("`repo`|string|仓库|无|否"))
    document, warnings = convert(text)
    found = params(operation(document, "/api/{owner}/{repo}", "get"))
    assert list(found) == [("path", "owner"), ("path", "repo")]
    assert found[("path", "owner")]["required"] and found[("path", "repo")]["required"]
    assert any("'owner' is not described" in w for w in warnings)
    assert any("'repo' marked optional" in w for w in warnings)


REQUEST = "#### 请求\n```\nGET /api/t/:id\n```\n"
ID_TABLE = table("`id`|int|编号|无|是")
# name: (page, marker on the line the warning names, words of the warning)
GUESSES = {
    "section name guessed from a word": (
        page("## 取\n" + REQUEST + "#### Query 参数列表（可选）\n" + table("`q`|int|甲|无|否")),
        "#### Query 参数列表",
        "heading 'Query 参数列表（可选）' read as a 'query_params' section",
    ),
    "table without 是否必须": (
        page(
            "## 取\n" + REQUEST + "#### Query 参数说明\n|参数名|类型|描述|\n|---|---|---|\n"
            "|`q`|int|甲|\n"
        ),
        "|参数名|类型|描述|",
        "no '是否必须' column",
    ),
    "empty 是否必须": (
        page("## 取\n" + REQUEST + "#### Query 参数说明\n" + table("`q`|int|甲|无| ")),
        "|`q`|",
        "是否必须 is empty: taken as optional",
    ),
    "request line outside a 请求 section": (
        page("## 取\n\n```\nGET /api/t\n```\n"),
        "GET /api/t",
        "request line outside",
    ),
    "type table no field uses": (
        page("## 取\n" + REQUEST + "#### Extra 参数说明\n" + ID_TABLE),
        "#### Extra",
        "type 'Extra' is described but no field uses it",
    ),
    "section without a request line": (
        page("## 概述\n\n本页介绍接口。\n\n## 取\n" + REQUEST),
        "## 概述",
        "section '概述' has no request line: read as prose",
    ),
    "one path spelled two ways on a page": (
        page("## 取\n" + REQUEST + "## 删\n#### 请求\n```\nDELETE /api/t/{key}\n```\n"),
        "## 删",
        "path /api/t/{key} is spelled /api/t/{id} at line",
    ),
    "body example that contradicts its table": (
        page(
            "## 建\n#### 请求\n```\nPOST /api/t\n```\n#### body 参数说明\n"
            + table("`n`|int|数量|无|是")
            + '#### body 参数样例\n```json\n{"n": "x"}\n```\n'
        ),
        '{"n": "x"}',
        "body example does not fit the parameter table",
    ),
    "path-table row absent from the request line": (
        page(
            "## 取\n"
            + REQUEST
            + "#### 路径参数说明\n"
            + table("`id`|int|编号|无|是", "`owner`|string|所有者|无|是")
        ),
        "`owner`",
        "'owner' is listed as a path parameter but the request line has no such",
    ),
    "table name differing only in case": (
        page("## 取\n" + REQUEST + "#### 路径参数说明\n" + table("`ID`|int|编号|无|是")),
        "`ID`",
        "table names 'ID', the request line 'id': taken as 'id'",
    ),
    "error example without a code": (
        page("## 取\n" + REQUEST + '#### 异常返回\n```json\n{"message": "x"}\n```\n'),
        '{"message"',
        "error example without a numeric 'code': answered with 400",
    ),
    "table under a success heading": (
        page("## 取\n" + REQUEST + "#### 正常返回\n" + table("`a`|int|甲|无|是")),
        "|参数名|",
        "table under a success heading: read as the fields of the answer",
    ),
}


@pytest.mark.parametrize("name", list(GUESSES))
def test_each_guess_is_a_warning_naming_its_line(name):
    text, marker, words = GUESSES[name]
    _, warnings = convert(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if marker in row)
    assert any(w.startswith(f"line {line}: ") and words in w for w in warnings), warnings


def test_contradicting_body_example_is_kept_out_of_the_examples():
    text, *_ = GUESSES["body example that contradicts its table"]
    document, _ = convert(text)
    media = operation(document, "/api/t", "post")["requestBody"]["content"]["application/json"]
    assert "examples" not in media
    assert media["x-page-example"] == {"n": "x"}


def test_page_level_error_codes_section_is_every_operations_errors():
    """A page-wide `## 错误码` is no operation, and not only the operation above it's: every
    operation of the page answers its codes."""
    text = page(
        "## 取\n" + REQUEST + '#### 正常返回\n```json\n{"a": 1}\n```\n\n'
        "## 错误码\n\n|错误码|描述|\n|---|---|\n|6001|失败|\n\n"
        "## 删\n#### 请求\n```\nDELETE /api/t/{id}\n```\n"
    )
    document, warnings = convert(text)
    for method in ("get", "delete"):
        responses = operation(document, "/api/t/{id}", method)["responses"]
        assert set(responses) == {"200", "400"}
        examples = responses["400"]["content"]["application/json"]["examples"]
        assert [e["value"] for e in examples.values()] == [{"code": 6001, "message": "失败"}]
    line = text.splitlines().index("## 错误码") + 1
    assert any(
        w.startswith(f"line {line}: section '错误码' lists the page's errors") for w in warnings
    )


def test_section_with_only_notes_is_prose():
    text = page("## 说明\n#### 注意事项\n- 所有接口都需要 Token。\n## 取\n" + REQUEST)
    document, warnings = convert(text)
    assert list(document["paths"]) == ["/api/t/{id}"]
    assert any("section '说明' has no request line" in w for w in warnings)
