"""The layout of the newest doc set's OpenAPI pages (Zadig 4.x), on a page written for it
(tests/data/pages/rollout-api.md): bold labels, `::: details` / `::: tip` containers, JSON
with `//` and `#` comments, a type shown as labelled examples instead of a table, a key
whose quote slipped (`"kind: "host"`), a required field whose description states when it
applies. Expected values are read off the page."""

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

ROLLOUTS = "/openapi/rollouts"
BATCH = ROLLOUTS + "/batch"
LOGS = ROLLOUTS + "/logs/{projectKey}/{taskId}/{tail}"
TEXT = (PAGES / "rollout-api.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rollout() -> tuple[dict, list[str]]:
    return convert(TEXT)


def _line(marker: str, after: str = "") -> int:
    return line_of(TEXT, marker, after)


def _warned(warnings: list[str], line: int, text: str) -> bool:
    return any(w.startswith(f"line {line}: ") and text in w for w in warnings)


def _documented(media: dict) -> list:
    return [example["value"] for example in media["examples"].values()]


def test_every_operation_of_the_page(rollout):
    found = {
        (path, method): op["summary"]
        for path, item in rollout[0]["paths"].items()
        for method, op in item.items()
    }
    assert found == {
        (ROLLOUTS, "get"): "获取发布计划列表",
        (ROLLOUTS, "post"): "创建发布计划",
        (BATCH, "get"): "获取发布批次详情",
        (BATCH, "post"): "启动发布批次",
        (LOGS, "get"): "发布日志",
    }


def test_variant_examples_are_the_type_schema_never_merged_into_the_body(rollout):
    doc, warnings = rollout
    body = body_schema(operation(doc, BATCH, "post"))
    assert list(body["properties"]) == ["project_key", "rollout_key", "switches", "actions"]
    actions = body["properties"]["actions"]
    assert actions["description"] == "发布动作"
    variants = actions["items"]["anyOf"]
    assert [v["title"] for v in variants] == ["流量动作", "脚本动作"]
    traffic, script = variants
    assert traffic["example"] == {
        "action_name": "canary",
        "action_type": "traffic",
        "parameters": {"weight": 20},
    }
    assert traffic["properties"]["parameters"]["properties"]["weight"] == {
        "type": "integer",
        "description": "新版本的流量比例",
    }
    # `"script": "…"  # …` then `timeout: 30` on the next line: a bare key, a missing comma.
    assert script["example"]["parameters"] == {"script": "curl -s localhost", "timeout": 30}
    assert script["properties"]["action_type"]["description"] == "脚本动作类型，指定为 script"
    assert not any("'[][Action](#action_arg)'" in w for w in warnings)


def test_comments_describe_fields_and_title_the_values_under_them(rollout):
    op = operation(rollout[0], BATCH, "get")
    answer = answer_schema(op)
    assert answer["properties"]["batch_id"] == {"type": "integer", "description": "批次序号"}
    step = answer["properties"]["steps"]["items"]["properties"]
    assert step["hosts"]["description"] == "步骤涉及的主机"
    errors = op["responses"]["400"]["content"]["application/json"]["examples"]
    assert [e["summary"] for e in errors.values()] == [
        "指定的批次不存在 (code 6411)",
        "指定的发布计划已归档 (code 6412)",
    ]
    assert [e["value"]["code"] for e in errors.values()] == [6411, 6412]


def test_a_table_description_wins_over_a_comment(rollout):
    listed = answer_schema(operation(rollout[0], ROLLOUTS, "get"))
    item = listed["properties"]["rollouts"]["items"]["properties"]
    assert item["rollout_key"]["description"] == "发布计划标识"  # table and comment agree
    assert item["windows"] == {"type": "integer", "description": "发布窗口数量"}  # comment only
    assert item["archived_at"] == {}  # only ever null: any type (no `nullable` without one)
    body = body_schema(operation(rollout[0], BATCH, "post"))
    assert body["properties"]["project_key"]["description"] == "项目标识"


def test_a_key_whose_quote_slipped_is_mended(rollout):
    doc, warnings = rollout
    media = operation(doc, BATCH, "post")["requestBody"]["content"]["application/json"]
    assert "x-page-example" not in media
    (value,) = _documented(media)
    assert value["switches"][1] == {
        "name": "cart",
        "kind": "host",
        "host": {"ip": "10.0.0.8", "ports": [8080]},
    }
    assert _warned(warnings, _line("```", after="**body 参数样例**") + 1, "not strict JSON")


def test_a_required_field_with_a_stated_condition_that_the_example_leaves_out(rollout):
    doc, warnings = rollout
    switch = body_schema(operation(doc, BATCH, "post"))["properties"]["switches"]["items"]
    assert switch["required"] == ["name", "kind"]
    assert switch["properties"]["value"]["description"] == "开关取值，当类型为 flag 时使用该字段"
    line = _line("| `value` | string        | 开关取值")
    assert _warned(warnings, line, "'value' is marked required")
    example = _line('"project_key": "shop"') - 1  # the block's first line
    assert _warned(warnings, line, f"body example at line {example} leaves it out")


def test_a_required_field_left_out_without_a_condition_rejects_the_example():
    doc, warnings = convert(
        page(
            """
            ## 创建

            **请求**

            ```
            POST /api/things
            ```

            **body 参数说明**

            """
        )
        + table("name|string|名称|无|是", "size|int|大小，当类型为 disk 时使用|无|是")
        + '\n**body 参数示例**\n\n```json\n{"size": 3}\n```\n'
    )
    media = operation(doc, "/api/things", "post")["requestBody"]["content"]["application/json"]
    assert media["x-page-example"] == {"size": 3}
    assert "examples" not in media
    assert body_schema(operation(doc, "/api/things", "post"))["required"] == ["name", "size"]
    assert any("'name' is a required property" in w for w in warnings)


def test_note_containers_and_unlabelled_text_are_the_description(rollout):
    op = operation(rollout[0], BATCH, "post")
    assert op["description"] == (
        "- 只有发布计划的负责人可以启动批次。\n- 下面分别介绍流量动作和脚本动作的参数。"
    )
    # A container right above an example is a note, not the example's label.
    create = operation(rollout[0], ROLLOUTS, "post")
    assert create["description"] == "- 示例中的主机须已接入项目。"
    (example,) = create["requestBody"]["content"]["application/json"]["examples"].values()
    assert example["summary"] == "Example from the page"
    logs = operation(rollout[0], LOGS, "get")
    assert logs["description"] == "- 发布批次执行完毕后，可以通过该接口查看完整日志。"


def test_columns_in_any_order_with_a_required_column_and_int64(rollout):
    doc, _ = rollout
    window = body_schema(operation(doc, ROLLOUTS, "post"))["properties"]["windows"]["items"]
    assert window == {
        "type": "object",
        "required": ["start", "hosts"],
        "properties": {
            "start": {"type": "integer", "format": "int64", "description": "开始时间"},
            "hosts": {"type": "array", "items": {}, "description": "主机列表"},
            # The table leaves it undescribed; the example's comment describes it.
            "note": {"type": "string", "description": "窗口备注"},
        },
    }
    found = params(operation(doc, BATCH, "get"))
    assert found[("query", "batchId")]["schema"] == {"type": "integer", "format": "int64"}


def test_a_text_answer_keeps_its_label(rollout):
    text = operation(rollout[0], LOGS, "get")["responses"]["200"]["content"]["text/plain"]
    (example,) = text["examples"].values()
    assert example["summary"] == "该接口返回纯文本，格式如下"
    assert example["value"] == '"step 1 done"\n"step 2 done"'


def test_placeholders_written_as_words_take_the_doc_sets_names(rollout):
    found = params(operation(rollout[0], LOGS, "get"))
    assert [key for key in found] == [
        ("path", "projectKey"),
        ("path", "taskId"),
        ("path", "tail"),
    ]


def test_json_under_a_types_table_is_checked_against_it():
    doc, warnings = convert(
        page(
            """
            ## 取

            **请求**

            ```
            GET /api/things
            ```

            **返回说明**

            |参数名|类型|描述|
            |---|---|---|
            |`items`|[]Item|条目|

            **Item 参数说明**

            |参数名|类型|描述|
            |---|---|---|
            |`size`|int|大小|

            ```json
            {"size": 3}
            ```

            ```json
            {"size": "big"}
            ```
            """
        )
    )
    item = answer_schema(operation(doc, "/api/things", "get"))["properties"]["items"]["items"]
    assert item["example"] == {"size": 3}
    assert any(
        "example of type '[]Item' does not fit its table (size: 'big'" in w for w in warnings
    )
