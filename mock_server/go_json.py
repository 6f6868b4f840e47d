"""A request body as Go's encoding/json reads it, and the errors it words: what aslan puts in the
description of a 400 (trigger) or a 500 (approve) for a body it cannot decode.

Go checks the whole input before decoding (`checkValid`, its scanner), so a syntax error is
found first and worded by the scanner's state: ported here state by state from
`encoding/json/scanner.go`, each message as Go builds it (`invalid character 'x' looking for
beginning of value`, `unexpected end of JSON input`). A body that scans is then decoded; a value
of another JSON type than its Go field is an `UnmarshalTypeError`, the first in document order
(`json: cannot unmarshal number into Go struct field T.name of type string`). The Go names of
nested structs and slice types are not in the behavior file: those are written with the
top-level struct's name and the field's JSON type (docs/frontend.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 10000  # Go's maxNestingDepth
SPACE = frozenset(b" \t\r\n")
ESCAPES = frozenset(b'bfnrt\\/"')
HEX = frozenset(b"0123456789abcdefABCDEF")
DIGITS = frozenset(b"0123456789")
GO_ESCAPES = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 92: "\\\\"}
END_OF_INPUT = "unexpected end of JSON input"


class SyntaxErr(Exception):
    pass


def quote_char(c: int) -> str:
    """Go's quoteChar: the byte as strconv.Quote writes it, in single quotes."""
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    if c in GO_ESCAPES:
        return f"'{GO_ESCAPES[c]}'"
    if c < 0x20 or c == 0x7F:
        return f"'\\x{c:02x}'"
    if 0x80 <= c <= 0x9F or c == 0xAD:
        return f"'\\u{c:04x}'"  # a byte read as a rune: not printable
    return f"'{chr(c)}'"


def syntax_error(raw: bytes) -> str | None:
    """The message of Go's SyntaxError for `raw`, or None when it is valid JSON."""
    try:
        Scanner().scan(raw)
    except SyntaxErr as exc:
        return str(exc)
    return None


class Scanner:
    """encoding/json's scanner: one state function per byte, a stack of the containers open."""

    def __init__(self) -> None:
        self.stack: list[str] = []  # "key", "value" (object), "array"
        self.step: Callable[[int], None] = self.begin_value
        self.top_ended = False

    def scan(self, raw: bytes) -> None:
        for c in raw:
            self.step(c)
        # eof: a value that may still end (a number) ends on a space; else the input stopped.
        if not self.top_ended:
            self.step(0x20)
            if not self.top_ended:
                raise SyntaxErr(END_OF_INPUT)

    def error(self, c: int, context: str) -> None:
        raise SyntaxErr(f"invalid character {quote_char(c)} {context}")

    def push(self, kind: str) -> None:
        self.stack.append(kind)
        if len(self.stack) > MAX_DEPTH:
            raise SyntaxErr("exceeded max depth")

    def begin_value_or_empty(self, c: int) -> None:
        if c in SPACE:
            return
        if c == 0x5D:  # ]
            self.end_value(c)
            return
        self.begin_value(c)

    def begin_value(self, c: int) -> None:
        if c in SPACE:
            return
        if c == 0x7B:  # {
            self.push("key")
            self.step = self.begin_string_or_empty
        elif c == 0x5B:  # [
            self.push("array")
            self.step = self.begin_value_or_empty
        elif c == 0x22:
            self.step = self.in_string
        elif c == 0x2D:  # -
            self.step = self.neg
        elif c == 0x30:
            self.step = self.zero
        elif c in DIGITS:
            self.step = self.one
        elif c in b"tfn":
            word = {0x74: "true", 0x66: "false", 0x6E: "null"}[c]
            self.step = self.literal(word, 1)
        else:
            self.error(c, "looking for beginning of value")

    def begin_string_or_empty(self, c: int) -> None:
        if c in SPACE:
            return
        if c == 0x7D:  # }
            self.stack[-1] = "value"
            self.end_value(c)
            return
        self.begin_string(c)

    def begin_string(self, c: int) -> None:
        if c in SPACE:
            return
        if c == 0x22:
            self.step = self.in_string
            return
        self.error(c, "looking for beginning of object key string")

    def end_value(self, c: int) -> None:
        if not self.stack:
            self.top_ended = True
            self.step = self.end_top
            self.end_top(c)
            return
        if c in SPACE:
            self.step = self.end_value
            return
        kind = self.stack[-1]
        if kind == "key":
            if c == 0x3A:  # :
                self.stack[-1] = "value"
                self.step = self.begin_value
                return
            self.error(c, "after object key")
        elif kind == "value":
            if c == 0x2C:  # ,
                self.stack[-1] = "key"
                self.step = self.begin_string
                return
            if c == 0x7D:
                self.pop()
                return
            self.error(c, "after object key:value pair")
        else:
            if c == 0x2C:
                self.step = self.begin_value
                return
            if c == 0x5D:
                self.pop()
                return
            self.error(c, "after array element")

    def pop(self) -> None:
        """Go's popParseState: a container closed; at the top level the value has ended."""
        self.stack.pop()
        self.top_ended = not self.stack
        self.step = self.end_top if self.top_ended else self.end_value

    def end_top(self, c: int) -> None:
        if c not in SPACE:
            self.error(c, "after top-level value")

    def in_string(self, c: int) -> None:
        if c == 0x22:
            self.step = self.end_value
        elif c == 0x5C:
            self.step = self.in_string_escape
        elif c < 0x20:
            self.error(c, "in string literal")

    def in_string_escape(self, c: int) -> None:
        if c in ESCAPES:
            self.step = self.in_string
        elif c == 0x75:  # u
            self.step = self.unicode_escape(4)
        else:
            self.error(c, "in string escape code")

    def unicode_escape(self, left: int) -> Callable[[int], None]:
        def step(c: int) -> None:
            if c not in HEX:
                self.error(c, "in \\u hexadecimal character escape")
            self.step = self.in_string if left == 1 else self.unicode_escape(left - 1)

        return step

    def neg(self, c: int) -> None:
        if c == 0x30:
            self.step = self.zero
        elif c in DIGITS:
            self.step = self.one
        else:
            self.error(c, "in numeric literal")

    def one(self, c: int) -> None:
        if c in DIGITS:
            return
        self.zero(c)

    def zero(self, c: int) -> None:
        if c == 0x2E:  # .
            self.step = self.dot
        elif c in b"eE":
            self.step = self.exponent
        else:
            self.end_value(c)

    def dot(self, c: int) -> None:
        if c in DIGITS:
            self.step = self.dot_digits
            return
        self.error(c, "after decimal point in numeric literal")

    def dot_digits(self, c: int) -> None:
        if c in DIGITS:
            return
        if c in b"eE":
            self.step = self.exponent
            return
        self.end_value(c)

    def exponent(self, c: int) -> None:
        if c in b"+-":
            self.step = self.exponent_sign
            return
        self.exponent_sign(c)

    def exponent_sign(self, c: int) -> None:
        if c in DIGITS:
            self.step = self.exponent_digits
            return
        self.error(c, "in exponent of numeric literal")

    def exponent_digits(self, c: int) -> None:
        if c in DIGITS:
            return
        self.end_value(c)

    def literal(self, word: str, at: int) -> Callable[[int], None]:
        def step(c: int) -> None:
            if c != ord(word[at]):
                self.error(c, f"in literal {word} (expecting {quote_char(ord(word[at]))})")
            self.step = self.end_value if at == len(word) - 1 else self.literal(word, at + 1)

        return step


def decode(raw: bytes) -> tuple[Any, str | None]:
    """The body as Go reads it (invalid UTF-8 in a string becomes U+FFFD), or Go's syntax
    error."""
    why = syntax_error(raw)
    if why is not None:
        return None, why
    return json.loads(raw.decode("utf-8", "replace")), None


GO_KIND = {dict: "object", list: "array", str: "string", bool: "bool"}
GO_TYPES = {"string": "string", "boolean": "bool", "integer": "int", "number": "float64"}


def kind_of(value: Any) -> str:
    return GO_KIND.get(type(value), "number")


def type_error(body: Any, schema: dict[str, Any], struct: str, package: str) -> str | None:
    """Go's UnmarshalTypeError for decoding `body` into the struct the JSON `schema` describes
    (named `struct` in Go package `package`): the first field in document order whose JSON
    type its Go field cannot take; None when every value fits. `null` fits anything."""
    if body is None:
        return None
    if not isinstance(body, dict):
        return f"json: cannot unmarshal {kind_of(body)} into Go value of type {package}.{struct}"
    return _field_error(body, schema, struct, "")


def _field_error(body: dict[str, Any], schema: dict[str, Any], struct: str, at: str) -> str | None:
    for name, value in body.items():
        field = (schema.get("properties") or {}).get(name)
        if field is None or value is None:
            continue  # a field Go's struct lacks is skipped; null leaves the zero value
        path = f"{at}{name}"
        expected = field.get("type")
        wrong = _wrong(value, expected)
        if wrong is not None:
            return (
                f"json: cannot unmarshal {wrong} into Go struct field {struct}.{path} "
                f"of type {go_type(field)}"
            )
        if expected == "object" and isinstance(value, dict):
            found = _field_error(value, field, struct, path + ".")
        elif expected == "array" and isinstance(value, list):
            items = field.get("items") or {}
            found = None
            for item in value:
                wrong = None if item is None else _wrong(item, items.get("type"))
                if wrong is not None:
                    return (
                        f"json: cannot unmarshal {wrong} into Go struct field {struct}.{path} "
                        f"of type {go_type(items)}"
                    )
                if isinstance(item, dict) and items.get("type") == "object":
                    found = found or _field_error(item, items, struct, path + ".")
        else:
            found = None
        if found:
            return found
    return None


def go_type(schema: dict[str, Any]) -> str:
    """The Go type of a field of this schema: basic types as Go names them (an integer is
    `int`, `int64` where the spec says so); others by their JSON type."""
    kind = schema.get("type")
    if kind == "integer" and schema.get("format") == "int64":
        return "int64"
    return GO_TYPES.get(kind, str(kind))


def _wrong(value: Any, expected: str | None) -> str | None:
    """The Go error's value for `value` when a field of JSON type `expected` cannot take it."""
    if expected is None:
        return None
    kind = kind_of(value)
    if expected == "integer":
        if kind != "number":
            return kind
        if isinstance(value, float) or not -(2**63) <= value < 2**63:
            return f"number {json.dumps(value)}"
        return None
    fits = {"string": "string", "boolean": "bool", "number": "number"}.get(expected, expected)
    return None if kind == fits else kind
