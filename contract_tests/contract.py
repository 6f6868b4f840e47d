"""The contract as the gate reads it from the spec: operations, documented errors, catalogue.

Nothing here restates the contract: operation ids, paths, schemas, the error codes each
operation documents (its 400 examples) and the catalogue's status and message per code are
all read from the spec file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# The spec's operationIds of the three endpoints; the lifecycle needs to tell them apart.
CREATE = "createWorkflowTask"
RESTART = "restartWorkflowTask"
CANCEL = "cancelWorkflowTask"
# Today's workflow-task OpenAPI (openapi/custom-workflow.yaml): its operationIds.
CUSTOM_CREATE = "createCustomWorkflowTask"
CUSTOM_GET = "getCustomWorkflowTask"
CUSTOM_CANCEL = "cancelCustomWorkflowTask"
CUSTOM_LIST = "listCustomWorkflowTasks"
CUSTOM_RETRY = "retryCustomWorkflowTask"
CUSTOM_APPROVE = "approveCustomWorkflowTask"
# Which API a spec describes, by the operations it has: v1.7.1's page, or today's OpenAPI.
APIS = {
    "workflow": (CREATE, RESTART, CANCEL),
    "custom-workflow": (
        CUSTOM_CREATE,
        CUSTOM_GET,
        CUSTOM_CANCEL,
        CUSTOM_LIST,
        CUSTOM_RETRY,
        CUSTOM_APPROVE,
    ),
}
CATALOGUE_KEY = "x-zadig-error-catalogue"
MISSING_FIELDS_KEY = "x-zadig-missing-fields"
# Examples that repeat the page's own sample; the named examples beside them are the rules.
PAGE_SAMPLE = "documented"
# The page's sub-headings, used to point a failure at the part of the page it breaks.
SECTION_SUCCESS = "正常返回"
SECTION_ERROR = "异常返回"
SECTION_BODY = "body 参数说明"
SECTION_PATH = "路径参数说明"
SECTION_AUTH = "注意事项"  # "需要有…的权限"


@dataclass(frozen=True)
class CatalogueEntry:
    code: int
    status: int
    message: str
    reasons: dict[str, str] = field(default_factory=dict)
    form: str = "envelope"  # "plain": {message, code, description} only (no type, no extra)


@dataclass(frozen=True)
class DocumentedError:
    """One named 400 example of an operation: a situation and the code it must answer."""

    name: str
    code: int
    summary: str
    description: str = ""  # the example's own note (e.g. how a known release answers instead)


@dataclass(frozen=True)
class MissingFieldAnswer:
    """What the spec says a server answers to a body without one field the page requires."""

    field: str
    code: int | None  # the catalogue's error; None: the request goes on and creates a task
    why: str


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    section: str
    success_schema: dict[str, Any]
    error_schema: dict[str, Any]
    errors: dict[str, DocumentedError]
    statuses: tuple[int, ...]
    request_schema: dict[str, Any] | None = None
    # The request schema as the page states it: its `required` also lists every field of
    # x-zadig-missing-fields (the page's 是否必须 = 是), which the spec's own schema may leave
    # out where the documented release accepts a body without it (`namespace`).
    page_schema: dict[str, Any] | None = None
    request_example: dict[str, Any] | None = None
    # From x-zadig-missing-fields: the answer per required field, and the refusal (a code)
    # of a server stricter than the documented release.
    missing_fields: dict[str, MissingFieldAnswer] = field(default_factory=dict)
    stricter_code: int | None = None
    # What a request must carry: its parameters (path and query, resolved), whether a body is
    # required, and whether the spec's security asks for a token.
    parameters: tuple[dict[str, Any], ...] = ()
    body_required: bool = False
    needs_token: bool = False

    @property
    def page_required(self) -> list[str]:
        """The top-level body fields the page requires, in the order of its table."""
        return list((self.page_schema or {}).get("required", []))

    @property
    def codes(self) -> list[int]:
        return sorted({error.code for error in self.errors.values()})

    def spec_ref(self, *parts: str) -> str:
        return "paths." + self.path + "." + self.method + "".join("." + p for p in parts)


@dataclass(frozen=True)
class Contract:
    operations: dict[str, Operation]
    catalogue: dict[int, CatalogueEntry]
    raw: dict[str, Any] = field(repr=False)
    api: str = "workflow"  # a key of APIS

    def operation(self, operation_id: str) -> Operation:
        return self.operations[operation_id]

    def entry(self, code: int) -> CatalogueEntry:
        return self.catalogue[code]


def load_contract(path: str | Path) -> Contract:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path} is not YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("paths"), dict):
        raise ValueError(f"{path} is not an OpenAPI spec (no `paths`)")
    if CATALOGUE_KEY not in raw.get("components", {}):
        raise ValueError(f"{path} has no components.{CATALOGUE_KEY} (the error catalogue)")
    catalogue = {
        int(code): CatalogueEntry(
            int(code),
            int(item["status"]),
            str(item["message"]),
            dict(item.get("reasons") or {}),
            str(item.get("form", "envelope")),
        )
        for code, item in raw["components"][CATALOGUE_KEY].items()
    }
    operations = {}
    for path_template, item in raw["paths"].items():
        for method, spec in item.items():
            if not isinstance(spec, dict) or "operationId" not in spec:
                continue
            operation = _operation(raw, path_template, method, spec, item.get("parameters", []))
            operations[operation.operation_id] = operation
    api = next((a for a, ids in APIS.items() if set(ids) <= set(operations)), "workflow")
    missing = set(APIS[api]) - set(operations)
    if missing:
        raise ValueError(f"{path}: the spec has no operation {', '.join(sorted(missing))}")
    for operation in operations.values():
        answers = [answer.code for answer in operation.missing_fields.values()]
        unknown = {c for c in [*answers, operation.stricter_code] if c and c not in catalogue}
        if unknown:
            raise ValueError(
                f"{path}: {MISSING_FIELDS_KEY} names codes outside the catalogue: "
                f"{', '.join(map(str, sorted(unknown)))}"
            )
    return Contract(operations=operations, catalogue=catalogue, raw=raw, api=api)


def resolve(raw: dict[str, Any], node: Any) -> Any:
    """Inline local `$ref`s so jsonschema and readers see plain schemas."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = raw
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return resolve(raw, target)
        return {key: resolve(raw, value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(raw, value) for value in node]
    return node


def _missing_field(name: str, answer: dict[str, Any]) -> MissingFieldAnswer:
    if "code" in answer:
        return MissingFieldAnswer(name, int(answer["code"]), str(answer.get("why", "")))
    if int(answer.get("status", 0)) == 200:
        return MissingFieldAnswer(name, None, str(answer.get("why", "")))
    raise ValueError(f"{MISSING_FIELDS_KEY}: the answer for {name} needs a code or status 200")


def _page_schema(schema: dict[str, Any] | None, answers: dict[str, Any]) -> dict[str, Any] | None:
    """`schema` with the fields of x-zadig-missing-fields required too, in its properties' order
    (the page's table)."""
    if schema is None or not answers:
        return schema
    wanted = [*schema.get("required", []), *answers]
    ordered = [name for name in schema.get("properties", {}) if name in wanted]
    required = ordered + list(dict.fromkeys(name for name in wanted if name not in ordered))
    return {**schema, "required": required}


def _json_content(response: dict[str, Any]) -> dict[str, Any]:
    return response.get("content", {}).get("application/json", {})


def _operation(
    raw: dict[str, Any], path: str, method: str, spec: dict[str, Any], shared: list[Any]
) -> Operation:
    responses = resolve(raw, spec["responses"])
    success = _json_content(responses.get("200", {}))
    failure = _json_content(responses.get("400", {}))
    errors = {
        name: DocumentedError(
            name=name,
            code=int(example["value"]["code"]),
            summary=str(example.get("summary", name)),
            description=" ".join(str(example.get("description", "")).split()),
        )
        for name, example in failure.get("examples", {}).items()
    }
    missing = spec.get(MISSING_FIELDS_KEY, {})
    answers = {key: _missing_field(key, said) for key, said in missing.get("answers", {}).items()}
    stricter = missing.get("stricter", {}).get("code")
    body = resolve(raw, spec.get("requestBody", {}))
    body_json = _json_content(body)
    example = next(iter(body_json.get("examples", {}).values()), {}).get("value")
    return Operation(
        operation_id=spec["operationId"],
        method=method,
        path=path,
        section=str(spec.get("summary", spec["operationId"])),
        success_schema=success.get("schema", {}),
        error_schema=failure.get("schema", {}),
        errors=errors,
        statuses=tuple(sorted(int(status) for status in responses if status.isdigit())),
        request_schema=body_json.get("schema"),
        page_schema=_page_schema(body_json.get("schema"), answers),
        request_example=example,
        missing_fields=answers,
        stricter_code=int(stricter) if stricter is not None else None,
        parameters=_parameters(raw, shared, spec.get("parameters", [])),
        body_required=bool(body.get("required", False)),
        needs_token=any(spec.get("security", raw.get("security", []))),
    )


def _parameters(raw: dict[str, Any], shared: list[Any], own: list[Any]) -> tuple[dict, ...]:
    """The path item's parameters, overridden by the operation's of the same name and place."""
    merged = {}
    for parameter in resolve(raw, shared) + resolve(raw, own):
        merged[(parameter.get("name"), parameter.get("in"))] = parameter
    return tuple(merged.values())
