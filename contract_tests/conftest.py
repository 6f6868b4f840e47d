"""Switches the gate on when this suite is collected, and provides its fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_contract.spec import Contract
from api_contract.summary import AUTH_ROW, GENERATED_ROW, SUCCESS_ROW, row_for
from contract_tests import plugin
from contract_tests.contract import api_of
from contract_tests.error_probes import Probe, auth_probes, body_schema_probes, example_probes
from contract_tests.fuzz import load_schema
from contract_tests.http_client import Target
from contract_tests.lifecycle_steps import FixtureCheck, check_fixture
from contract_tests.page_fixtures import page_values as shown_values
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    # The plugin may already be loaded through its pytest11 entry point.
    if not pluginmanager.is_registered(plugin):
        pluginmanager.register(plugin, "zadig_contract")


def pytest_configure(config: pytest.Config) -> None:
    plugin.activate(config)


# The rules of today's workflow-task OpenAPI and those of operations without hand-written
# ones; every other test module holds v1.7.1's.
CUSTOM_RULES = "test_custom_workflow.py"
PAGE_RULES = "test_pages.py"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Only the rules of the API whose operations the spec has are collected, and the page
    rules only for a spec with other operations."""
    contract = config.stash.get(plugin.CONTRACT, None)
    name = collection_path.name
    if contract is None or not (name.startswith("test_") and name.endswith(".py")):
        return None
    if name == PAGE_RULES:
        return not config.stash[plugin.PAGE_OPERATIONS] or None
    api = api_of(contract)
    if name == CUSTOM_RULES:
        return api != "custom-workflow" or None
    return api != "workflow" or None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Rules come from the spec, so the suite's parameters are known only once it is read."""
    if plugin.CONTRACT not in metafunc.config.stash:
        return
    contract = metafunc.config.stash[plugin.CONTRACT]
    if "error_probe" in metafunc.fixturenames:
        probes = example_probes(contract) + body_schema_probes(contract)
        metafunc.parametrize("error_probe", _probe_params(contract, probes))
    if "auth_probe" in metafunc.fixturenames:
        metafunc.parametrize("auth_probe", _probe_params(contract, auth_probes(contract)))
    if "generated_operation" in metafunc.fixturenames:
        operations = [
            pytest.param(op, id=op, marks=pytest.mark.contract_row(op, GENERATED_ROW))
            for op in contract.operations
        ]
        metafunc.parametrize("generated_operation", operations)
    pages = metafunc.config.stash[plugin.PAGE_OPERATIONS]
    for name, row, chosen in (
        ("page_guarded", AUTH_ROW, [op for op in pages if op.needs_token]),
        ("page_read", SUCCESS_ROW, [op for op in pages if op.method == "get"]),
        ("page_operation", GENERATED_ROW, pages),
    ):
        if name in metafunc.fixturenames:
            metafunc.parametrize(
                name,
                [
                    pytest.param(
                        op,
                        id=op.operation_id,
                        marks=pytest.mark.contract_row(op.operation_id, row),
                    )
                    for op in chosen
                ],
            )


def _probe_params(contract: Contract, probes: list[Probe]) -> list:
    return [
        pytest.param(
            probe,
            id=probe.id,
            marks=pytest.mark.contract_row(probe.operation_id, row_for(contract, probe.codes)),
        )
        for probe in probes
    ]


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    return pytestconfig.stash[plugin.SETTINGS]


@pytest.fixture(scope="session")
def contract(pytestconfig: pytest.Config) -> Contract:
    return pytestconfig.stash[plugin.CONTRACT]


@pytest.fixture(scope="session")
def page_values(pytestconfig: pytest.Config) -> dict[str, Any]:
    """The values the pages' examples show, by field name (fixture values of the page rules)."""
    return shown_values(pytestconfig.stash[plugin.WHOLE])


@pytest.fixture(scope="session")
def page_schema(settings: Settings, pytestconfig: pytest.Config) -> Any:
    """schemathesis' reading of the whole spec (the page rules' generated cases)."""
    return load_schema(settings, pytestconfig.stash[plugin.WHOLE])


@pytest.fixture(scope="session")
def notes(pytestconfig: pytest.Config) -> list[str]:
    """Lines for the end of the summary: leniencies seen, hints about the run's setup."""
    reporter = pytestconfig.pluginmanager.get_plugin("zadig-gate-reporter")
    return reporter.notes if reporter is not None else []


@pytest.fixture(scope="session")
def ledger(target: Target, contract: Contract, notes: list[str]) -> Iterator[TaskLedger]:
    tasks = TaskLedger()
    yield tasks
    tasks.cancel_all(target, contract)
    notes += tasks.report


@pytest.fixture(scope="session")
def target(settings: Settings, notes: list[str]) -> Iterator[Target]:
    other = settings.approval.non_approver_token if settings.approval else None
    client = Target(
        settings.base_url, settings.token, settings.request_timeout, settings.run_budget, other
    )
    yield client
    client.close()
    hints = (client.route_hint(), client.auth_hint(settings.fixture.project), client.budget_note())
    notes += [hint for hint in hints if hint]


@pytest.fixture(scope="session")
def fixture_check(
    settings: Settings, contract: Contract, target: Target, ledger: TaskLedger
) -> FixtureCheck:
    """Full profile: whether the fixture workflow can run here (one create, asked once)."""
    if not settings.full:
        return FixtureCheck()
    return check_fixture(settings, contract, target, ledger)
