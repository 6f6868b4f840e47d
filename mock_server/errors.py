"""The error catalogue (read from the spec) and Zadig's five-field error envelope."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class ZadigError(Exception):
    """An answer in Zadig's error envelope; raised anywhere, rendered by the app's error handler."""

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
    code: int
    status: int
    message: str
    reasons: dict[str, str] = field(default_factory=dict)
    # "envelope" (all five fields) or "plain": the `{message, code, description}` that aslan
    # sends for an error that is not one of its HTTPErrors (no `type`, no `extra`).
    form: str = "envelope"


class Catalogue:
    """The spec's `components.x-zadig-error-catalogue`: code -> HTTP status, message, reasons."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.entries = {
            int(code): Entry(
                int(code),
                int(e["status"]),
                e["message"],
                e.get("reasons") or {},
                e.get("form", "envelope"),
            )
            for code, e in raw.items()
        }

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Catalogue:
        return cls(spec["components"]["x-zadig-error-catalogue"])

    def __contains__(self, code: int) -> bool:
        return code in self.entries

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
            description = self.describe(entry, reason, params)
        body: dict[str, Any] = {"code": code, "description": description, "message": entry.message}
        if entry.form == "envelope":
            body = {**body, "extra": {}, "type": "error"}
        return ZadigError(entry.status, dict(sorted(body.items())))

    @staticmethod
    def empty(status: int) -> ZadigError:
        """An answer with this status and no body at all."""
        return ZadigError(status, None)

    @staticmethod
    def describe(entry: Entry, reason: str | None, params: dict[str, Any]) -> str:
        if reason is None:
            # A forced answer names no reason: the first documented one, else the message.
            reason = next(iter(entry.reasons), None)
        template = entry.reasons.get(reason, entry.message) if reason else entry.message
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            # Forced answers do not know every placeholder; show the template's fixed part.
            return template.replace("{", "<").replace("}", ">")
