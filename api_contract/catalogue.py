"""The error catalogue (the spec's `components.x-zadig-error-catalogue`) and Zadig's
five-field error envelope."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

CATALOGUE_KEY = "x-zadig-error-catalogue"
ENVELOPE_FIELDS = ("code", "description", "extra", "message", "type")


class ZadigError(Exception):
    """An error answer: the HTTP status and the body (Zadig's envelope, aslan's plain form, or
    None for an empty body)."""

    def __init__(self, status: int, body: dict[str, Any] | None) -> None:
        super().__init__("" if body is None else body.get("description", ""))
        self.status = status
        self.body = body  # None: an answer with an empty body (gin's abort, the gateway's)

    def render(self) -> bytes:
        if self.body is None:
            return b""
        # Lone surrogates (from \ud800 escapes in a request) cannot be UTF-8: replace them.
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8", "replace")


@dataclass(frozen=True)
class Entry:
    """One code of the catalogue: the HTTP status it comes with, its fixed message, and the
    description templates of the situations that answer it (`{name}` placeholders)."""

    code: int
    status: int
    message: str
    reasons: dict[str, str] = field(default_factory=dict)
    # "envelope" (all five fields) or "plain": the `{message, code, description}` that aslan
    # sends for an error that is not one of its HTTPErrors (no `type`, no `extra`).
    form: str = "envelope"


class Catalogue(Mapping[int, Entry]):
    """code -> Entry, as a catalogue mapping of the spec states it."""

    def __init__(self, raw: Mapping[Any, Mapping[str, Any]]) -> None:
        self.entries = {
            int(code): Entry(
                int(code),
                int(e["status"]),
                str(e["message"]),
                dict(e.get("reasons") or {}),
                str(e.get("form", "envelope")),
            )
            for code, e in raw.items()
        }

    def __getitem__(self, code: int) -> Entry:
        return self.entries[code]

    def __iter__(self) -> Iterator[int]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, code: object) -> bool:
        return code in self.entries

    def merged(self, other: Catalogue) -> Catalogue:
        """This catalogue with `other`'s codes added (this one's win)."""
        both = Catalogue({})
        both.entries = {**other.entries, **self.entries}
        return both

    def only(self, codes: tuple[int, ...]) -> Catalogue:
        """This catalogue's entries for `codes` (those it has)."""
        part = Catalogue({})
        part.entries = {code: self.entries[code] for code in codes if code in self.entries}
        return part

    def error(
        self,
        code: int,
        reason: str | None = None,
        *,
        description: str | None = None,
        **params: Any,
    ) -> ZadigError:
        """The error for `code`, described by the named reason's template filled with `params`,
        or by `description` as given (free text such as a decoder's message)."""
        entry = self.entries[code]
        if description is None:
            description = describe(entry, reason, params)
        body: dict[str, Any] = {"code": code, "description": description, "message": entry.message}
        if entry.form == "envelope":
            body = {**body, "extra": {}, "type": "error"}
        return ZadigError(entry.status, dict(sorted(body.items())))

    @staticmethod
    def empty(status: int) -> ZadigError:
        """An answer with this status and no body at all."""
        return ZadigError(status, None)


def describe(entry: Entry, reason: str | None, params: Mapping[str, Any]) -> str:
    """The description of `entry` for `reason`, its placeholders filled from `params`."""
    if reason is None:
        # A forced answer names no reason: the first documented one, else the message.
        reason = next(iter(entry.reasons), None)
    template = entry.reasons.get(reason, entry.message) if reason else entry.message
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        # Forced answers do not know every placeholder; show the template's fixed part.
        return template.replace("{", "<").replace("}", ">")


def read_catalogue(raw: Mapping[str, Any], key: str = CATALOGUE_KEY) -> Catalogue:
    """The catalogue under `components.<key>` of a spec (empty when it has none)."""
    return Catalogue((raw.get("components") or {}).get(key) or {})
