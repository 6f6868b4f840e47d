"""Input the converter cannot understand: `error: FILE:LINE: ...` naming the right line, exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest
from converter_helpers import REPO, line_of, page, table

OK_REQUEST = "#### 请求\n```\nPOST /api/t/:id\n```\n"
ID_ROW = "`id`|int|编号|无|是"


def _section(body: str) -> str:
    return page("## 操作\n" + body)


CASES = {
    "no request line": (
        page("## 操作\n#### 注意事项\n- x\n#### 路径参数说明\n" + table(ID_ROW)),
        "## 操作",
        "has no request line",
    ),
    "bad request line": (
        _section("#### 请求\n```\nFETCH the things\n```\n"),
        "FETCH",
        "is not 'METHOD",
    ),
    "unknown type": (
        _section(OK_REQUEST + "#### 路径参数说明\n" + table("`id`|integerish|编号|无|是")),
        "integerish",
        "unknown type 'integerish'",
    ),
    "bad required": (
        _section(OK_REQUEST + "#### 路径参数说明\n" + table("`id`|int|编号|无|也许")),
        "|无|也许|",
        "'也许' in 是否必须 is not a word the converter knows",
    ),
    "missing column": (
        _section(
            OK_REQUEST + "#### 路径参数说明\n|参数名|描述|默认值|是否必须|\n"
            "|---|---|---|---|\n|`id`|编号|无|是|\n"
        ),
        "|参数名|",
        "lacks the column '类型'",
    ),
    "invalid json": (
        _section(
            OK_REQUEST
            + "#### 路径参数说明\n"
            + table(ID_ROW)
            + '#### 正常返回\n```json\n{\n  "a": 1,\n  "b" 2\n}\n```\n'
        ),
        '"b" 2',
        "not JSON even leniently",
    ),
    "nested table for unknown field": (
        _section(
            "#### 请求\n```\nPOST /api/t\n```\n#### body 参数说明\n"
            + table("`a`|Object|甲|无|是")
            + "\n其中 `zzz` 中的参数说明如下：\n\n"
            + table("`b`|string|乙|无|是")
        ),
        "其中 `zzz`",
        "'zzz'",
    ),
    "duplicate endpoint": (
        page("## 一\n#### 请求\n```\nGET /a\n```\n## 二\n#### 请求\n```\nGET /a\n```\n"),
        "## 二",
        "already described at line",
    ),
    "unclosed front matter": (
        "---\ntitle: x\n\n## 一\n#### 请求\n```\nGET /a\n```\n",
        "---",
        "never closed",
    ),
    "no operation": (page("# 标题\n\n一些文字。\n"), "---", "no operation found"),
    "table outside a parameter heading": (
        _section(OK_REQUEST + "#### 说明\n" + table(ID_ROW)),
        "|参数名|",
        "must stand under",
    ),
    "nested table for a scalar field": (
        _section(
            "#### 请求\n```\nPOST /api/t\n```\n#### body 参数说明\n"
            + table("`a`|string|甲|无|是")
            + "\n其中 `a` 中的参数说明如下：\n\n"
            + table("`b`|string|乙|无|是")
        ),
        "`b`|",
        "type string has no fields",
    ),
    "error code that is not a number": (
        _section(OK_REQUEST + "#### 错误码\n|错误码|描述|\n|---|---|\n|6001|甲|\n|E02|乙|\n"),
        "|E02|",
        "error code 'E02' is not a number",
    ),
    "error code table with a bad HTTP status": (
        _section(OK_REQUEST + "#### 错误码\n|错误码|状态码|描述|\n|---|---|---|\n|6001|200|甲|\n"),
        "|6001|200|",
        "HTTP status '200' is not a 4xx or 5xx status",
    ),
    "error code table without numbers": (
        _section(OK_REQUEST + "#### 错误码\n|名称|描述|\n|---|---|\n|甲|乙|\n"),
        "|名称|",
        "needs a '错误码' column",
    ),
    "error code list item not understood": (
        _section(OK_REQUEST + "#### 错误码\n- 6001: 甲\n- 参见日志\n"),
        "- 参见日志",
        "'参见日志' under 错误码",
    ),
    "second request line in one operation": (
        _section(OK_REQUEST + "```\nGET /api/other\n```\n"),
        "GET /api/other",
        "a second request line",
    ),
    "two request lines in one block": (
        _section("#### 请求\n```\nGET /api/a\nPOST /api/b\n```\n"),
        "POST /api/b",
        "several request lines",
    ),
    "query string part that is not a name": (
        _section("#### 请求\n```\nGET /api/t?na%me=1\n```\n"),
        "GET /api/t?",
        "'na%me' is not a name",
    ),
    "type described twice": (
        _section(
            "#### 请求\n```\nPOST /api/t\n```\n#### body 参数说明\n"
            + table("`a`|Item|甲|无|是")
            + "#### Item 参数说明\n"
            + table("`b`|int|乙|无|是")
            + "#### Item  参数说明\n"
            + table("`c`|int|丙|无|是")
        ),
        "Item  参数说明",
        "type 'Item' is described twice",
    ),
    # No endpoint is dropped: every request line is an operation's, or an error.
    "request line before any heading": (
        page("GET /api/early\n\n## 操作\n" + OK_REQUEST),
        "GET /api/early",
        "request line before any heading",
    ),
    "second request line written as text": (
        _section(OK_REQUEST + "\nGET /api/other\n"),
        "GET /api/other",
        "a second request line",
    ),
    "request line in an answer section": (
        _section("#### 正常返回\n\nGET /api/t\n"),
        "GET /api/t",
        "request line in a 'success' section",
    ),
    "request line in a code block under an answer": (
        _section(OK_REQUEST + "#### 正常返回\n```\nGET /api/other\n```\n"),
        "GET /api/other",
        "a second request line",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_page_names_the_line(name, tmp_path, run_cli):
    text, marker, message = CASES[name]
    doc = tmp_path / "page.md"
    doc.write_text(text, encoding="utf-8")
    code, out, err = run_cli("convert", str(doc))
    assert code != 0
    assert out == ""
    assert err.startswith(f"error: {doc}:{line_of(text, marker)}: "), err
    assert message in err
    assert "Traceback" not in err


def test_missing_file_is_a_clear_error(tmp_path, run_cli):
    code, _, err = run_cli("convert", str(tmp_path / "absent.md"))
    assert code != 0 and err.startswith("error: ") and "absent.md" in err


def test_console_script_exits_non_zero(tmp_path):
    doc = tmp_path / "page.md"
    doc.write_text(CASES["unknown type"][0], encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "openapi", "convert", str(doc)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown type 'integerish'" in result.stderr and "Traceback" not in result.stderr


def test_page_that_is_not_utf8_is_a_clear_error(tmp_path, run_cli):
    doc = tmp_path / "page.md"
    doc.write_bytes(page("## 一\n").encode("gbk"))
    code, _, err = run_cli("convert", str(doc))
    assert code != 0 and err.startswith("error: ") and "UTF-8" in err
