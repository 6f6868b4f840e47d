"""A layout variation does not change what a page means: the workflow page rewritten in each
spelling of the doc set converts to the same operations, parameters, schemas and examples."""

from __future__ import annotations

import re
from typing import Any

import pytest
from converter_helpers import REPO, convert

PAGE = (REPO / "openapi" / "source" / "workflow-api.md").read_text(encoding="utf-8")


def _required_words(yes: str, no: str):
    def rewrite(text: str) -> str:
        text = re.sub(r"\|是\|$", f"|{yes}|", text, flags=re.M)
        return re.sub(r"\|否\|$", f"|{no}|", text, flags=re.M)

    return rewrite


def _placeholders(style: str):
    def rewrite(text: str) -> str:
        def line(match: re.Match[str]) -> str:
            return re.sub(r":(\w+)", style.replace("NAME", r"\1"), match.group(0))

        return re.sub(r"^(?:GET|POST|PUT|DELETE) /\S+$", line, text, flags=re.M)

    return rewrite


VARIATIONS = {
    "### headings": lambda t: t.replace("#### ", "### "),
    "no blank lines": lambda t: re.sub(r"\n\s*\n", "\n", t),
    "stray spaces in headings": lambda t: re.sub(r"^(#+) (.+)$", r"\1   \2  ", t, flags=re.M),
    "must/optional": _required_words("must", "optional"),
    "required/optional": _required_words("required", "optional"),
    "必须/可选": _required_words("必须", "可选"),
    "true/false": _required_words("true", "false"),
    "Y/N": _required_words("Y", "N"),
    "<name>": _placeholders("<NAME>"),
    "{name}": _placeholders("{NAME}"),
    "路径参数 / body 参数": lambda t: t.replace("路径参数说明", "路径参数").replace(
        "body 参数说明", "body 参数"
    ),
    "成功返回 / 错误返回": lambda t: t.replace("正常返回", "成功返回").replace(
        "异常返回", "错误返回"
    ),
    "返回 / 错误码": lambda t: t.replace("正常返回", "返回").replace("异常返回", "错误码"),
    "integer, []Object": lambda t: t.replace("|int|", "|integer|").replace(
        "|Object Array|", "|[]Object|"
    ),
}


def _meaning(document: dict[str, Any]) -> dict[str, Any]:
    """What a client relies on: no summaries, descriptions or example summaries."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("description", "summary")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(document["paths"])


BASELINE = _meaning(convert(PAGE)[0])


@pytest.mark.parametrize("name", list(VARIATIONS))
def test_variation_converts_to_the_same_spec(name):
    varied = VARIATIONS[name](PAGE)
    assert varied != PAGE
    document, _ = convert(varied)
    assert _meaning(document) == BASELINE
