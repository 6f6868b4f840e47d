"""Requests that the contract says must fail, one per documented error rule.

Each probe names a 400 example of the spec (its `code` is the expected answer) or a rule of
the request schema. Safe probes never name the fixture workflow: only workflow and project
names that cannot exist, ids far above any real one, ids that are not integers and malformed
bodies, so even a server that skips a check cannot touch a real task. Probes marked `full`
name the fixture (they change the task counter or, on a faulty target, create a task).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from api_contract.checks import incomplete_body_expectation
from api_contract.missing_fields import MISSING_FIELDS_KEY
from api_contract.operations import PAGE_SAMPLE, Operation
from api_contract.spec import Contract
from contract_tests.contract import SECTION_AUTH, SECTION_BODY, SECTION_ERROR, SECTION_PATH
from contract_tests.http_client import NO_BODY
from contract_tests.settings import Settings

# Situations only the project's mock can set up (through its admin API): see test_status_rules.
MOCK_ONLY = {"task_not_restartable", "task_passed"}
# Probes that must name the fixture workflow to reach their code: a server that skipped the
# check they aim at would create a real task (and a conforming one bumps the task counter).
FULL_ONLY = {"env_not_found", "no_stages"}
FULL_ONLY_WHY = (
    "only reachable by naming a real workflow, which a lax server could turn into a real task: "
    "run the full profile against staging to check it"
)
WRONG_TYPE_VALUE = {"string": 12345, "array": "not-an-array", "object": "not-an-object"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: Any = NO_BODY
    raw_body: bytes | None = None


@dataclass(frozen=True)
class Probe:
    operation_id: str
    name: str
    title: str
    codes: frozenset[int]
    section: str
    spec_ref: str
    profile: str
    build: Callable[[Settings], Request] = field(compare=False, repr=False)
    auth: str = "configured"
    missing_field: str = ""  # a body without this field the page requires
    defect: str = ""  # how a known release answers instead (a 5xx there is a service defect)

    @property
    def id(self) -> str:
        return f"{self.operation_id}-{self.name}"


def task_path(operation: Operation, task_id: Any, pipeline: str) -> str:
    return operation.path.replace("{id}", quote(str(task_id), safe="")).replace(
        "{pipeline}", quote(pipeline, safe="")
    )


def _project_query(settings: Settings) -> dict[str, str]:
    return {"projectName": settings.fixture.project}


def _task_request(operation: Operation, task_id: Callable[[Settings], Any]) -> Callable:
    # No task of a workflow that does not exist: not found, whatever the server checks first.
    def build(settings: Settings) -> Request:
        path = task_path(operation, task_id(settings), settings.absent_name("workflow"))
        return Request(operation.method, path, _project_query(settings))

    return build


def _body_request(operation: Operation, change: Callable[[dict, Settings], Any]) -> Callable:
    def build(settings: Settings) -> Request:
        body = change(settings.fixture.body(), settings)
        query = {"projectName": settings.fixture.project}
        if isinstance(body, bytes):
            return Request(operation.method, operation.path, query, raw_body=body)
        return Request(operation.method, operation.path, query, body=body)

    return build


def _replace(key: str, value: Callable[[Settings], Any]) -> Callable[[dict, Settings], Any]:
    def change(body: dict, settings: Settings) -> dict:
        body[key] = value(settings)
        return body

    return change


def _absent_names(*keys: str) -> Callable[[dict, Settings], Any]:
    def change(body: dict, settings: Settings) -> dict:
        body.update({key: settings.absent_name(key) for key in keys})
        return body

    return change


def _absent(what: str) -> Callable[[Settings], str]:
    return lambda settings: settings.absent_name(what)


# How to provoke each named 400 example of the spec. A named example without a builder here
# shows up in the summary as not checked.
BUILDERS: dict[str, Callable[[Operation], Callable[[Settings], Request]]] = {
    "task_not_found": lambda op: _task_request(op, lambda s: s.absent_id()),
    "bad_task_id": lambda op: _task_request(op, lambda s: s.absent_name("id")),
    # Both names absent (both answer 6542): no check order can make this create a task.
    "project_not_found": lambda op: _body_request(
        op, _absent_names("product_tmpl_name", "workflow_name")
    ),
    "workflow_not_found": lambda op: _body_request(
        op, _replace("workflow_name", _absent("workflow"))
    ),
    "env_not_found": lambda op: _body_request(op, _replace("namespace", _absent("env"))),
    "no_stages": lambda op: _body_request(op, _replace("targets", lambda s: [])),
    "bad_body": lambda op: _body_request(op, lambda body, s: b'{"workflow_name": '),
    "null_body": lambda op: _body_request(op, lambda body, s: None),
}


def unprobed_examples(contract: Contract) -> list[str]:
    """Named 400 examples of the spec that no rule of the gate provokes (shown in the summary)."""
    covered = set(BUILDERS) | MOCK_ONLY | {PAGE_SAMPLE}
    return [
        f"{operation.operation_id}: {name}"
        for operation in contract.operations.values()
        for name in operation.errors
        if name not in covered
    ]


def unanswered_fields(contract: Contract) -> list[str]:
    """Required body fields for which the spec does not say what a server answers when missing."""
    return [
        f"{operation.operation_id}: a body without {key} (the spec's {MISSING_FIELDS_KEY} "
        "does not say what it gets)"
        for operation in contract.operations.values()
        for key in operation.page_required
        if key not in operation.missing_fields
    ]


def full_only_examples(contract: Contract) -> list[str]:
    """Named examples the safe profile leaves alone (see FULL_ONLY)."""
    return [
        f"{operation.operation_id}: {name} ({error.code})"
        for operation in contract.operations.values()
        for name, error in operation.errors.items()
        if name in FULL_ONLY
    ]


def example_probes(contract: Contract) -> list[Probe]:
    probes = []
    for operation in contract.operations.values():
        for error in operation.errors.values():
            if error.name not in BUILDERS or error.name in MOCK_ONLY:
                continue
            section = SECTION_PATH if error.name == "bad_task_id" else SECTION_ERROR
            probes.append(
                Probe(
                    operation_id=operation.operation_id,
                    name=error.name,
                    title=f"{operation.operation_id}: {error.summary} -> {error.code}",
                    codes=frozenset({error.code}),
                    section=f"{operation.section} › {section}",
                    spec_ref=operation.spec_ref("responses.400.examples", error.name),
                    profile="full" if error.name in FULL_ONLY else "safe",
                    build=BUILDERS[error.name](operation),
                    defect=error.description,
                )
            )
    return probes


def body_schema_probes(contract: Contract) -> list[Probe]:
    """Bodies the page calls wrong: a required field missing, or a field of the wrong type.

    A wrong type must be refused with 400. A missing field gets what the spec's
    x-zadig-missing-fields says the documented release answers, or the stricter refusal
    (see `checks.incomplete_body_expectation`). Safe variants carry absent project and
    workflow names; full variants carry the fixture, so a create the release accepts (or a
    target that skips a check) really creates a task, which the gate cancels at the end.
    """
    probes = []
    for operation in contract.operations.values():
        schema = operation.request_schema
        if not schema or 400 not in contract.catalogue:
            continue
        for profile in ("safe", "full"):
            for key in operation.page_required:
                # A field whose answer the spec does not give is noted, not checked.
                if key in operation.missing_fields:
                    probes.append(_missing_field_probe(operation, profile, key))
            for key, change in _wrong_types(schema):
                probes.append(_wrong_type_probe(operation, profile, key, change))
    return probes


def _wrong_types(schema: dict[str, Any]) -> list[tuple[str, Callable[[dict], None]]]:
    breaks: list[tuple[str, Callable[[dict], None]]] = []
    for key, prop in schema.get("properties", {}).items():
        wrong = WRONG_TYPE_VALUE.get(prop.get("type", ""))
        if wrong is not None:
            breaks.append((key, lambda body, k=key, v=wrong: body.update({k: v})))
    return breaks


def _altered_body(profile: str, change: Callable[[dict], None]) -> Callable:
    def alter(body: dict, settings: Settings) -> dict:
        body = copy.deepcopy(body)
        if profile == "safe":
            body["workflow_name"] = settings.absent_name("workflow")
            body["product_tmpl_name"] = settings.absent_name("project")
        change(body)
        return body

    return alter


def _fixture_words(profile: str) -> str:
    return "absent names" if profile == "safe" else "the fixture's names"


def _wrong_type_probe(
    operation: Operation, profile: str, key: str, change: Callable[[dict], None]
) -> Probe:
    words = _fixture_words(profile)
    return Probe(
        operation_id=operation.operation_id,
        name=f"wrong_type_{key}-{profile}",
        title=f"{operation.operation_id}: body with {key} of the wrong type ({words}) -> 400",
        codes=frozenset({400}),
        section=f"{operation.section} › {SECTION_BODY}",
        spec_ref=operation.spec_ref("requestBody.content.application/json.schema"),
        profile=profile,
        build=_body_request(operation, _altered_body(profile, change)),
    )


def _missing_field_probe(operation: Operation, profile: str, key: str) -> Probe:
    expected = incomplete_body_expectation(operation, key, names_exist=profile == "full")
    return Probe(
        operation_id=operation.operation_id,
        name=f"missing_{key}-{profile}",
        title=f"{operation.operation_id}: body without {key} ({_fixture_words(profile)}) "
        f"-> {expected.describe()}",
        codes=expected.codes,
        section=f"{operation.section} › {SECTION_BODY}",
        spec_ref=operation.spec_ref(MISSING_FIELDS_KEY),
        profile=profile,
        build=_body_request(operation, _altered_body(profile, lambda body: body.pop(key, None))),
        missing_field=key,
    )


def auth_probes(contract: Contract) -> list[Probe]:
    """No token and a wrong token must be refused (401 or 403, any body)."""
    probes = []
    for operation in contract.operations.values():
        base = next(
            (BUILDERS[n] for n in ("task_not_found", "project_not_found") if n in operation.errors),
            None,
        )
        if base is None or 401 not in operation.statuses:
            continue
        for auth in ("none", "bad"):
            probes.append(
                Probe(
                    operation_id=operation.operation_id,
                    name=f"auth_{auth}_token",
                    title=f"{operation.operation_id}: {auth} token -> 401 or 403",
                    codes=frozenset({401, 403}),
                    section=f"{operation.section} › {SECTION_AUTH}",
                    spec_ref=operation.spec_ref("responses.401") + " / components.securitySchemes",
                    profile="safe",
                    build=base(operation),
                    auth=auth,
                )
            )
    return probes
