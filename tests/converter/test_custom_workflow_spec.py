"""Today's workflow-task OpenAPI spec (openapi/custom-workflow.yaml): converted from the 4.x page
plus openapi/custom-workflow-overlay.yaml. The official page is not kept here; a page of our own
in the same layout (tests/data/pages/custom-workflow-api.md) shows how the converter reads it,
and that the committed spec has the shape a page of that layout gives."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from converter_helpers import PAGES

from openapi import CUSTOM_OVERLAY_PATH, CUSTOM_SPEC_PATH, cli, overlay

PAGE = PAGES / "custom-workflow-api.md"
TASK = "/openapi/workflows/custom/task"
LIST = "/openapi/workflows/custom/{workflowKey}/tasks"
RETRY = "/openapi/workflows/custom/{workflowKey}/task/{taskID}"
APPROVE = "/openapi/workflows/custom/task/approve"
# The six task routes of the behavior file's section 3, with the operationIds the overlay gives.
OPERATIONS = {
    ("post", TASK): "createCustomWorkflowTask",
    ("get", TASK): "getCustomWorkflowTask",
    ("delete", TASK): "cancelCustomWorkflowTask",
    ("get", LIST): "listCustomWorkflowTasks",
    ("post", RETRY): "retryCustomWorkflowTask",
    ("post", APPROVE): "approveCustomWorkflowTask",
}


def converted() -> dict[str, Any]:
    text = cli.convert(PAGE.read_text(encoding="utf-8"), CUSTOM_OVERLAY_PATH)
    return yaml.safe_load(text)


def committed() -> dict[str, Any]:
    return yaml.safe_load(CUSTOM_SPEC_PATH.read_text(encoding="utf-8"))


def shape(spec: dict[str, Any]) -> dict[tuple[str, str], tuple]:
    """Per operation: its id, its parameters (where, name, type, required) and statuses."""
    return {
        (method, path): (
            op["operationId"],
            sorted(
                (p["in"], p["name"], p["schema"].get("type"), p.get("required"))
                for p in op.get("parameters", [])
            ),
            sorted(op["responses"]),
        )
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    }


def params(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in op.get("parameters", [])}


def test_the_page_layout_gives_the_six_task_operations() -> None:
    spec = converted()
    found = {key: op["operationId"] for key, op in _operations(spec)}
    assert found == OPERATIONS


def test_the_committed_spec_has_the_shape_the_layout_gives() -> None:
    assert shape(committed()) == shape(converted())


def test_page_facts_are_kept() -> None:
    spec = converted()
    listing = spec["paths"][LIST]["get"]
    assert params(listing)["projectKey"]["required"] is True
    assert params(listing)["pageNum"]["schema"]["default"] == 1
    detail = spec["paths"][TASK]["get"]
    assert params(detail)["taskId"]["schema"] == {"type": "integer", "format": "int64"}
    trigger = spec["paths"][TASK]["post"]["requestBody"]["content"]["application/json"]
    assert trigger["schema"]["required"] == ["project_key", "workflow_key", "inputs"]
    assert trigger["examples"]["documented"]["value"]["workflow_key"] == "nightly-build"
    cancel = spec["paths"][TASK]["delete"]["responses"]["400"]["content"]["application/json"]
    descriptions = {e["value"]["description"] for e in cancel["examples"].values()}
    assert descriptions == {
        "task: nightly-build:7 is passed, cannot cancel",
        "mongo: no documents in result",
    }


def test_the_overlay_states_the_source_where_the_page_differs() -> None:
    """Section 9: pageSize's default is 10 in the code (the page says 50); retry's projectKey
    is not read; answers outside the envelope have their own schema."""
    spec = committed()
    listing = spec["paths"][LIST]["get"]
    assert params(listing)["pageSize"]["schema"]["default"] == 10
    assert params(spec["paths"][RETRY]["post"])["projectKey"]["required"] is False
    plain = spec["components"]["schemas"]["PlainError"]
    assert set(plain["required"]) == {"code", "description", "message"}
    assert "type" not in plain["properties"]
    catalogue = spec["components"]["x-zadig-error-catalogue"]
    assert catalogue["500"]["form"] == "plain"
    assert catalogue["500"]["message"] == "Internal Error: "
    assert catalogue["400"]["reasons"]["bad_path_id"] == "taksID is invalid"


def test_only_the_task_operations_of_a_page_are_kept() -> None:
    spec = committed()
    assert {key for key, _ in _operations(spec)} == set(OPERATIONS)
    assert "x-zadig-operations" not in spec


def test_a_selection_naming_what_the_page_lacks_is_refused() -> None:
    spec = converted()
    with pytest.raises(overlay.OverlayError, match="GET /openapi/nowhere"):
        overlay.apply(spec, {"x-zadig-operations": ["GET /openapi/nowhere"]})


def test_the_committed_spec_is_valid_openapi() -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(committed())


def test_build_of_the_custom_spec_wants_the_page(run_cli) -> None:
    code, _, err = run_cli("build", "--api", "custom-workflow")
    assert code == 2
    assert "--doc PAGE" in err


def test_build_writes_the_custom_spec_from_a_page(run_cli, tmp_path) -> None:
    out = tmp_path / "custom.yaml"
    code, _, _ = run_cli(
        "build", "--api", "custom-workflow", "--doc", str(PAGE), "--spec", str(out)
    )
    assert code == 0
    assert shape(yaml.safe_load(out.read_text(encoding="utf-8"))) == shape(committed())
    code, out_text, _ = run_cli(
        "check", "--api", "custom-workflow", "--doc", str(PAGE), "--spec", str(out)
    )
    assert code == 0


def _operations(spec: dict[str, Any]):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if isinstance(op, dict) and "operationId" in op:
                yield (method, path), op
