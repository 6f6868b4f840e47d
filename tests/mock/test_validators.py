"""The mock's compiled validators (jsonschema-rs) refuse exactly what pure-Python jsonschema, which
connexion would use, refuses: same verdict on the spec's own schemas."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from api_contract.schemas import first_error, json_schema
from mock_server.validators import parse_json

from .support import CREATE, PAGE_EXAMPLE, SPEC

BODY_SCHEMA = SPEC["paths"][CREATE]["post"]["requestBody"]["content"]["application/json"]["schema"]
TARGET = PAGE_EXAMPLE["targets"][0]

BODIES: list[Any] = [
    PAGE_EXAMPLE,
    {**PAGE_EXAMPLE, "targets": []},
    {**PAGE_EXAMPLE, "namespace": ""},
    {**PAGE_EXAMPLE, "extra": {"deep": [1, 2.5, None, True]}},
    {**PAGE_EXAMPLE, "workflow_name": 1},
    {**PAGE_EXAMPLE, "workflow_name": None},
    {**PAGE_EXAMPLE, "targets": {}},
    {**PAGE_EXAMPLE, "targets": [{**TARGET, "name": ["x"]}]},
    {**PAGE_EXAMPLE, "targets": [{"name": "proxy"}]},
    {**PAGE_EXAMPLE, "targets": [TARGET, "proxy"]},
    {key: value for key, value in PAGE_EXAMPLE.items() if key != "namespace"},
    {},
    [],
    None,
    "text",
    0,
]


@pytest.mark.parametrize("body", BODIES)
def test_same_verdict_as_jsonschema(body: Any) -> None:
    reference = jsonschema.Draft4Validator(json_schema(BODY_SCHEMA))
    assert (first_error(BODY_SCHEMA, body) is None) == reference.is_valid(body)


def test_nullable_is_honoured() -> None:
    schema = {"type": "string", "nullable": True, "enum": ["a"]}
    assert first_error(schema, None) is None
    assert first_error(schema, "a") is None
    assert first_error(schema, "b") is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'{"a": "\\ud800x"}', {"a": "\ufffdx"}),
        (b'{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),
        (b"[1e999999, -1e999999]", [float("inf"), float("-inf")]),
    ],
)
def test_parse_json_takes_what_go_takes(text: bytes, expected: Any) -> None:
    assert parse_json(text) == expected
