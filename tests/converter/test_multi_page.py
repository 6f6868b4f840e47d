"""`zadig-spec convert` with several pages or a folder: one spec, every operation, one tag
per page title; an operation defined on two pages is refused, naming both."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from converter_helpers import PAGES, page

PAGE_NAMES = [
    "artifact-api.md",
    "environment-api.md",
    "project-api.md",
    "scan-api.md",
    "template-api.md",
]
# (path, method, tag) of every operation on those pages, read off the pages.
EXPECTED = {
    ("/api/aslan/artifact/items", "get", "制品"),
    ("/api/aslan/artifact/items/{artifactId}/detail", "get", "制品"),
    ("/api/aslan/environment/environments", "get", "环境"),
    ("/api/aslan/environment/environments/{name}", "put", "环境"),
    ("/openapi/projects/project/{projectKey}", "get", "项目"),
    ("/openapi/projects/project/{projectKey}", "patch", "项目"),
    ("/openapi/projects/project/{projectKey}", "delete", "项目"),
    ("/api/aslan/scan/{projectName}/tasks", "post", "代码扫描"),
    ("/api/aslan/scan/{projectName}/tasks/{taskId}", "get", "代码扫描"),
    ("/api/aslan/template/{kind}/templates", "post", "模板"),
    ("/api/aslan/template/{kind}/templates/{name}", "delete", "模板"),
}


def _operations(document: dict) -> set[tuple[str, str, str]]:
    return {
        (path, method, tag)
        for path, item in document["paths"].items()
        for method, op in item.items()
        for tag in op["tags"]
    }


def test_several_pages_make_one_spec_with_every_operation(tmp_path, run_cli):
    out = tmp_path / "all.yaml"
    code, _, err = run_cli("convert", *(str(PAGES / n) for n in PAGE_NAMES), "-o", str(out))
    assert code == 0, err
    document = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert _operations(document) == EXPECTED
    assert [tag["name"] for tag in document["tags"]] == ["制品", "环境", "项目", "代码扫描", "模板"]
    assert document["info"]["version"] == "1.8.0"  # the newest page (project-api.md)
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)) == len(EXPECTED)


def test_a_folder_stands_for_its_pages(tmp_path, run_cli):
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    for name in PAGE_NAMES[:2]:
        shutil.copy(PAGES / name, folder / name)
    shutil.copy(PAGES / PAGE_NAMES[3], folder / "sub" / PAGE_NAMES[3])
    (folder / "usage.md").write_text(
        page("# 调用方式\n\n在请求头中带上 Token。\n"), encoding="utf-8"
    )
    code, out, err = run_cli("convert", str(folder))
    assert code == 0, err
    tags = {tag for *_, tag in _operations(yaml.safe_load(out))}
    assert tags == {"制品", "环境", "代码扫描"}
    assert f"warning: {folder / 'usage.md'}: no operation on this page; skipped" in err


def test_warnings_name_their_page(tmp_path, run_cli):
    code, _, err = run_cli("convert", str(PAGES / "scan-api.md"), str(PAGES / "artifact-api.md"))
    assert code == 0
    assert f"warning: {PAGES / 'scan-api.md'}:" in err
    assert f"warning: {PAGES / 'artifact-api.md'}:" in err


def test_an_operation_on_two_pages_is_refused_naming_both(tmp_path, run_cli):
    first = tmp_path / "a.md"
    second = tmp_path / "b.md"
    first.write_text(page("## 取\n#### 请求\n```\nGET /api/x/:id\n```\n"), encoding="utf-8")
    second.write_text(
        page(
            "## 一\n#### 请求\n```\nPOST /api/y\n```\n\n"
            "## 二\n#### 请求\n```\nGET /api/x/<key>\n```\n"
        ),
        encoding="utf-8",
    )
    code, out, err = run_cli("convert", str(first), str(second))
    assert code == 2 and out == ""
    first_line = first.read_text(encoding="utf-8").splitlines().index("## 取") + 1
    second_line = second.read_text(encoding="utf-8").splitlines().index("## 二") + 1
    assert err.splitlines()[-1] == (
        f"error: {second}:{second_line}: GET /api/x/{{key}} is "
        f"already defined in {first}:{first_line}"
    )


def test_one_path_spelled_two_ways_takes_the_first_spelling(tmp_path, run_cli):
    first = tmp_path / "a.md"
    second = tmp_path / "b.md"
    first.write_text(page("## 取\n#### 请求\n```\nGET /api/env/:name\n```\n"), encoding="utf-8")
    second.write_text(
        page("## 删\n#### 请求\n```\nDELETE /api/env/:envName\n```\n"), encoding="utf-8"
    )
    code, out, err = run_cli("convert", str(first), str(second))
    assert code == 0, err
    document = yaml.safe_load(out)
    assert list(document["paths"]) == ["/api/env/{name}"]
    delete = document["paths"]["/api/env/{name}"]["delete"]
    assert [p["name"] for p in delete["parameters"]] == ["name"]
    assert "is spelled /api/env/{name}" in err


def test_a_named_page_without_operation_is_an_error(tmp_path, run_cli):
    doc = tmp_path / "usage.md"
    doc.write_text(page("# 调用方式\n\n在请求头中带上 Token。\n"), encoding="utf-8")
    code, _, err = run_cli("convert", str(doc))
    assert code == 2 and err.startswith(f"error: {doc}:1: no operation found")


def test_every_page_that_stops_the_conversion_is_named(tmp_path, run_cli):
    """A doc set with several broken pages shows each one's error in one run, in page order;
    nothing is written."""
    second_request = page(
        """
        ## 取消任务

        ### 请求

        DELETE /api/aslan/a/:id

        DELETE /api/aslan/b/:id
        """
    )
    unknown_flag = page(
        """
        ## 查询

        ### 请求

        GET /api/aslan/c

        ### Query 参数说明

        |参数名|类型|描述|默认值|是否必须|
        |---|---|---|---|---|
        |name|string|名称|无|perhaps|
        """
    )
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a-broken.md").write_text(second_request, encoding="utf-8")
    shutil.copy(PAGES / "artifact-api.md", folder / "b-fine.md")
    (folder / "c-broken.md").write_text(unknown_flag, encoding="utf-8")
    out = tmp_path / "api.yaml"
    code, _, err = run_cli("convert", str(folder), "-o", str(out))
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 2 and not out.exists()
    assert [e.split(":", 2)[1].strip() for e in errors] == [
        str(folder / "a-broken.md"),
        str(folder / "c-broken.md"),
    ], err
    assert "a second request line" in errors[0] and "perhaps" in errors[1], err


def test_check_and_build_take_several_pages(tmp_path: Path) -> None:
    """`zadig-spec build` and `check` take several pages like `convert`: one spec of them."""
    from openapi.cli import main as spec_main

    pages = [str(PAGES / "environment-api.md"), str(PAGES / "quota-api.md")]
    spec = tmp_path / "two.yaml"
    args = ["--doc", pages[0], "--doc", pages[1], "--overlay", str(tmp_path / "none.yaml")]
    (tmp_path / "none.yaml").write_text("{}\n", encoding="utf-8")
    assert spec_main(["build", *args, "--spec", str(spec)]) == 0
    paths = yaml.safe_load(spec.read_text(encoding="utf-8"))["paths"]
    assert "/api/aslan/environment/environments" in paths and "/openapi/quotas" in paths
    assert spec_main(["check", *args, "--spec", str(spec)]) == 0
    spec.write_text(spec.read_text(encoding="utf-8").replace("/openapi/quotas:", "/x:"), "utf-8")
    assert spec_main(["check", *args, "--spec", str(spec)]) == 1
