"""Switches the gate on when this suite is collected, and provides its fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract_tests import plugin
from contract_tests.contract import Contract
from contract_tests.error_probes import Probe, auth_probes, body_schema_probes, example_probes
from contract_tests.http_client import Target
from contract_tests.report import GENERATED_ROW, row_for
from contract_tests.settings import Settings
from contract_tests.task_ledger import TaskLedger


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    # The plugin may already be loaded through its pytest11 entry point.
    if not pluginmanager.is_registered(plugin):
        pluginmanager.register(plugin, "zadig_contract")


def pytest_configure(config: pytest.Config) -> None:
    plugin.activate(config)


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
def ledger(target: Target, contract: Contract, pytestconfig: pytest.Config) -> Iterator[TaskLedger]:
    tasks = TaskLedger()
    yield tasks
    tasks.cancel_all(target, contract)
    reporter = pytestconfig.pluginmanager.get_plugin("zadig-gate-reporter")
    if reporter is not None:
        reporter.notes += tasks.report


@pytest.fixture(scope="session")
def target(settings: Settings, pytestconfig: pytest.Config) -> Iterator[Target]:
    client = Target(
        settings.base_url, settings.token, settings.request_timeout, settings.run_budget
    )
    yield client
    client.close()
    hint = client.route_hint()
    reporter = pytestconfig.pluginmanager.get_plugin("zadig-gate-reporter")
    if hint and reporter is not None:
        reporter.notes.append(hint)
