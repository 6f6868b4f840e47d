"""Answers, body examples and request lines as the newer pages of the doc set write them
(pipeline-api.md, a page written for these tests): JSON under 返回说明, `#### output`
tables, error lists with repeated keys, several answers in one block, unquoted keys, a
broken body sample, log lines, a fixed query value, placeholders written as words, a body
that links to another operation, nulls in examples. Expected values are read off the page."""

from __future__ import annotations

import pytest
from converter_helpers import PAGES, body_schema, convert, line_of, operation, params
from openapi_schema_validator import OAS30Validator

PAGE = PAGES / "pipeline-api.md"
PIPELINES = "/openapi/pipelines"


@pytest.fixture(scope="module")
def pipeline() -> tuple[dict, list[str]]:
    return convert(PAGE.read_text(encoding="utf-8"))


def _line(marker: str) -> int:
    return line_of(PAGE.read_text(encoding="utf-8"), marker)


def _values(response: dict, media: str = "application/json") -> list:
    return [e["value"] for e in response["content"][media]["examples"].values()]


def _warned(warnings: list[str], line: int, text: str) -> bool:
    return any(w.startswith(f"line {line}: ") and text in w for w in warnings)


def test_every_operation_of_the_page(pipeline):
    doc, _ = pipeline
    found = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert found == {
        (PIPELINES, "post"),
        (PIPELINES, "get"),
        (PIPELINES + "/{name}", "put"),
        (PIPELINES + "/{name}/copy", "post"),
        (PIPELINES + "/{name}/detail", "get"),
        (PIPELINES + "/{name}", "delete"),
        (PIPELINES + "/{name}/tasks", "post"),
        (PIPELINES + "/{param1}/tasks/{taskId}/logs/{lines}", "get"),
    }


def test_fixed_query_value_is_a_required_enum(pipeline):
    doc, warnings = pipeline
    source = params(operation(doc, PIPELINES, "post"))[("query", "source")]
    assert source["required"] is True
    assert source["schema"] == {"type": "string", "enum": ["template"]}
    assert _warned(warnings, _line("POST /openapi/pipelines?source"), "enum [template]")


def test_json_under_return_notes_is_the_answer_and_unquoted_keys_are_read(pipeline):
    doc, warnings = pipeline
    ok = operation(doc, PIPELINES, "post")["responses"]["200"]
    assert _values(ok) == [{"message": "success"}]
    assert _warned(warnings, _line("{message:"), "not strict JSON")


def test_error_list_with_repeated_keys_is_one_example_per_code(pipeline):
    doc, warnings = pipeline
    responses = operation(doc, PIPELINES, "post")["responses"]
    assert _values(responses["401"]) == [{"resultCode": 401, "errorMsg": "auth failed!"}]
    assert _values(responses["400"]) == [{"resultCode": 6701, "errorMsg": "template not found"}]
    # resultCode 0 is the success code: no error example for it
    assert set(responses) == {"200", "400", "401"}
    assert _warned(warnings, _line('"resultCode": 0') - 1, "repeated keys: read as 3")


def test_null_in_an_example_makes_the_field_nullable(pipeline):
    doc, _ = pipeline
    create = operation(doc, PIPELINES, "post")
    media = create["requestBody"]["content"]["application/json"]
    assert media["schema"]["properties"]["repo"]["nullable"] is True
    assert media["examples"]["documented"]["value"]["repo"] is None
    detail = operation(doc, PIPELINES + "/{name}/detail", "get")["responses"]["200"]
    schema = detail["content"]["application/json"]["schema"]
    assert schema["properties"]["steps"]["items"]["properties"]["repo"]["nullable"] is True
    for holder in (media, detail["content"]["application/json"]):
        for example in holder["examples"].values():
            assert not list(OAS30Validator(holder["schema"]).iter_errors(example["value"]))


def test_json_in_a_details_container_with_comments_and_a_missing_comma(pipeline):
    doc, _ = pipeline
    detail = operation(doc, PIPELINES + "/{name}/detail", "get")["responses"]["200"]
    [value] = _values(detail)
    assert value["name"] == "nightly"
    assert [step["name"] for step in value["steps"]] == ["build", "notify"]
    assert value["update_time"] == 1690215924


def test_output_table_is_the_answer_fields(pipeline):
    doc, _ = pipeline
    listing = operation(doc, PIPELINES, "get")["responses"]["200"]
    schema = listing["content"]["application/json"]["schema"]
    assert schema["properties"]["name"] == {"type": "string", "description": "流水线名称"}
    assert schema["properties"]["stage"] == {"type": "integer", "description": "阶段数"}


def test_several_answers_under_comments_each_under_its_status(pipeline):
    doc, warnings = pipeline
    responses = operation(doc, PIPELINES + "/{name}", "delete")["responses"]
    assert _values(responses["400"]) == [{"code": 6702, "message": "流水线不存在"}]
    assert _values(responses["500"]) == [{"code": 500, "message": "Internal Error"}]
    assert "text/plain" not in responses["400"]["content"]
    assert _warned(warnings, _line("# 流水线不存在"), "2 JSON values in one block")


def test_broken_body_sample_is_kept_as_page_text(pipeline):
    doc, warnings = pipeline
    media = operation(doc, PIPELINES + "/{name}/tasks", "post")["requestBody"]["content"]
    body = media["application/json"]
    assert "examples" not in body
    assert '"type" = "repo"' in body["x-page-example"]
    assert body["schema"]["required"] == ["branch"]
    assert _warned(warnings, _line('"type" = "repo"'), "kept as x-page-example")


def test_log_lines_are_a_text_answer(pipeline):
    doc, _ = pipeline
    logs = operation(doc, PIPELINES + "/{param1}/tasks/{taskId}/logs/{lines}", "get")
    ok = logs["responses"]["200"]
    assert list(ok["content"]) == ["text/plain"]
    assert _values(ok, "text/plain")[0].splitlines()[:2] == ['"log line 1"', '"log line 2"']


def test_placeholders_written_as_words_become_named_path_parameters(pipeline):
    doc, warnings = pipeline
    # from the table row that describes it (流水线名称 -> name)
    update = params(operation(doc, PIPELINES + "/{name}", "put"))
    assert update[("path", "name")]["required"] is True
    line = _line("PUT /openapi/pipelines/<")
    assert _warned(warnings, line, "'流水线名称' is a description, not a name: named 'name'")
    # without a table: the doc set's name, the letters in it, else a number
    logs = operation(doc, PIPELINES + "/{param1}/tasks/{taskId}/logs/{lines}", "get")
    assert [(p["in"], p["name"]) for p in logs["parameters"]] == [
        ("path", "param1"),
        ("path", "taskId"),
        ("path", "lines"),
    ]
    assert [p["description"] for p in logs["parameters"]] == ["流水线名称", "任务ID", "lines行数"]
    line = _line("GET /openapi/pipelines/\u2039")
    for words, name in (("流水线名称", "param1"), ("任务ID", "taskId"), ("lines行数", "lines")):
        assert _warned(warnings, line, f"'{words}' is a description, not a name: named '{name}'")


def test_body_that_links_to_another_operation_takes_its_body(pipeline):
    doc, warnings = pipeline
    create = body_schema(operation(doc, PIPELINES, "post"))
    update = body_schema(operation(doc, PIPELINES + "/{name}", "put"))
    assert update == create
    assert update["required"] == ["name", "template"]
    assert _warned(warnings, _line("参考[创建流水线参数]"), "the body of '创建流水线'")


def test_body_linking_to_another_page_is_a_warning(pipeline):
    doc, warnings = pipeline
    assert "requestBody" not in operation(doc, PIPELINES + "/{name}/copy", "post")
    assert _warned(warnings, _line("/api/pipeline-template/#"), "no operation of this page")


def test_a_label_line_in_an_answer_section_says_which_answer_follows(pipeline):
    doc, _ = pipeline
    responses = operation(doc, PIPELINES + "/{name}/copy", "post")["responses"]
    assert _values(responses["200"]) == [{"message": "success"}]
    assert _values(responses["400"]) == [{"code": 6703, "message": "流水线已存在"}]
