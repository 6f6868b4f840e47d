"""The fields a body lacks that the page requires, what the spec says a server answers then,
and Go's zero values for them.

aslan decodes create's body into a Go struct whose fields carry no `required` tag: a field the
page requires but the body lacks is its zero value (`""`, an empty list), and the rules go on
from there. The page's top-level fields are the keys of the operation's
`x-zadig-missing-fields` (the body schema's `required` says only what v1.7.1 refuses, so it
leaves out `namespace`), each with the answer the documented release gives without it, and the
refusal (`stricter`) of a server that enforces the page; nested ones are the schema's own
`required` lists."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

MISSING_FIELDS_KEY = "x-zadig-missing-fields"

ZERO_VALUES: dict[str, Any] = {
    "string": "",
    "integer": 0,
    "number": 0,
    "boolean": False,
    "array": [],
    "object": {},
}


@dataclass(frozen=True)
class MissingFieldAnswer:
    """What the spec says a server answers to a body without one field the page requires."""

    field: str
    code: int | None  # the catalogue's error; None: the request goes on and creates a task
    why: str


@dataclass(frozen=True)
class MissingFieldRules:
    """An operation's x-zadig-missing-fields: the answer per field the page requires (in the
    page's order), and the code of a server stricter than the documented release."""

    answers: dict[str, MissingFieldAnswer]
    stricter_code: int | None = None

    @property
    def page_fields(self) -> tuple[str, ...]:
        """The top-level body fields the page requires."""
        return tuple(self.answers)

    def codes(self) -> set[int]:
        found = {answer.code for answer in self.answers.values()} | {self.stricter_code}
        return {code for code in found if code is not None}


def read_rules(operation: Mapping[str, Any]) -> MissingFieldRules:
    """The x-zadig-missing-fields of an operation object of the spec (empty without one)."""
    raw = operation.get(MISSING_FIELDS_KEY) or {}
    answers = {key: _answer(key, said) for key, said in (raw.get("answers") or {}).items()}
    stricter = (raw.get("stricter") or {}).get("code")
    return MissingFieldRules(answers, int(stricter) if stricter is not None else None)


def _answer(name: str, answer: Mapping[str, Any]) -> MissingFieldAnswer:
    if "code" in answer:
        return MissingFieldAnswer(name, int(answer["code"]), str(answer.get("why", "")))
    if int(answer.get("status", 0)) == 200:
        return MissingFieldAnswer(name, None, str(answer.get("why", "")))
    raise ValueError(f"{MISSING_FIELDS_KEY}: the answer for {name} needs a code or status 200")


def required_in_order(schema: Mapping[str, Any], page: Collection[str] = ()) -> list[str]:
    """The schema's `required` with the `page` fields, in the order of its properties (the
    page's table), the others after them."""
    wanted = [*schema.get("required", ()), *page]
    ordered = [name for name in schema.get("properties", {}) if name in wanted]
    return ordered + list(dict.fromkeys(name for name in wanted if name not in ordered))


def page_schema(schema: dict[str, Any] | None, page: Collection[str]) -> dict[str, Any] | None:
    """`schema` as the page states it: the `page` fields required too."""
    if schema is None or not page:
        return schema
    return {**schema, "required": required_in_order(schema, page)}


@dataclass(frozen=True)
class Missing:
    """A required property `name` absent from the object at `parent` (keys and list indexes)."""

    parent: tuple[str | int, ...]
    name: str

    def __str__(self) -> str:
        """As a frontend developer writes it: `namespace`, `targets[0].name`."""
        text = ""
        for part in (*self.parent, self.name):
            text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
        return text

    def problem(self) -> str:
        """In connexion's wording of jsonschema's error: `"name" is a required property -
        'targets.0'` (the path only below the top)."""
        where = ".".join(str(part) for part in self.parent)
        return f"{json.dumps(self.name)} is a required property" + (
            f" - {where!r}" if where else ""
        )


def missing_fields(schema: dict[str, Any], value: Any, page: Collection[str] = ()) -> list[Missing]:
    """The required properties `value` lacks, in the spec's order: an object's own first (the
    schema's `required` and the `page` fields), then those inside its properties and list items.
    Parts of the wrong type are left to validation."""
    found: list[Missing] = []
    _walk(schema, value, (), found, fill=False, page=page)
    return found


def fill_zero_values(schema: dict[str, Any], value: Any, page: Collection[str] = ()) -> None:
    """Give every absent required property of `value` (and `page` field) its type's zero value,
    in place."""
    _walk(schema, value, (), [], fill=True, page=page)


def without_required(schema: Any) -> Any:
    """A copy of `schema` that requires no property anywhere."""
    if isinstance(schema, list):
        return [without_required(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {key: without_required(item) for key, item in schema.items() if key != "required"}


def _walk(
    schema: dict[str, Any],
    value: Any,
    path: tuple[str | int, ...],
    found: list[Missing],
    *,
    fill: bool,
    page: Collection[str] = (),
) -> None:
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in required_in_order(schema, page):
            if name not in value:
                found.append(Missing(path, name))
                zero = ZERO_VALUES.get(properties.get(name, {}).get("type"))
                if fill and zero is not None:
                    value[name] = type(zero)() if isinstance(zero, (list, dict)) else zero
        for name, subschema in properties.items():
            if name in value:
                _walk(subschema, value[name], (*path, name), found, fill=fill)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            _walk(schema["items"], item, (*path, index), found, fill=fill)
