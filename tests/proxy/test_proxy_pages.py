"""The proxy on pages other than the workflow page (`zadig-proxy --page`): each violation is
named on the operation that showed it, judged by what its page states (tests/data/pages/
registry-api.md and quota-api.md, served by tests/gate/fake_pages.py, written from them)."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
from gate.fake_pages import Switches, build_app
from gate.fake_zadig import ServerThread

from openapi.cli import convert_pages

from .support import mock_process, start_proxy

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
AUTH = {"Authorization": "Bearer pages-token"}
PAGE_ARGS = ("--page", str(PAGES / "registry-api.md"), "--page", str(PAGES / "quota-api.md"))


def violations(proxy_url: str) -> list[dict]:
    return httpx.get(proxy_url + "/_proxy/report", timeout=10).json()["violations"]


def test_violations_named_on_their_operation(tmp_path: Path) -> None:
    faults = Switches(total_as_string=True, envelope_without_type=True)
    with ServerThread(build_app(faults)) as upstream:
        proxy = start_proxy(tmp_path, "--upstream", upstream.url, "--quiet", *PAGE_ARGS)
        try:
            with httpx.Client(base_url=proxy.url, timeout=10, headers=AUTH) as client:
                assert client.get("/openapi/quotas", params={"projectKey": "p"}).status_code == 200
                registries = "/api/aslan/system/registry/namespaces"
                assert client.get(registries, params={"projectName": "demo"}).status_code == 200
                assert client.get(registries, params={"projectName": "nope"}).status_code == 400
                assert client.get("/openapi/quotas").status_code == 200  # projectKey missing
                assert client.get("/openapi/quotas/1").status_code == 200
                found = violations(proxy.url)
        finally:
            proxy.stop(signal.SIGTERM)
    seen = {(v["side"], v["operation"]): " ".join(v["problems"]) for v in found}
    assert set(seen) == {
        ("response", "get_openapi_quotas"),
        ("response", "get_api_aslan_system_registry_namespaces"),
        ("request", "get_openapi_quotas"),
    }, found
    assert "total" in seen[("response", "get_openapi_quotas")]
    assert "type" in seen[("response", "get_api_aslan_system_registry_namespaces")]
    assert "projectKey" in seen[("request", "get_openapi_quotas")]


def test_two_specs_made_one_name_each_violation_on_its_operation(tmp_path: Path) -> None:
    """`--spec` twice: the specs converted from the two pages one by one are checked as the
    pages together are."""
    specs = []
    for name in ("registry-api", "quota-api"):
        spec = tmp_path / f"{name}.yaml"
        spec.write_text(convert_pages([(name, (PAGES / f"{name}.md").read_text())]))
        specs += ["--spec", str(spec)]
    faults = Switches(total_as_string=True, envelope_without_type=True)
    with ServerThread(build_app(faults)) as upstream:
        proxy = start_proxy(tmp_path, "--upstream", upstream.url, "--quiet", *specs)
        try:
            with httpx.Client(base_url=proxy.url, timeout=10, headers=AUTH) as client:
                assert client.get("/openapi/quotas", params={"projectKey": "p"}).status_code == 200
                registries = "/api/aslan/system/registry/namespaces"
                assert client.get(registries, params={"projectName": "nope"}).status_code == 400
                found = violations(proxy.url)
        finally:
            proxy.stop(signal.SIGTERM)
    assert {(v["side"], v["operation"]) for v in found} == {
        ("response", "get_openapi_quotas"),
        ("response", "get_api_aslan_system_registry_namespaces"),
    }


def test_the_mock_of_the_pages_shows_no_violation(tmp_path: Path) -> None:
    with mock_process("--no-auth", *PAGE_ARGS) as mock:
        proxy = start_proxy(tmp_path, "--upstream", mock, "--quiet", *PAGE_ARGS)
        try:
            with httpx.Client(base_url=proxy.url, timeout=10, headers=AUTH) as client:
                client.get("/openapi/quotas", params={"projectKey": "p"})
                client.post(
                    "/openapi/quotas", json={"projectKey": "p", "resource": "cpu", "hard": 2}
                )
                client.get("/api/aslan/system/registry/namespaces", params={"projectName": "d"})
                client.get(
                    "/api/aslan/system/registry/namespaces",
                    params={"projectName": "d"},
                    headers={"Prefer": "code=6082"},
                )
                found = violations(proxy.url)
        finally:
            proxy.stop(signal.SIGTERM)
    assert found == []


def test_spec_and_page_together_are_a_usage_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "contract_proxy",
            "--upstream",
            "http://127.0.0.1:9",
            "--spec",
            "x.yaml",
            *PAGE_ARGS,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "not allowed with" in done.stderr
