"""The gate's expectations come from the spec, not from its own code."""

from __future__ import annotations

import copy
import dataclasses

from api_contract.checks import expected_error
from contract_tests.contract import CANCEL, CREATE, load_contract
from contract_tests.fuzz import api_operation, confine, load_schema
from contract_tests.settings import OPTIONS, build_settings, dest
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
    error = dataclasses.replace(cancel.answers[400], schema=schema)
    wider = dataclasses.replace(cancel, answers={**cancel.answers, 400: error})
    assert '"trace_id": <any string>' in expected_error(contract, wider, 6163)


def test_generated_cases_leave_the_null_body_to_its_own_rule() -> None:
    """A team that deselects the null_body rule (v1.7.1 answers 500) must not meet it again
    in a generated case; a confined body names a project that cannot exist."""
    contract = load_contract(SPEC_PATH)
    values = {dest(option): option.default for option in OPTIONS}
    values["zadig_base_url"] = "http://127.0.0.1:9"
    settings = build_settings(values, contract, SPEC_PATH)
    operation = contract.operation(CREATE)
    case = api_operation(load_schema(settings, contract), operation).Case(body=None)
    confine(case, settings)
    assert case.body == {"product_tmpl_name": settings.absent_name("project")}
