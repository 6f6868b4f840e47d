"""Go's encoding/json as the mock words its errors: the scanner's syntax errors (checked before
decoding, the first bad byte named as Go quotes it) and the first type error in document order.
The expected texts are Go's own (encoding/json's scanner and UnmarshalTypeError), written out."""

from __future__ import annotations

import pytest

from mock_server.app import create_app
from mock_server.go_json import decode, syntax_error, type_error
from mock_server.options import MockOptions

from .support import api_client

P = "/openapi/workflows/custom"

SYNTAX = [
    (b"", "unexpected end of JSON input"),
    (b"  \n", "unexpected end of JSON input"),
    (b"{", "unexpected end of JSON input"),
    (b'{"a":', "unexpected end of JSON input"),
    (b'"abc', "unexpected end of JSON input"),
    (b"x", "invalid character 'x' looking for beginning of value"),
    (b"NaN", "invalid character 'N' looking for beginning of value"),
    (b"\x00", "invalid character '\\x00' looking for beginning of value"),
    (b"\xef\xbb\xbf{}", "invalid character '\u00ef' looking for beginning of value"),
    (b"{x", "invalid character 'x' looking for beginning of object key string"),
    (b"{'a':1}", "invalid character '\\'' looking for beginning of object key string"),
    (b'{"a":1,}', "invalid character '}' looking for beginning of object key string"),
    (b'{"a" 1}', "invalid character '1' after object key"),
    (b'{"a":1 "b":2}', "invalid character '\"' after object key:value pair"),
    (b"[1 2]", "invalid character '2' after array element"),
    (b"[1,]", "invalid character ']' looking for beginning of value"),
    (b"{}x", "invalid character 'x' after top-level value"),
    (b"01", "invalid character '1' after top-level value"),
    (b'{"a":tru}', "invalid character '}' in literal true (expecting 'e')"),
    (b"nul", "invalid character ' ' in literal null (expecting 'l')"),
    (b"fals", "invalid character ' ' in literal false (expecting 'e')"),
    (b'{"a":"\x01"}', "invalid character '\\x01' in string literal"),
    (b'"\\q"', "invalid character 'q' in string escape code"),
    (b'"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"),
    (b"-a", "invalid character 'a' in numeric literal"),
    (b"-", "invalid character ' ' in numeric literal"),
    (b"1.x", "invalid character 'x' after decimal point in numeric literal"),
    (b"1ex", "invalid character 'x' in exponent of numeric literal"),
    (b'{"a":1}\n' + b"\t", None),
    (b"-0.5e+3", None),
    (b'[{"a":[true,false,null,"\\u00e9\\n"]}]', None),
]


@pytest.mark.parametrize(("raw", "message"), SYNTAX, ids=[repr(r)[:30] for r, _ in SYNTAX])
def test_syntax_errors_as_go_words_them(raw: bytes, message: str | None) -> None:
    assert syntax_error(raw) == message


def test_invalid_utf8_in_a_string_is_read_as_go_reads_it() -> None:
    assert decode(b'{"a":"\xff"}') == ({"a": "\ufffd"}, None)
    assert decode(b"12345678901234567890123") == (12345678901234567890123, None)


TRIGGER = {
    "type": "object",
    "properties": {
        "workflow_key": {"type": "string"},
        "inputs": {
            "type": "array",
            "items": {"type": "object", "properties": {"job_name": {"type": "string"}}},
        },
    },
}
APPROVE = {
    "type": "object",
    "properties": {"task_id": {"type": "integer"}, "approve": {"type": "boolean"}},
}
T = ("OpenAPICreateCustomWorkflowTaskArgs", "workflow")
A = ("OpenAPIApproveRequest", "workflow")
U = "json: cannot unmarshal "
TYPES = [
    (
        [],
        TRIGGER,
        T,
        f"{U}array into Go value of type workflow.{T[0]}",
    ),
    (
        "x",
        TRIGGER,
        T,
        f"{U}string into Go value of type workflow.{T[0]}",
    ),
    (
        {"workflow_key": 1},
        TRIGGER,
        T,
        f"{U}number into Go struct field {T[0]}.workflow_key of type string",
    ),
    ({"unknown": 1, "workflow_key": None}, TRIGGER, T, None),
    (
        {"task_id": "1"},
        APPROVE,
        A,
        f"{U}string into Go struct field {A[0]}.task_id of type int",
    ),
    (
        {"task_id": 1.5},
        APPROVE,
        A,
        f"{U}number 1.5 into Go struct field {A[0]}.task_id of type int",
    ),
    (
        {"approve": "yes", "task_id": "x"},
        APPROVE,
        A,
        f"{U}string into Go struct field {A[0]}.approve of type bool",
    ),
    (None, APPROVE, A, None),
]


@pytest.mark.parametrize(("body", "schema", "names", "message"), TYPES)
def test_the_first_type_error_in_document_order(body, schema, names, message) -> None:
    assert type_error(body, schema, *names) == message


def test_over_http_trigger_400_and_approve_500() -> None:
    with api_client(create_app(MockOptions())) as client:
        trigger = client.post(f"{P}/task", content=b'{"workflow_key": "a",}')
        assert (trigger.status_code, trigger.json()) == (
            400,
            {
                "code": 400,
                "description": "invalid character '}' looking for beginning of object key string",
                "extra": {},
                "message": "Bad Request",
                "type": "error",
            },
        )
        typed = client.post(f"{P}/task", json={"workflow_key": 7})
        assert typed.json()["description"] == (
            "json: cannot unmarshal number into Go struct field "
            "OpenAPICreateCustomWorkflowTaskArgs.workflow_key of type string"
        )
        approve = client.post(f"{P}/task/approve", content=b"{")
        assert (approve.status_code, approve.json()) == (
            500,
            {
                "code": 500,
                "description": "failed to unmarshal request data, error: "
                "unexpected end of JSON input",
                "message": "Internal Error: ",
            },
        )
