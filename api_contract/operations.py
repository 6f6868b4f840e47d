"""The spec's operations: the one walk over `paths`, each operation with what it takes and
what it documents."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from api_contract.missing_fields import (
    MissingFieldAnswer,
    MissingFieldRules,
    page_schema,
    read_rules,
)

JSON = "application/json"
# The example that repeats the page's own sample; the named examples beside it are the rules.
PAGE_SAMPLE = "documented"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True)
class DocumentedError:
    """One named 400 example of an operation: a situation and the code it must answer."""

    name: str
    code: int
    summary: str
    description: str = ""  # the example's own note (e.g. how a known release answers instead)


@dataclass(frozen=True)
class Answer:
    """One documented response: its JSON schema and named examples (values)."""

    status: int
    schema: dict[str, Any]
    examples: dict[str, Any]
    has_body: bool = True  # False: the spec documents this status with no content at all
    description: str = ""  # the response's description


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # lower case, as the spec writes it
    path: str  # the path template
    section: str  # the page's heading (the summary)
    # Path and query parameters ($refs resolved; the operation's over the path item's).
    parameters: tuple[dict[str, Any], ...] = ()
    has_body: bool = False
    body_required: bool = False
    request_schema: dict[str, Any] | None = None
    # The request schema as the page states it: its `required` also lists every field of
    # x-zadig-missing-fields (the page's 是否必须 = 是), which the spec's own schema may leave
    # out where the documented release accepts a body without it (`namespace`).
    page_schema: dict[str, Any] | None = None
    request_examples: dict[str, Any] = field(default_factory=dict)
    answers: dict[int, Answer] = field(default_factory=dict)
    statuses: tuple[int, ...] = ()
    errors: dict[str, DocumentedError] = field(default_factory=dict)
    missing: MissingFieldRules = field(default_factory=lambda: MissingFieldRules({}))
    needs_token: bool = False

    @property
    def success_status(self) -> int:
        """The documented success status (the lowest 2xx), 200 when the spec states none."""
        return next((s for s in self.statuses if 200 <= s < 300), 200)

    def coded_examples(self) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """Each documented error example that carries a code, whatever its status: the status,
        the example's name and its value (by status, then in the spec's order)."""
        for status, answer in sorted(self.answers.items()):
            if status < 400:
                continue
            for name, value in answer.examples.items():
                if isinstance(value, dict) and isinstance(value.get("code"), int):
                    yield status, name, value

    @property
    def success_schema(self) -> dict[str, Any]:
        return self._schema(200)

    @property
    def error_schema(self) -> dict[str, Any]:
        return self._schema(400)

    def _schema(self, status: int) -> dict[str, Any]:
        answer = self.answers.get(status)
        return answer.schema if answer else {}

    @property
    def request_example(self) -> Any:
        """The first example of the request body (the page's own), or None."""
        return next(iter(self.request_examples.values()), None)

    @property
    def missing_fields(self) -> dict[str, MissingFieldAnswer]:
        return self.missing.answers

    @property
    def stricter_code(self) -> int | None:
        return self.missing.stricter_code

    @property
    def page_fields(self) -> tuple[str, ...]:
        """The top-level body fields the page requires that the release may go on without."""
        return self.missing.page_fields

    @property
    def page_required(self) -> list[str]:
        """The top-level body fields the page requires, in the order of its table."""
        return list((self.page_schema or {}).get("required", []))

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(p["name"] for p in self.parameters if p.get("in") == "path")

    @property
    def integer_path_params(self) -> frozenset[str]:
        return frozenset(
            p["name"]
            for p in self.parameters
            if p.get("in") == "path" and p.get("schema", {}).get("type") == "integer"
        )

    @property
    def codes(self) -> list[int]:
        return sorted({error.code for error in self.errors.values()})

    def spec_ref(self, *parts: str) -> str:
        return "paths." + self.path + "." + self.method + "".join("." + p for p in parts)


def resolve(raw: Mapping[str, Any], node: Any) -> Any:
    """A copy of `node` with local `$ref`s inlined, so that validators and readers see plain
    schemas."""
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


def walk(raw: Mapping[str, Any]) -> Iterator[Operation]:
    """Every operation of the spec `raw`, in the spec's order."""
    for template, item in raw["paths"].items():
        for method, spec in item.items():
            if method in HTTP_METHODS and isinstance(spec, dict) and "operationId" in spec:
                yield read_operation(raw, template, method, spec, item.get("parameters", []))


def read_operation(
    raw: Mapping[str, Any], path: str, method: str, spec: dict[str, Any], shared: list[Any]
) -> Operation:
    responses = resolve(raw, spec["responses"])
    answers = {
        int(status): Answer(
            int(status),
            content.get("schema", {}),
            _examples(content),
            bool(response.get("content")),
            str(response.get("description", "")),
        )
        for status, response in responses.items()
        if str(status).isdigit()
        for content in [_json_content(response)]
    }
    errors = {
        name: DocumentedError(
            name=name,
            code=int(example["value"]["code"]),
            summary=str(example.get("summary", name)),
            description=" ".join(str(example.get("description", "")).split()),
        )
        for name, example in _json_content(responses.get("400", {})).get("examples", {}).items()
        if isinstance(example.get("value"), dict) and "code" in example["value"]
    }
    rules = read_rules(spec)
    body = resolve(raw, spec.get("requestBody", {}))
    body_json = _json_content(body)
    schema = body_json.get("schema")
    return Operation(
        operation_id=spec["operationId"],
        method=method,
        path=path,
        section=str(spec.get("summary", spec["operationId"])),
        parameters=_parameters(raw, shared, spec.get("parameters", [])),
        has_body="requestBody" in spec,
        body_required=bool(body.get("required", False)),
        request_schema=schema,
        page_schema=page_schema(schema, rules.page_fields),
        request_examples=_examples(body_json),
        answers=answers,
        statuses=tuple(sorted(answers)),
        errors=errors,
        missing=rules,
        needs_token=any(spec.get("security", raw.get("security", []))),
    )


def _json_content(response: Mapping[str, Any]) -> dict[str, Any]:
    return (response.get("content") or {}).get(JSON, {})


def _examples(content: Mapping[str, Any]) -> dict[str, Any]:
    return {name: example.get("value") for name, example in content.get("examples", {}).items()}


def _parameters(raw: Mapping[str, Any], shared: list[Any], own: list[Any]) -> tuple[dict, ...]:
    """The path item's parameters, overridden by the operation's of the same name and place."""
    merged = {}
    for parameter in resolve(raw, shared) + resolve(raw, own):
        merged[(parameter.get("name"), parameter.get("in"))] = parameter
    return tuple(merged.values())
