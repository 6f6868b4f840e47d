"""Reading the spec's operations: the one walk over `paths` that the mock's modules share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def spec_operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict, list[dict]]]:
    """(path template, method, operation, its parameters incl. the path item's) of `spec`."""
    for template, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                yield template, method, op, [*shared, *op.get("parameters", [])]


def find_operation(spec: dict[str, Any], operation_id: str) -> dict[str, Any]:
    """The operation of `spec` with this operationId; KeyError when there is none."""
    for _, _, op, _ in spec_operations(spec):
        if op["operationId"] == operation_id:
            return op
    raise KeyError(operation_id)


def create_body(spec: dict[str, Any]) -> dict[str, Any]:
    """The JSON media object of createWorkflowTask's request body (schema and examples)."""
    return find_operation(spec, "createWorkflowTask")["requestBody"]["content"]["application/json"]
