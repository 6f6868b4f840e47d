"""Merge an overlay (a partial OpenAPI document) into a converted spec.

Mappings merge key by key; lists of named objects (parameters, tags) merge item by
item on `name`; anything else replaces. A mapping holding `$ref`
replaces what it lands on whole, since a `$ref` has no siblings in OpenAPI 3.0.
An overlay naming a path or operation that the page does not have is an error:
it would otherwise add an endpoint the page never documented, or hide a typo.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml


class OverlayError(ValueError):
    pass


def load(path: str | Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
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
    return _merge(copy.deepcopy(spec), overlay)


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
