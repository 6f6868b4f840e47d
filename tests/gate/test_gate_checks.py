"""The gate's expectations come from the spec, not from its own code."""

from __future__ import annotations

import copy
import dataclasses

from contract_tests.checks import expected_error
from contract_tests.contract import CANCEL, load_contract
from openapi import SPEC_PATH


def test_expected_error_lists_the_envelope_fields_of_the_spec() -> None:
    contract = load_contract(SPEC_PATH)
    cancel = contract.operation(CANCEL)
    message = contract.entry(6163).message
    assert expected_error(contract, cancel, 6163) == (
        'HTTP 400, application/json, envelope {"code": 6163, "description": <any string>, '
        f'"extra": <any object>, "message": "{message}", "type": "error"}}'
    )
    schema = copy.deepcopy(cancel.error_schema)
    schema["properties"]["trace_id"] = {"type": "string"}
    wider = dataclasses.replace(cancel, error_schema=schema)
    assert '"trace_id": <any string>' in expected_error(contract, wider, 6163)
