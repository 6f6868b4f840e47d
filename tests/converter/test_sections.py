"""Which heading is an operation: the one that owns a request line (release-api.md, a page
written for these tests: `##` groups over `###` operations, operations directly at `##`
between them, a group holding one operation). Expected values are read off the page."""

from __future__ import annotations

import re

import pytest
from converter_helpers import PAGES, convert, line_of, operation, page, params

PAGE = PAGES / "release-api.md"
VERSIONS = "/openapi/release/versions"
PRODUCTION = "/openapi/release/production/versions"


@pytest.fixture(scope="module")
def release() -> tuple[dict, list[str]]:
    return convert(PAGE.read_text(encoding="utf-8"))


def _line(marker: str, after: str = "") -> int:
    return line_of(PAGE.read_text(encoding="utf-8"), marker, after)


def test_every_request_line_of_the_page_is_an_operation(release):
    doc, _ = release
    text = PAGE.read_text(encoding="utf-8")
    lines = re.findall(r"^(GET|POST|PUT|DELETE) (\S+)$", text, re.M)
    found = [(method, path) for path, item in doc["paths"].items() for method in item]
    assert len(found) == len(lines) == 7
    assert sorted(found) == sorted(
        [
            ("get", "/openapi/release/plans"),
            ("get", VERSIONS),
            ("get", PRODUCTION),
            ("get", VERSIONS + "/{version}/labels"),
            ("delete", VERSIONS + "/{version}"),
            ("delete", PRODUCTION + "/{version}"),
            ("post", VERSIONS + "/{version}/archive"),
        ]
    )


def test_summary_names_the_group_when_the_heading_alone_is_ambiguous(release):
    doc, _ = release
    summaries = {
        (path, method): op["summary"]
        for path, item in doc["paths"].items()
        for method, op in item.items()
    }
    assert summaries[(VERSIONS, "get")] == "获取发布版本 / 测试环境"
    assert summaries[(PRODUCTION, "get")] == "获取发布版本 / 生产环境"
    assert summaries[(VERSIONS + "/{version}", "delete")] == "删除发布版本 / 测试环境"
    assert summaries[(PRODUCTION + "/{version}", "delete")] == "删除发布版本 / 生产环境"
    # Operations directly at `##`, before and between the groups, keep their heading.
    assert summaries[("/openapi/release/plans", "get")] == "获取发布计划列表"
    assert summaries[(VERSIONS + "/{version}/labels", "get")] == "获取发布标签"


def test_each_grouped_operation_keeps_its_own_parameters(release):
    doc, _ = release
    for path in (VERSIONS, PRODUCTION, "/openapi/release/plans"):
        query = params(operation(doc, path, "get"))
        assert list(query) == [("query", "projectKey")]
        assert query[("query", "projectKey")]["required"] is True
    for path, method in (
        (VERSIONS + "/{version}/labels", "get"),
        (VERSIONS + "/{version}", "delete"),
        (PRODUCTION + "/{version}", "delete"),
        (VERSIONS + "/{version}/archive", "post"),
    ):
        found = params(operation(doc, path, method))
        assert list(found) == [("path", "version")]
        assert found[("path", "version")]["schema"] == {"type": "string"}


def test_a_group_holding_one_operation_is_that_operation(release):
    doc, warnings = release
    op = operation(doc, VERSIONS + "/{version}/archive", "post")
    assert op["summary"] == "归档发布版本"
    line = _line("### 测试环境", after="## 归档发布版本")
    assert any(
        w.startswith(f"line {line}: heading '测试环境' is the only operation under")
        for w in warnings
    ), warnings


def test_operations_under_a_group_before_one_at_the_group_level():
    text = page(
        """
        ## 服务列表

        ### 测试服务

        #### 请求

        ```
        GET /api/services
        ```

        ### 生产服务

        #### 请求

        ```
        GET /api/production/services
        ```

        ## 服务标签

        #### 请求

        ```
        GET /api/services/:name/labels
        ```
        """
    )
    doc, _ = convert(text)
    summaries = {
        (path, method): op["summary"]
        for path, item in doc["paths"].items()
        for method, op in item.items()
    }
    assert summaries == {
        ("/api/services", "get"): "测试服务",
        ("/api/production/services", "get"): "生产服务",
        ("/api/services/{name}/labels", "get"): "服务标签",
    }


def test_a_one_word_heading_owning_a_request_line_is_an_operation():
    text = page(
        """
        ## Deploy

        ### 请求

        ```
        POST /api/deploy
        ```

        ### body 参数说明

        |参数名|类型|描述|默认值|是否必须|
        |---|---|---|---|---|
        |`env`|Env|环境|无|是|

        #### Env

        |参数名|类型|描述|
        |---|---|---|
        |`name`|string|环境名称|
        """
    )
    doc, _ = convert(text)
    op = operation(doc, "/api/deploy", "post")
    assert op["summary"] == "Deploy"
    # a one-word heading that owns no request line is still a type's table
    env = op["requestBody"]["content"]["application/json"]["schema"]["properties"]["env"]
    assert env["properties"]["name"]["type"] == "string"
