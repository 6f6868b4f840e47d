"""Merge an overlay (a partial OpenAPI document) into a converted spec.

Mappings merge key by key; lists of named objects (parameters, tags) merge item by
item on `name`; anything else replaces. A mapping holding `$ref`
replaces what it lands on whole, since a `$ref` has no siblings in OpenAPI 3.0.
An overlay naming a path or operation that the page does not have is an error:
it would otherwise add an endpoint the page never documented, or hide a typo.

`x-zadig-operations` (a list of `METHOD /path`) keeps only those operations of the page: a
spec of part of a page (the task operations of a page that documents more).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SELECTION = "x-zadig-operations"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class OverlayError(ValueError):
    pass


def load(path: str | Path) -> dict[str, Any]:
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
    except yaml.YAMLError as exc:
        raise OverlayError(f"{path}: not YAML: {exc}") from None
    if not isinstance(data, dict):
        raise OverlayError(f"{path}: an overlay is a mapping at the top level")
    return data


def apply(spec: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """A new document: `spec` with `overlay` merged in."""
    for path, operations in (overlay.get("paths") or {}).items():
        if path not in spec.get("paths", {}):
            raise OverlayError(f"overlay names path '{path}', which the page does not document")
        if not isinstance(operations, dict):
            raise OverlayError(f"overlay path '{path}' must map methods to operations")
        for method in operations:
            if method not in spec["paths"][path] and method != "parameters":
                raise OverlayError(
                    f"overlay names {method.upper()} {path}, which the page does not document"
                )
    selection = overlay.get(SELECTION)
    merged = _merge(copy.deepcopy(spec), {k: v for k, v in overlay.items() if k != SELECTION})
    return merged if selection is None else _select(merged, selection)


def _select(spec: dict[str, Any], selection: Any) -> dict[str, Any]:
    """Only the operations `selection` names, each of which the page must document."""
    if not isinstance(selection, list) or not all(isinstance(s, str) for s in selection):
        raise OverlayError(f"{SELECTION} must be a list of 'METHOD /path' strings")
    wanted: dict[str, set[str]] = {}
    for item in selection:
        method, _, path = item.partition(" ")
        operations = spec.get("paths", {}).get(path, {})
        if method.lower() not in operations:
            raise OverlayError(f"{SELECTION} names {item}, which the page does not document")
        wanted.setdefault(path, set()).add(method.lower())
    paths = {}
    for path, operations in spec.get("paths", {}).items():
        if path in wanted:
            paths[path] = {
                key: value
                for key, value in operations.items()
                if key not in METHODS or key in wanted[path]
            }
    spec["paths"] = paths
    return spec


def _merge(base: Any, extra: Any) -> Any:
    if _named_list(base) and _named_list(extra):
        by_name = {item["name"]: item for item in base}
        for item in extra:
            if item["name"] in by_name:
                _merge(by_name[item["name"]], item)
            else:
                base.append(copy.deepcopy(item))
        return base
    if not isinstance(base, dict) or not isinstance(extra, dict) or "$ref" in extra:
        return copy.deepcopy(extra)
    for key, value in extra.items():
        base[key] = _merge(base[key], value) if key in base else copy.deepcopy(value)
    return base


def _named_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and "name" in item for item in value)
    )
