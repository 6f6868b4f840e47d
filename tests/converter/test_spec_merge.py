"""Several specs made one (`--spec A --spec B` of the mock, the gate and the proxy): shared
names that collide renamed by a rule that does not depend on the order the specs are named in,
every `$ref` rewritten, a warning naming both specs; identical definitions kept once, silently.
The specs are written here; the expected names follow the rule docs/spec.md states."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from converter_helpers import PAGES
from starlette.testclient import TestClient

from mock_server.app import create_app, spec_document
from mock_server.options import MockOptions
from openapi.cli import convert_pages
from openapi.completion import SpecError
from openapi.merge import merge_specs


def spec(title: str, path: str, item: dict[str, Any], operation_id: str) -> dict[str, Any]:
    """A spec of one GET (answering an `Item`) and one POST (taking one) at `path`."""
    ref = {"$ref": "#/components/schemas/Item"}
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1.0.0"},
        "paths": {
            path: {
                "get": {
                    "operationId": operation_id,
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": ref}},
                        }
                    },
                },
                "post": {
                    "operationId": f"create_{title}",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Page"}}
                        },
                    },
                    "responses": {"200": {"description": "ok"}},
                },
            }
        },
        "components": {
            "schemas": {
                "Item": item,
                # Refers to Item from inside components: rewritten too.
                "Page": {
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": ref}},
                },
            }
        },
    }


ALPHA_ITEM = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}},
    "example": {"name": "alpha"},
}
BETA_ITEM = {
    "type": "object",
    "required": ["size"],
    "properties": {"size": {"type": "integer"}},
    "example": {"size": 3},
}


def merged(*specs: tuple[str, dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    return merge_specs(list(specs), warnings.append), warnings


def refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if "$ref" in node else set()
        return found.union(*(refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(value) for value in node))
    return set()


def test_a_type_defined_differently_is_renamed_in_each_spec_with_its_refs() -> None:
    alpha = ("specs/alpha.yaml", spec("alpha", "/openapi/alphas", ALPHA_ITEM, "listAlphas"))
    beta = ("specs/beta.yaml", spec("beta", "/openapi/betas", BETA_ITEM, "listBetas"))
    document, warnings = merged(alpha, beta)
    schemas = document["components"]["schemas"]
    assert schemas["Item_alpha"] == ALPHA_ITEM and schemas["Item_beta"] == BETA_ITEM
    assert "Item" not in schemas
    answer = document["paths"]["/openapi/betas"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Item_beta"
    }
    assert schemas["Page_alpha"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/Item_alpha"
    }
    # Every $ref points at a definition that exists.
    for ref in refs(document):
        assert ref.rsplit("/", 1)[1] in schemas, ref
    (item,) = [w for w in warnings if "schemas/Item " in w]
    assert "specs/alpha.yaml" in item and "specs/beta.yaml" in item
    assert "Item_alpha" in item and "Item_beta" in item


def test_the_result_does_not_depend_on_the_order_the_specs_are_named_in() -> None:
    alpha = ("specs/alpha.yaml", spec("alpha", "/openapi/alphas", ALPHA_ITEM, "list"))
    beta = ("specs/beta.yaml", spec("beta", "/openapi/betas", BETA_ITEM, "list"))
    assert merged(alpha, beta) == merged(beta, alpha)


def test_an_identical_type_is_kept_once_silently() -> None:
    alpha = ("a.yaml", spec("alpha", "/openapi/alphas", ALPHA_ITEM, "listAlphas"))
    other = spec("beta", "/openapi/betas", copy.deepcopy(ALPHA_ITEM), "listBetas")
    other["components"]["schemas"]["Page"] = copy.deepcopy(
        alpha[1]["components"]["schemas"]["Page"]
    )
    document, warnings = merged(alpha, ("b.yaml", other))
    assert set(document["components"]["schemas"]) == {"Item", "Page"}
    assert warnings == []
    assert set(document["paths"]) == {"/openapi/alphas", "/openapi/betas"}


def test_specs_with_the_same_file_name_get_the_definitions_digest() -> None:
    one = ("one/api.yaml", spec("alpha", "/openapi/alphas", ALPHA_ITEM, "listAlphas"))
    two = ("two/api.yaml", spec("beta", "/openapi/betas", BETA_ITEM, "listBetas"))
    document, _ = merged(one, two)
    items = sorted(name for name in document["components"]["schemas"] if name.startswith("Item"))
    assert len(items) == 2 and all(len(name) == len("Item_") + 8 for name in items)
    assert merged(two, one)[0] == document


def test_a_renamed_type_never_takes_a_name_a_spec_defines() -> None:
    alpha = ("a/alpha.yaml", spec("alpha", "/openapi/alphas", ALPHA_ITEM, "listAlphas"))
    beta = spec("beta", "/openapi/betas", BETA_ITEM, "listBetas")
    taken = {"type": "string", "enum": ["beta's own"]}
    beta["components"]["schemas"]["Item_alpha"] = taken
    document, _ = merged(alpha, ("b/beta.yaml", beta))
    schemas = document["components"]["schemas"]
    assert schemas["Item_alpha"] == taken
    (alphas,) = [name for name, value in schemas.items() if value == ALPHA_ITEM]
    assert alphas.startswith("Item_") and len(alphas) == len("Item_") + 8
    answer = document["paths"]["/openapi/alphas"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith(alphas)


def test_a_shared_operation_id_is_renamed_from_method_and_path() -> None:
    alpha = ("a.yaml", spec("alpha", "/openapi/alphas", ALPHA_ITEM, "listItems"))
    beta = ("b.yaml", spec("beta", "/openapi/betas/{id}", BETA_ITEM, "listItems"))
    document, warnings = merged(alpha, beta)
    assert document["paths"]["/openapi/alphas"]["get"]["operationId"] == "get_openapi_alphas"
    ids = document["paths"]["/openapi/betas/{id}"]["get"]["operationId"]
    assert ids == "get_openapi_betas_by_id"
    (warning,) = [w for w in warnings if "operationId" in w]
    assert "listItems" in warning and "a.yaml" in warning and "b.yaml" in warning


def test_the_same_operation_in_two_specs_is_an_error_naming_both(tmp_path: Path) -> None:
    for name, title in (("a.yaml", "alpha"), ("b.yaml", "beta")):
        path = "/openapi/items/{id}" if title == "alpha" else "/openapi/items/{key}"
        (tmp_path / name).write_text(yaml.safe_dump(spec(title, path, ALPHA_ITEM, title)))
    with pytest.raises(SpecError) as error:
        spec_document([str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")], [], warn=False)
    assert "a.yaml" in str(error.value) and "b.yaml" in str(error.value)
    assert "GET /openapi/items/" in str(error.value)


def test_a_catalogue_code_defined_differently_keeps_the_first_files_entry() -> None:
    alpha = spec("alpha", "/openapi/alphas", ALPHA_ITEM, "listAlphas")
    beta = spec("beta", "/openapi/betas", BETA_ITEM, "listBetas")
    alpha["components"]["x-zadig-error-catalogue"] = {
        "6601": {"status": 400, "message": "alpha failed", "reasons": {"a": "A"}}
    }
    beta["components"]["x-zadig-error-catalogue"] = {
        "6601": {"status": 409, "message": "beta failed", "reasons": {"b": "B"}}
    }
    document, warnings = merged(("z/beta.yaml", beta), ("a/alpha.yaml", alpha))
    entry = document["components"]["x-zadig-error-catalogue"]["6601"]
    assert entry == {"status": 400, "message": "alpha failed", "reasons": {"a": "A", "b": "B"}}
    (warning,) = [w for w in warnings if "6601" in w]
    assert "a/alpha.yaml" in warning and "z/beta.yaml" in warning


def test_the_mock_serves_two_specs_each_with_its_own_type(tmp_path: Path, capsys: Any) -> None:
    files = []
    for title, path, item in (
        ("alpha", "/openapi/alphas", ALPHA_ITEM),
        ("beta", "/openapi/betas", BETA_ITEM),
    ):
        file = tmp_path / f"{title}.yaml"
        file.write_text(yaml.safe_dump(spec(title, path, item, "list")), encoding="utf-8")
        files.append(str(file))
    document = spec_document(files, [], warn=True)
    assert "renamed Item_alpha" in capsys.readouterr().err
    with TestClient(create_app(MockOptions(spec=document))) as client:
        auth = {"Authorization": "Bearer t"}
        assert client.get("/openapi/alphas", headers=auth).json() == {"name": "alpha"}
        assert client.get("/openapi/betas", headers=auth).json() == {"size": 3}
        # Each POST validated against its own spec's Item.
        good = client.post("/openapi/betas", json={"items": [{"size": 1}]}, headers=auth)
        assert good.status_code == 200, good.text
        bad = client.post("/openapi/betas", json={"items": [{"name": "x"}]}, headers=auth)
        assert bad.status_code == 400 and "size" in bad.json()["description"]
        served = client.get("/openapi.json").json()
        assert {"get_openapi_alphas", "get_openapi_betas"} <= {
            op["operationId"] for item in served["paths"].values() for op in item.values()
        }


COLLIDING = """\
---
title: {title}
---

### 列表

**请求**

`GET {path}`

**正常返回**

```json
{{"name": "{title}"}}
```
"""


def test_pages_colliding_operation_ids_do_not_depend_on_the_pages_order(tmp_path: Path) -> None:
    one = ("one.md", COLLIDING.format(title="one", path="/openapi/items_list"))
    two = ("two.md", COLLIDING.format(title="two", path="/openapi/items-list"))
    forward = yaml.safe_load(convert_pages([one, two]))
    backward = yaml.safe_load(convert_pages([two, one]))
    ids = {path: item["get"]["operationId"] for path, item in forward["paths"].items()}
    # "-" sorts before "_": /openapi/items-list keeps the name, whichever page comes first.
    assert ids == {
        "/openapi/items-list": "get_openapi_items_list",
        "/openapi/items_list": "get_openapi_items_list_2",
    }
    assert {p: i["get"]["operationId"] for p, i in backward["paths"].items()} == ids


def test_a_test_page_and_a_converted_spec_merge(tmp_path: Path) -> None:
    converted = tmp_path / "quota.yaml"
    converted.write_text(convert_pages([("q.md", (PAGES / "quota-api.md").read_text())]))
    other = tmp_path / "alpha.yaml"
    other.write_text(yaml.safe_dump(spec("alpha", "/openapi/alphas", ALPHA_ITEM, "listAlphas")))
    document = spec_document([str(converted), str(other)], [], warn=False)
    assert {"/openapi/quotas", "/openapi/alphas"} <= set(document["paths"])
