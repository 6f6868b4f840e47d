"""The error catalogue the gate enforces says what the page's own `异常返回` examples say.

A frontend shows the catalogue's `message`; the page is the contract. The page's examples
are read from the page file itself (not restated), so a changed message in the overlay, or
in the spec built from it, fails here.
"""

from __future__ import annotations

import json

import pytest
import yaml
from markdown_it import MarkdownIt

from api_contract.catalogue import CATALOGUE_KEY
from contract_tests.contract import load_contract
from openapi import OVERLAY_PATH, SOURCE_PATH, SPEC_PATH

ERROR_HEADING = "异常返回"


def page_errors() -> list[tuple[str, dict]]:
    """(the page's section, its `异常返回` example) for every section that has one."""
    tokens = MarkdownIt().parse(SOURCE_PATH.read_text(encoding="utf-8"))
    found, section, heading = [], "", ""
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            text = tokens[index + 1].content.strip()
            if token.tag == "h2":
                section = text
            heading = text
        elif token.type == "fence" and heading == ERROR_HEADING:
            found.append((section, json.loads(token.content)))
    return found


PAGE_ERRORS = page_errors()


def test_the_page_has_its_three_error_examples() -> None:
    assert len(PAGE_ERRORS) == 3, PAGE_ERRORS


@pytest.mark.parametrize(
    ("section", "example"), PAGE_ERRORS, ids=[str(e["code"]) for _, e in PAGE_ERRORS]
)
def test_catalogue_message_is_the_pages(section: str, example: dict) -> None:
    code, message = example["code"], example["message"]
    overlay = yaml.safe_load(OVERLAY_PATH.read_text(encoding="utf-8"))
    assert overlay["components"][CATALOGUE_KEY][str(code)]["message"] == message
    contract = load_contract(SPEC_PATH)
    assert contract.entry(code).message == message
    # Every named example of the page's operation that answers this code says it too.
    [operation] = [op for op in contract.operations.values() if op.section == section]
    raw = contract.raw["paths"][operation.path][operation.method]
    examples = raw["responses"]["400"]["content"]["application/json"]["examples"]
    answering = [ex["value"] for ex in examples.values() if ex["value"]["code"] == code]
    assert answering, f"{operation.operation_id} documents no example answering {code}"
    assert {value["message"] for value in answering} == {message}
