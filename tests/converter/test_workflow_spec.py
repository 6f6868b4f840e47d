"""The committed spec: reproducible from the page, fresh-checked, and what clients rely on."""

from __future__ import annotations

import shutil

import pytest
import yaml
from converter_helpers import REPO

SPEC = REPO / "openapi" / "workflow.yaml"
PAGE = REPO / "openapi" / "source" / "workflow-api.md"
OVERLAY = REPO / "openapi" / "overlay.yaml"
CREATE = "/api/aslan/workflow/workflowtask"
CANCEL = "/api/aslan/workflow/workflowtask/id/{id}/pipelines/{pipeline}"
RESTART = CANCEL + "/restart"
OPERATIONS = {
    "createWorkflowTask": (CREATE, "post"),
    "cancelWorkflowTask": (CANCEL, "delete"),
    "restartWorkflowTask": (RESTART, "post"),
}


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _params(spec: dict, operation_id: str) -> dict[tuple[str, str], dict]:
    path, method = OPERATIONS[operation_id]
    return {(p["in"], p["name"]): p for p in spec["paths"][path][method]["parameters"]}


def test_convert_with_overlay_reproduces_the_committed_spec_byte_for_byte(tmp_path, run_cli):
    out = tmp_path / "workflow.yaml"
    code, _, err = run_cli("convert", str(PAGE), "--overlay", str(OVERLAY), "-o", str(out))
    assert code == 0, err
    assert out.read_bytes() == SPEC.read_bytes()


def test_convert_warns_about_the_page_flaws(run_cli):
    code, out, err = run_cli("convert", str(PAGE))
    assert code == 0 and out.startswith("openapi: 3.0.3")
    assert f"warning: {PAGE}:24: table names 'pipelines', the request line 'pipeline'" in err
    assert f"warning: {PAGE}:25: 'projectName' is listed as a path parameter" in err
    assert f"warning: {PAGE}:98: example is not strict JSON" in err  # body example
    assert f"warning: {PAGE}:132: example is not strict JSON" in err  # `# 创建的…` comment


def test_check_passes_on_the_committed_spec(run_cli):
    code, out, _ = run_cli("check")
    assert code == 0 and "up to date" in out


def test_check_fails_with_a_diff_on_a_stale_spec(tmp_path, run_cli):
    stale = tmp_path / "workflow.yaml"
    text = SPEC.read_text(encoding="utf-8").replace("summary: 取消工作流任务", "summary: 旧标题")
    stale.write_text(text, encoding="utf-8")
    code, out, err = run_cli("check", "--spec", str(stale))
    assert code == 1
    assert "-      summary: 旧标题" in out and "+      summary: 取消工作流任务" in out
    assert "zadig-spec build" in err


def test_check_sees_a_changed_page(tmp_path, run_cli):
    page = tmp_path / "page.md"
    shutil.copy(PAGE, page)
    page.write_text(
        PAGE.read_text(encoding="utf-8").replace("## 取消工作流任务", "## 取消任务"),
        encoding="utf-8",
    )
    code, out, _ = run_cli("check", "--doc", str(page))
    assert code == 1 and "+      summary: 取消任务" in out


def test_build_writes_the_spec_it_checks(tmp_path, run_cli):
    out = tmp_path / "workflow.yaml"
    assert run_cli("build", "--spec", str(out))[0] == 0
    assert out.read_bytes() == SPEC.read_bytes()


def test_three_operations_with_their_ids(spec):
    found = {
        op["operationId"]: (path, method)
        for path, item in spec["paths"].items()
        for method, op in item.items()
    }
    assert found == OPERATIONS
    assert spec["openapi"] == "3.0.3"


@pytest.mark.parametrize("operation_id", ["cancelWorkflowTask", "restartWorkflowTask"])
def test_id_is_an_integer_and_pipeline_a_string_in_the_path(spec, operation_id):
    found = _params(spec, operation_id)
    assert found[("path", "id")]["schema"]["type"] == "integer"
    assert found[("path", "id")]["required"] is True
    assert found[("path", "pipeline")]["schema"] == {"type": "string"}
    assert ("path", "pipelines") not in found


@pytest.mark.parametrize("operation_id", list(OPERATIONS))
def test_project_name_is_an_optional_query_parameter(spec, operation_id):
    found = _params(spec, operation_id)
    assert found[("query", "projectName")]["required"] is False
    assert found[("query", "projectName")]["schema"]["type"] == "string"
    assert ("path", "projectName") not in found


# The page's body table: every field 是否必须 = 是.
PAGE_REQUIRED = ["workflow_name", "product_tmpl_name", "namespace", "targets"]


def test_the_page_alone_requires_every_body_field(run_cli):
    code, out, _ = run_cli("convert", str(PAGE))
    assert code == 0
    page_spec = yaml.safe_load(out)
    schema = page_spec["paths"][CREATE]["post"]["requestBody"]["content"]["application/json"]
    assert schema["schema"]["required"] == PAGE_REQUIRED


def test_create_body_schema_requires_what_the_release_refuses(spec):
    # The behavior file: a create without `namespace` is answered 200 (build without deploy),
    # so the spec's schema does not require it; the page's list stays in x-zadig-missing-fields.
    operation = spec["paths"][CREATE]["post"]
    body = operation["requestBody"]
    assert body["required"] is True
    schema = body["content"]["application/json"]["schema"]
    assert schema["required"] == ["workflow_name", "product_tmpl_name", "targets"]
    assert "是否必须 = 是" in schema["properties"]["namespace"]["description"]
    assert list(operation["x-zadig-missing-fields"]["answers"]) == PAGE_REQUIRED
    assert operation["x-zadig-missing-fields"]["answers"]["namespace"]["status"] == 200


def test_create_body_schema_with_targets_items(spec):
    body = spec["paths"][CREATE]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert schema["properties"]["targets"]["type"] == "array"
    item = schema["properties"]["targets"]["items"]
    assert item["required"] == ["name", "service_name", "product_name"]
    assert {k: v["type"] for k, v in item["properties"].items()} == {
        "name": "string",
        "service_name": "string",
        "product_name": "string",
    }


def test_page_examples_are_in_the_spec(spec):
    op = spec["paths"][CREATE]["post"]
    body = op["requestBody"]["content"]["application/json"]["examples"]["documented"]["value"]
    assert body["targets"] == [{"name": "proxy", "service_name": "proxy", "product_name": "proxy"}]
    answer = op["responses"]["200"]["content"]["application/json"]["examples"]["documented"]
    assert answer["value"] == {"pipeline_name": "proxy-workflow-dev", "task_id": 16}
    codes = {
        operation_id: spec["paths"][path][method]["responses"]["400"]["content"][
            "application/json"
        ]["examples"]["documented"]["value"]["code"]
        for operation_id, (path, method) in OPERATIONS.items()
    }
    assert codes == {
        "createWorkflowTask": 6542,
        "cancelWorkflowTask": 6163,
        "restartWorkflowTask": 6164,
    }


def test_spec_passes_openapi_spec_validator(spec):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(spec)


def test_spec_loads_in_connexion(monkeypatch):
    from connexion import AsyncApp
    from connexion.resolver import Resolver

    async def accept(**_kwargs):
        return {"message": "accepted"}, 501

    # One handler for every operation: a 400 can only come from connexion
    # validating the request against the spec.
    monkeypatch.setenv("BEARERINFO_FUNC", "converter_helpers.accept_token")
    app = AsyncApp(__name__)
    app.add_api(SPEC, resolver=Resolver(function_resolver=lambda _operation_id: accept))
    client = app.test_client(headers={"Authorization": "Bearer token"})
    valid = {
        "workflow_name": "w",
        "product_tmpl_name": "p",
        "namespace": "dev",
        "targets": [{"name": "a", "service_name": "a", "product_name": "p"}],
    }
    assert client.post(CREATE, json=valid).status_code == 501
    assert client.post(CREATE, json={"workflow_name": "w"}).status_code == 400
    assert client.delete(CANCEL.format(id=3, pipeline="p")).status_code == 501
    assert app.test_client().delete(CANCEL.format(id=3, pipeline="p")).status_code == 401


def test_spec_loads_in_schemathesis():
    import schemathesis

    schema = schemathesis.openapi.from_path(SPEC)
    found = {op.ok().definition.raw["operationId"] for op in schema.get_all_operations()}
    assert found == set(OPERATIONS)
