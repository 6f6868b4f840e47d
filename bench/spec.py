"""What the benchmark apps read from the spec: the create body schema and error catalogue."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "workflow.yaml"

# The world the mock starts with (project, workflow, env, service), used by every server.
CREATE_BODY = {
    "workflow_name": "proxy-workflow-dev",
    "product_tmpl_name": "proxy",
    "namespace": "dev",
    "targets": [{"name": "proxy", "service_name": "proxy", "product_name": "proxy"}],
}
MISSING_TASK_ID = 999999999


@cache
def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def operation(operation_id: str, spec: dict[str, Any] | None = None) -> tuple[str, str, dict]:
    """(path, method, operation object) of the operation with this operationId."""
    spec = spec or load_spec()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return path, method, op
    raise KeyError(operation_id)


def create_body_schema(spec: dict[str, Any] | None = None) -> dict[str, Any]:
    _, _, op = operation("createWorkflowTask", spec)
    return op["requestBody"]["content"]["application/json"]["schema"]


def error_body(code: int, reason: str, spec: dict[str, Any] | None = None, **fields: Any) -> dict:
    """The Zadig error envelope for catalogue entry `code`, reason `reason`."""
    entry = (spec or load_spec())["components"]["x-zadig-error-catalogue"][str(code)]
    return {
        "code": code,
        "description": entry["reasons"][reason].format(**fields),
        "extra": {},
        "message": entry["message"],
        "type": "error",
    }
