"""Type tables and the ways a 类型 cell points at them, on a page written for it
(tests/data/pages/host-api.md): types written as links, headings written as HTML,
type headings that are only the name, types shared across the page, `option` in
是否必须. Expected values are read off the page."""

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
    table,
)

from api_contract.schemas import schema_problems
from openapi.model import ConversionError

HOSTS = "/openapi/hosts"
HOST = HOSTS + "/{name}"
DISK = {
    "type": "object",
    "properties": {
        "device": {"type": "string", "description": "设备名"},
        "size_gb": {"type": "integer", "description": "容量"},
    },
}


@pytest.fixture(scope="module")
def host() -> tuple[dict, list[str]]:
    return convert((PAGES / "host-api.md").read_text(encoding="utf-8"))


def _line(marker: str) -> int:
    return line_of((PAGES / "host-api.md").read_text(encoding="utf-8"), marker)


def test_every_operation_of_the_page(host):
    found = {(path, method) for path, item in host[0]["paths"].items() for method in item}
    assert found == {(HOSTS, "get"), (HOSTS, "post"), (HOST, "get")}


def test_option_in_required_column_is_optional(host):
    found = params(operation(host[0], HOSTS, "get"))
    assert found[("query", "group")]["required"] is True  # must
    assert found[("query", "verbose")]["required"] is False  # option
    assert found[("query", "verbose")]["schema"] == {"type": "boolean", "default": False}
    probe = body_schema(operation(host[0], HOSTS, "post"))["properties"]["probe"]
    assert probe["required"] == ["timeout"]


def test_link_type_and_html_heading(host):
    # `[][HostInfo](#host_info)` under `<h4 id="host_info">HostInfo 参数说明</h4>`, whose
    # `disks` are `[][Disk](#Disk-1)` under `<h4 id="Disk-1">Disk</h4>` (the bare name).
    answer = answer_schema(operation(host[0], HOSTS, "get"))
    hosts = answer["properties"]["hosts"]
    assert hosts["type"] == "array"
    item = hosts["items"]
    assert set(item["properties"]) == {"name", "ip", "disks"}
    assert item["properties"]["ip"] == {"type": "string", "description": "主机地址"}
    assert item["properties"]["disks"]["items"] == DISK
    assert answer["properties"]["total"] == {"type": "integer", "description": "主机总数"}


def test_type_found_by_anchor_when_its_text_names_no_table(host):
    body = body_schema(operation(host[0], HOSTS, "post"))
    assert body["required"] == ["host"]
    # `[ProbeArgs](#probe)`: no ProbeArgs table, the anchor finds "probe 参数说明".
    assert body["properties"]["probe"]["properties"]["port"] == {
        "type": "integer",
        "description": "探活端口",
        "default": 22,
    }
    # `[[]Owner](#owner-1)` under "Owner 结构体"
    owners = body["properties"]["owners"]
    assert owners["type"] == "array"
    assert owners["items"]["required"] == ["uid"]
    # `Agent(#agent_conf)`: a link without brackets
    assert body["properties"]["agent"]["required"] == ["version"]
    assert set(body["properties"]["agent"]["properties"]) == {"version"}


def test_lower_case_type_name_under_a_bare_heading(host):
    labels = body_schema(operation(host[0], HOSTS, "post"))["properties"]["labels"]
    assert labels["type"] == "array"
    assert labels["items"]["required"] == ["key"]
    assert set(labels["items"]["properties"]) == {"key", "value"}


def test_type_tables_are_shared_by_the_page(host):
    # `[HostSpec](#host_info)` in the second operation, `[HostInfo](#host_info)` and
    # `[][Disk](#Disk-1)` in the third: all described under the first.
    body = body_schema(operation(host[0], HOSTS, "post"))
    assert set(body["properties"]["host"]["properties"]) == {"name", "ip", "disks"}
    answer = answer_schema(operation(host[0], HOST, "get"))
    assert answer["properties"]["host"]["properties"]["disks"]["items"] == DISK
    assert answer["properties"]["disks"]["items"] == DISK


def test_no_required_column_warning_for_answer_tables(host):
    warnings = host[1]
    assert not [w for w in warnings if "是否必须" in w], warnings
    assert warnings == []


def test_nearest_table_of_a_name_above_the_field():
    # Two operations each describe their own `Item`: each uses its own.
    text = page("""
        ## 甲
        #### 请求
        ```
        POST /api/a
        ```
        #### body 参数说明
        {a}
        #### Item 参数说明
        {item_a}
        ## 乙
        #### 请求
        ```
        POST /api/b
        ```
        #### body 参数说明
        {b}
        #### Item 参数说明
        {item_b}
        """).format(
        a=table("`x`|[]Item|列表|无|是"),
        item_a=table("`p`|string|甲|无|是"),
        b=table("`y`|[Item](#item)|单项|无|是"),
        item_b=table("`q`|int|乙|无|否"),
    )
    document, _ = convert(text)
    a = body_schema(operation(document, "/api/a", "post"))["properties"]["x"]["items"]
    b = body_schema(operation(document, "/api/b", "post"))["properties"]["y"]
    assert set(a["properties"]) == {"p"}
    assert set(b["properties"]) == {"q"}


def test_bare_heading_no_field_uses_is_an_error():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        {rows}
        #### extras
        {extra}
        """).format(rows=table("`a`|string|甲|无|是"), extra=table("`b`|string|乙|无|否"))
    with pytest.raises(ConversionError) as caught:
        convert(text)
    assert caught.value.line == 15  # the heading
    assert "'extras'" in caught.value.message


def test_lower_case_type_the_page_does_not_describe_is_an_error():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        {rows}
        """).format(rows=table("`a`|string|甲|无|是", "`b`|[]widget|乙|无|否"))
    with pytest.raises(ConversionError) as caught:
        convert(text)
    assert caught.value.line == 14
    assert "unknown type '[]widget'" in caught.value.message


def test_more_link_and_heading_spellings():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        {rows}
        #### <a id="item-x"></a>Entry 参数说明
        {item}
        #### Spec 结构说明
        {spec}
        """).format(
        rows=table(
            "`a`|[`Whatever`](#item-x)|甲|无|是",
            "`b`|[]*Spec|乙|无|否",
            "`c`|[Remote](../other/#remote)|丙|无|否",
        ),
        item=table("`p`|string|项|无|是"),
        spec=table("`q`|int|规格|无|否"),
    )
    document, warnings = convert(text)
    body = body_schema(operation(document, "/api/things", "post"))
    # the anchor of a Markdown heading given in inline HTML
    assert body["properties"]["a"]["required"] == ["p"]
    # a Go pointer, a "结构说明" heading
    assert body["properties"]["b"]["items"]["properties"] == {
        "q": {"type": "integer", "description": "规格"}
    }
    # a link to another page: its name only, not described here
    assert body["properties"]["c"] == {"type": "object", "description": "丙"}
    assert (
        "line 15: type '[Remote](../other/#remote)' of 'c' is not described on the page; "
        "taken as an object" in warnings
    )


def test_type_tables_in_a_section_of_their_own():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        {rows}
        ## 数据结构
        ### Item 参数说明
        {item}
        ### <a id="tag-def"></a>Tag
        {tag}
        """).format(
        rows=table("`a`|[]Item|甲|无|是", "`t`|[Label](#tag-def)|标签|无|否"),
        item=table("`p`|string|项|无|是"),
        tag=table("`k`|string|键|无|是"),
    )
    document, warnings = convert(text)
    assert list(document["paths"]) == ["/api/things"]
    body = body_schema(operation(document, "/api/things", "post"))
    assert body["properties"]["a"]["items"]["required"] == ["p"]
    assert body["properties"]["t"]["required"] == ["k"]
    assert warnings == []


def test_section_of_tables_no_field_uses_is_an_error():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        ## 数据结构
        ### Other
        {other}
        """).format(other=table("`p`|string|项|无|是"))
    with pytest.raises(ConversionError) as caught:
        convert(text)
    assert caught.value.line == 11


def test_anchor_tag_over_a_heading_and_a_heading_in_html_on_several_lines():
    text = page("""
        ## 建
        #### 请求
        ```
        POST /api/things
        ```
        #### body 参数说明
        {rows}
        <a id="owner-def"></a>
        #### Person
        {person}
        <h4 id="spec-def">
          Spec 参数说明
        </h4>
        {spec}
        """).format(
        rows=table(
            "`owner`|[User](#owner-def)|负责人|无|是",
            "`spec`|[Config](#spec-def)|规格|无|否",
        ),
        person=table("`uid`|uuid|用户 ID|无|是", "`home`|url|主页|无|否"),
        spec=table("`note`|text|备注|无|否"),
    )
    document, warnings = convert(text)
    body = body_schema(operation(document, "/api/things", "post"))
    owner = body["properties"]["owner"]
    assert owner["required"] == ["uid"]
    assert owner["properties"]["uid"] == {
        "type": "string",
        "format": "uuid",
        "description": "用户 ID",
    }
    assert owner["properties"]["home"]["format"] == "uri"
    assert body["properties"]["spec"]["properties"] == {
        "note": {"type": "string", "description": "备注"}
    }
    assert warnings == []


def test_own_table_in_another_case_wins_over_the_page():
    # The first operation describes `Job`; the second links `[][Job](#…)` to its own `job`.
    text = page("""
        ## 甲
        #### 请求
        ```
        POST /api/a
        ```
        #### body 参数说明
        {a}
        #### Job 参数说明
        {job_a}
        ## 乙
        #### 请求
        ```
        POST /api/b
        ```
        #### body 参数说明
        {b}
        #### job
        {job_b}
        """).format(
        a=table("`x`|[]Job|列表|无|是"),
        job_a=table("`p`|string|甲|无|是"),
        b=table("`y`|[][Job](#job-2)|列表|无|是"),
        job_b=table("`q`|int|乙|无|否"),
    )
    document, _ = convert(text)
    b = body_schema(operation(document, "/api/b", "post"))["properties"]["y"]["items"]
    assert set(b["properties"]) == {"q"}


NULL_IN_ITEMS = """
## 获取任务详情

**请求**

```
GET /openapi/tasks/:id
```

**成功返回说明**

| 参数名 | 类型 | 描述 |
| --- | --- | --- |
| `cases` | 用例列表 | [][Case](#case) |

<h4 id="case">Case 参数说明</h4>

| 参数名 | 类型 | 描述 |
| --- | --- | --- |
| `name` | 用例名称 | string |
| `failure` | 失败信息 | [Message](#message) |

<h4 id="message">Message 参数说明</h4>

| 参数名 | 类型 | 描述 |
| --- | --- | --- |
| `message` | 错误消息摘要 | string |

**成功返回示例**

```json
{"cases": [{"name": "a", "failure": null}, {"name": "b", "failure": null}]}
```
"""


def test_a_type_an_example_shows_as_null_stays_nullable():
    """The layout of v4.1's test page: a field typed by a linked table, shown as null in an
    array item of the answer's example. The table gives the shape, the example the null: the
    page's own example fits the spec (the mock answers it, the gate checks it)."""
    document, _ = convert(page(NULL_IN_ITEMS))
    answer = operation(document, "/openapi/tasks/{id}", "get")["responses"]["200"]
    media = answer["content"]["application/json"]
    failure = media["schema"]["properties"]["cases"]["items"]["properties"]["failure"]
    assert failure["nullable"] is True
    assert failure["properties"]["message"]["type"] == "string"
    example = media["examples"]["documented"]["value"]
    assert schema_problems(media["schema"], example, "success body") == []  # the gate's check
