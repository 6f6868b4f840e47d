"""The gate on pages other than the workflow page (`--page`): operations without hand-written
rules are checked by what their page states. Against a server written from the pages alone
(fake_pages.py), each of its faults, and the mock serving the same pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MockProcess

from openapi import SOURCE_PATH
from openapi.cli import convert_pages

from .fake_pages import Switches, build_app
from .fake_zadig import ServerThread
from .runner import checked_rules, run_gate

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
PAGE_ARGS = ("--page", str(PAGES / "registry-api.md"), "--page", str(PAGES / "quota-api.md"))
TOKEN = "pages-token"
LIST_REGISTRIES = "get_api_aslan_system_registry_namespaces"
LIST_QUOTAS = "get_openapi_quotas"
CREATE_QUOTA = "post_openapi_quotas"
OPERATIONS = (
    LIST_REGISTRIES,
    "delete_api_aslan_system_registry_namespaces_by_id",
    LIST_QUOTAS,
    CREATE_QUOTA,
    "get_openapi_quotas_by_id",
)
READS = (LIST_REGISTRIES, LIST_QUOTAS, "get_openapi_quotas_by_id")


def rules(profile: str) -> list[str]:
    """The page rules a run checks: every operation's token refusal, every read; the full
    profile's generated cases of every operation."""
    found = [f"test_page_refused_without_token[{op}]" for op in OPERATIONS]
    found += [f"test_page_read[{op}]" for op in READS]
    if profile == "full":
        found += [f"test_page_generated[{op}]" for op in OPERATIONS]
    return found


@pytest.mark.parametrize("profile", ["safe", "full"])
def test_gate_passes_a_faithful_server_of_the_pages(profile: str) -> None:
    with ServerThread(build_app(Switches(token=TOKEN))) as server:
        run = run_gate(server.url, *PAGE_ARGS, "--token", TOKEN, "--profile", profile)
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(rules(profile)) == []
    # v1.7.1's rules are not run on a spec without its task operations.
    assert not [name for name in run.outcomes if "WorkflowTask" in name]
    # The summary matrix and the notes cover every operation.
    for operation in OPERATIONS:
        assert operation in run.output
    assert f"not checked (the page does not say how to provoke it): {LIST_REGISTRIES}: 6082" in (
        run.output
    )


@pytest.mark.parametrize(
    ("switches", "profile", "rule"),
    [
        (Switches(token=TOKEN, ignore_auth=True), "safe", "test_page_refused_without_token"),
        (Switches(token=TOKEN, total_as_string=True), "safe", f"test_page_read[{LIST_QUOTAS}]"),
        (
            Switches(token=TOKEN, envelope_without_type=True),
            "safe",
            f"test_page_read[{LIST_REGISTRIES}]",
        ),
        (Switches(token=TOKEN, wrong_message=True), "safe", f"test_page_read[{LIST_REGISTRIES}]"),
        (
            Switches(token=TOKEN, created_id_as_string=True),
            "full",
            f"test_page_generated[{CREATE_QUOTA}]",
        ),
    ],
    ids=["ignores_auth", "total_as_string", "no_type", "wrong_message", "created_id_as_string"],
)
def test_gate_fails_each_fault_on_its_rule(switches: Switches, profile: str, rule: str) -> None:
    with ServerThread(build_app(switches)) as server:
        run = run_gate(server.url, *PAGE_ARGS, "--token", TOKEN, "--profile", profile)
    assert run.exit_code == 1
    assert run.failed_matching(rule), run.failed()
    others = [name for name in run.failed() if not name.startswith(rule)]
    assert others == [], others


def test_set_names_the_fixture_values() -> None:
    switches = Switches(token=TOKEN)
    with ServerThread(build_app(switches)) as server:
        run = run_gate(
            server.url, *PAGE_ARGS, "--token", TOKEN, "--set", "projectName=demo", "-k", "read"
        )
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    sent = [q for q in switches.seen if q["path"] == "/api/aslan/system/registry/namespaces"]
    assert sent and all(q.get("projectName") == "demo" for q in sent)
    # The quota page's example limit is none: the page's default values are not invented.
    quotas = [q for q in switches.seen if q["path"] == "/openapi/quotas"]
    assert quotas and "projectKey" in quotas[0]


def test_a_bad_set_is_a_usage_error() -> None:
    run = run_gate("http://127.0.0.1:9", *PAGE_ARGS, "--set", "projectName")
    assert run.exit_code == 4


@pytest.mark.parametrize("profile", ["safe", "full"])
def test_the_mock_of_the_pages_passes_the_gate(profile: str) -> None:
    with MockProcess("--quiet", "--token", TOKEN, *PAGE_ARGS) as mock:
        run = run_gate(mock.url, *PAGE_ARGS, "--token", TOKEN, "--profile", profile)
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(rules(profile)) == []


def test_the_workflow_page_keeps_its_hand_written_rules() -> None:
    with MockProcess("--quiet", "--task-duration", "0", "--token", TOKEN) as mock:
        run = run_gate(mock.url, "--page", str(SOURCE_PATH), "--token", TOKEN)
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(checked_rules("safe", auth=True)) == []
    assert not [name for name in run.outcomes if name.startswith("test_page_")]


def test_two_specs_made_one_against_the_mock_of_both(tmp_path: Path) -> None:
    """`--spec` twice, for the mock and the gate: the specs converted from the two pages one
    by one are checked as the pages together are."""
    specs = []
    for name in ("registry-api", "quota-api"):
        spec = tmp_path / f"{name}.yaml"
        spec.write_text(convert_pages([(name, (PAGES / f"{name}.md").read_text())]))
        specs += ["--spec", str(spec)]
    with MockProcess("--quiet", "--token", TOKEN, *specs) as mock:
        run = run_gate(mock.url, *specs, "--token", TOKEN)
    assert run.exit_code == 0, "\n\n".join(run.texts.values())
    assert run.not_passed(rules("safe")) == []
