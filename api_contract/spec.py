"""A spec read once: its operations, its error catalogue and the spec itself (for the tools
that take the document: connexion, schemathesis)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from api_contract.catalogue import CATALOGUE_KEY, Catalogue, Entry, read_catalogue
from api_contract.missing_fields import MISSING_FIELDS_KEY
from api_contract.operations import Operation, walk


@dataclass(frozen=True)
class Contract:
    operations: dict[str, Operation]  # by operationId, in the spec's order
    catalogue: Catalogue
    raw: dict[str, Any] = field(repr=False)

    def operation(self, operation_id: str) -> Operation:
        return self.operations[operation_id]

    def entry(self, code: int) -> Entry:
        return self.catalogue[code]


def load_spec(path: str | Path) -> dict[str, Any]:
    """The YAML document at `path`; ValueError when it is not YAML."""
    try:
        return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path} is not YAML: {exc}") from None


def load_contract(path: str | Path, catalogue_key: str = CATALOGUE_KEY) -> Contract:
    """The contract of the spec file at `path`; ValueError naming what it lacks."""
    return read_contract(load_spec(path), str(path), catalogue_key)


def read_contract(raw: Any, name: str = "the spec", catalogue_key: str = CATALOGUE_KEY) -> Contract:
    """The contract of the spec document `raw` (its catalogue under components.<key>)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("paths"), dict):
        raise ValueError(f"{name} is not an OpenAPI spec (no `paths`)")
    if catalogue_key not in (raw.get("components") or {}):
        raise ValueError(f"{name} has no components.{catalogue_key} (the error catalogue)")
    catalogue = read_catalogue(raw, catalogue_key)
    operations = {operation.operation_id: operation for operation in walk(raw)}
    for operation in operations.values():
        unknown = {code for code in operation.missing.codes() if code not in catalogue}
        if unknown:
            raise ValueError(
                f"{name}: {MISSING_FIELDS_KEY} names codes outside the catalogue: "
                f"{', '.join(map(str, sorted(unknown)))}"
            )
    return Contract(operations=operations, catalogue=catalogue, raw=raw)
