"""Tables of unusual shape, on a page written for it (tests/data/pages/node-api.md): a
delimiter row wider than its header, a one-row `| 类型 | 说明 |` table typing the whole
answer, 类型 and 描述 swapped, a parameter table right under the request line with no
heading. Expected values are read off the page."""

from __future__ import annotations

import pytest
from converter_helpers import (
    PAGES,
    answer_schema,
    body_schema,
    convert,
    line_of,
    operation,
    page,
    params,
)

from openapi.model import ConversionError

USAGE = "/openapi/nodes/usage"
NODES = "/openapi/nodes"
EVENTS = "/openapi/nodes/{name}/events"
LABELS = "/openapi/nodes/labels"


@pytest.fixture(scope="module")
def node() -> tuple[dict, list[str]]:
    return convert((PAGES / "node-api.md").read_text(encoding="utf-8"))


def _line(marker: str) -> int:
    return line_of((PAGES / "node-api.md").read_text(encoding="utf-8"), marker)


def test_every_operation_of_the_page(node):
    found = {(path, method) for path, item in node[0]["paths"].items() for method in item}
    assert found == {
        (USAGE, "get"),
        (NODES, "get"),
        (EVENTS, "get"),
        (LABELS, "get"),
        (LABELS, "post"),
    }


def test_delimiter_wider_than_header_is_read_with_the_header_columns(node):
    document, warnings = node
    found = params(operation(document, USAGE, "get"))
    assert set(found) == {("query", "since"), ("query", "zones")}
    assert found[("query", "since")]["schema"] == {"type": "integer", "format": "int64"}
    assert found[("query", "since")]["required"] is False
    assert found[("query", "zones")]["schema"] == {"type": "array", "items": {"type": "string"}}
    line = _line("|参数名|类型|描述|")
    assert (
        f"line {line}: the delimiter row has 5 columns, the header 3: read with the header's 3"
        in warnings
    )


def test_one_row_type_table_is_the_whole_answer(node):
    document, warnings = node
    answer = answer_schema(operation(document, NODES, "get"))
    assert answer["type"] == "array"
    assert answer["description"] == "节点列表"
    assert answer["items"] == {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "节点名"},
            "ready": {"type": "boolean", "description": "是否就绪"},
            "pods": {"type": "integer", "description": "容器组数量"},
        },
    }
    line = _line("| [][NodeInfo](#node_info) |")
    assert any(w.startswith(f"line {line}: table without a '参数名' column") for w in warnings)


def test_type_and_description_swapped(node):
    document, warnings = node
    answer = answer_schema(operation(document, EVENTS, "get"))
    props = answer["properties"]
    assert props["reason"] == {"type": "string", "description": "事件原因"}
    assert props["count"] == {"type": "integer", "description": "发生次数"}
    assert props["last_seen"]["type"] == "integer"
    assert props["source"]["properties"]["component"]["type"] == "string"
    line = _line("| `reason` |") - 2  # the header
    assert any(w.startswith(f"line {line}: the 类型 column holds descriptions") for w in warnings)
    # '成功返回说明' is a name of the answer's table: no guess, no warning
    heading = _line("**成功返回说明**")
    assert f"line {heading}: heading '成功返回说明' read as a 'success' section" not in warnings
    assert not [w for w in warnings if "table under a success heading" in w]


def test_type_cell_going_on_as_prose(node):
    document, warnings = node
    extra = answer_schema(operation(document, EVENTS, "get"))["properties"]["extra"]
    assert extra == {"type": "object", "description": "附加信息（无附加信息时为 null）"}
    line = _line("| `extra` |")
    assert (
        f"line {line}: type '结构体，无附加信息时为 null' read as '结构体', the rest as its "
        "description" in warnings
    )


def test_table_right_under_the_request_line_get(node):
    document, warnings = node
    found = params(operation(document, LABELS, "get"))
    assert set(found) == {("query", "node"), ("query", "prefix")}
    assert found[("query", "node")]["required"] is True
    assert found[("query", "prefix")]["required"] is False
    line = _line("|`node`|string|节点名|无|是|") - 2
    assert (
        f"line {line}: table right under the request line, without a heading: read as the "
        "request parameters" in warnings
    )


def test_table_right_under_the_request_line_post(node):
    op = operation(node[0], LABELS, "post")
    assert "parameters" not in op
    body = body_schema(op)
    assert body["required"] == ["node", "labels"]
    assert body["properties"]["labels"]["type"] == "array"
    assert body["properties"]["overwrite"]["default"] is False


def test_missing_name_column_names_the_columns_read():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### Query 参数说明
        |类型|说明|
        |---|---|
        |string|甲|
        |int|乙|
        """)
    with pytest.raises(ConversionError) as caught:
        convert(text)
    assert caught.value.line == 11
    assert "columns read: 类型|说明" in caught.value.message


def test_table_under_a_paragraph_is_still_misplaced():
    # Only a table right under the request line is its parameters.
    text = page("""
        ## 取
        ```
        GET /api/things
        ```
        说明文字。

        |参数名|类型|描述|默认值|是否必须|
        |---|---|---|---|---|
        |`a`|string|甲|无|是|
        """)
    with pytest.raises(ConversionError) as caught:
        convert(text)
    assert caught.value.line == 11
    assert "a parameter table must stand under" in caught.value.message


def test_table_under_a_heading_after_the_request_line_is_that_section():
    text = page("""
        ## 建
        ```
        POST /api/things
        ```
        **Query**

        |参数名|类型|描述|默认值|是否必须|
        |---|---|---|---|---|
        |`dry`|bool|试运行|false|否|
        """)
    document, warnings = convert(text)
    assert set(params(operation(document, "/api/things", "post"))) == {("query", "dry")}
    assert not [w for w in warnings if "right under the request line" in w]


def test_row_wider_than_the_header_warns():
    text = page("""
        ## 取
        #### 请求
        ```
        GET /api/things
        ```
        #### Query 参数说明
        |参数名|类型|描述|是否必须|
        |---|---|---|---|
        |`kind`|string|种类|是|是|
        |`page`|int|页码|否|
        """)
    document, warnings = convert(text)
    found = params(operation(document, "/api/things", "get"))
    assert found[("query", "kind")]["required"] is True
    assert found[("query", "page")]["required"] is False
    assert (
        "line 11: row at line 13 has more cells than the header's 4: the extra cells are ignored"
        in warnings
    )


def test_required_word_with_a_note_and_more_spellings():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        |字段名称|类型|注释|是否必须|
        |---|---|---|---|
        |`at`|时间戳|创建时间|否（默认取服务端的值）|
        |`ratio`|浮点数|比例|是|
        |`mode`|枚举|模式|否|
        |`on`|布尔值|开关|否|
        """)
    document, warnings = convert(text)
    body = body_schema(operation(document, "/api/things", "post"))
    assert body["required"] == ["ratio"]
    assert body["properties"] == {
        "at": {"type": "integer", "format": "int64", "description": "创建时间（默认取服务端的值）"},
        "ratio": {"type": "number", "description": "比例"},
        "mode": {"type": "string", "description": "模式"},
        "on": {"type": "boolean", "description": "开关"},
    }
    assert (
        "line 13: '否（默认取服务端的值）' in 是否必须 read as '否', "
        "the rest goes to the description" in warnings
    )


def test_required_column_named_bi_chuan():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        |参数名|类型|说明|是否必传|
        |---|---|---|---|
        |`a`|string|甲|必传|
        |`b`|string|乙|选传|
        """)
    document, warnings = convert(text)
    assert body_schema(operation(document, "/api/things", "post"))["required"] == ["a"]
    assert not [w for w in warnings if "是否必须" in w]
