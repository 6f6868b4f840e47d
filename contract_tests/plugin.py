"""The gate's pytest plugin: its options, and the per-rule summary at the end of a run.

Loading this module only adds the options; the gate itself is switched on by
`contract_tests/conftest.py` (that is, when the suite is collected), so other pytest runs in
the same environment are not affected.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from api_contract.operations import Operation
from api_contract.rule_sets import attached, rule_set
from api_contract.spec import Contract, load_contract, read_contract
from api_contract.summary import Summary
from contract_tests.contract import APIS, api_of
from contract_tests.error_probes import (
    FULL_ONLY_WHY,
    full_only_examples,
    unanswered_fields,
    unprobed_examples,
)
from contract_tests.settings import Settings, SettingsError, add_options, build_settings, raw_values

SETTINGS = pytest.StashKey[Settings]()
CONTRACT = pytest.StashKey[Contract]()  # the operations the hand-written rules drive
# Every operation of the spec; those without hand-written rules are checked by their page.
WHOLE = pytest.StashKey[Contract]()
PAGE_OPERATIONS = pytest.StashKey[list[Operation]]()
ROW_MARK = "contract_row"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def default_spec(api: str | None = None) -> Path:
    from openapi import CUSTOM_SPEC_PATH, SPEC_PATH

    return Path(CUSTOM_SPEC_PATH if api == "custom-workflow" else SPEC_PATH)


def activate(config: pytest.Config) -> None:
    """Read the settings and the spec, and start recording the summary."""
    config.addinivalue_line("markers", f"{ROW_MARK}(operation, row): the summary row of a test")
    if config.option.help or config.option.version:
        return
    try:
        values = raw_values(config)
        api = values["zadig_api"]
        if api not in (None, *APIS):
            raise SettingsError(f"--api must be one of {', '.join(APIS)}")
        whole, spec = read_spec(values["zadig_spec"], values["zadig_page"], api)
        contract, pages = split(whole)
        if api is not None and api_of(contract) != api:
            raise SettingsError(f"--api {api}: {spec} describes the API {api_of(contract)}")
        settings = build_settings(values, contract, spec)
    except (SettingsError, OSError, ValueError, KeyError) as exc:
        raise pytest.UsageError(f"zadig-contract: {exc}") from None
    _keep_hypothesis_out_of_cwd()
    config.stash[SETTINGS] = settings
    config.stash[CONTRACT] = contract
    config.stash[WHOLE] = whole
    config.stash[PAGE_OPERATIONS] = pages
    # Generated cases: v1.7.1's operations and those without hand-written rules.
    custom = set(contract.operations) if api_of(contract) == "custom-workflow" else set()
    generated = frozenset(whole.operations) - custom
    reporter = GateReporter(settings, Summary(whole, generated), contract)
    config.pluginmanager.register(reporter, "zadig-gate-reporter")


def read_spec(specs: list[str], pages: list[str], api: str | None) -> tuple[Contract, Path]:
    """The contract --spec (one or several) or --page names (the packaged spec of `api`
    without either), completed as the mock completes it (openapi.completion), and the path
    the run header shows."""
    if specs and pages:
        raise SettingsError("--spec and --page name two specs: give one of them")
    if not specs and not pages:
        return load_contract(default_spec(api)), default_spec(api)
    from openapi.completion import document_for

    named = ", ".join(specs) if specs else "the pages"
    return read_contract(document_for(specs, pages), named), Path((specs or pages)[0])


def split(whole: Contract) -> tuple[Contract, list[Operation]]:
    """The operations one API's hand-written rules drive (v1.7.1's or today's, found by method
    and path, under the operationIds the rules name) as a contract of their own (none: no
    operation), and the others, which are checked by what their page states."""
    sets = [rule_set(api, load_contract(default_spec(api))) for api in APIS]
    ruled: set[str] = set()
    for roles in attached(whole, sets).values():
        if all(role == op.operation_id for role, op in roles.items()):
            ruled = set(roles)  # other operationIds: the rules cannot name them
            break
    own = {i: op for i, op in whole.operations.items() if i in ruled}
    rules = Contract(operations=own, catalogue=whole.catalogue, raw=whole.raw)
    return rules, [op for i, op in whole.operations.items() if i not in ruled]


def _keep_hypothesis_out_of_cwd() -> None:
    """Hypothesis caches Unicode tables under ./.hypothesis; a CI checkout is no place for it."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    set_hypothesis_home_dir(cache / "zadig-contract" / "hypothesis")


class GateReporter:
    def __init__(self, settings: Settings, summary: Summary, rules: Contract | None = None) -> None:
        self.settings = settings
        self.summary = summary
        # The operations the hand-written rules drive (None: every operation's).
        self.rules = summary.contract if rules is None else rules
        self.notes: list[str] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: Any) -> Any:
        report = yield
        mark = item.get_closest_marker(ROW_MARK)
        counted = report.when == "call" or (report.when == "setup" and not report.passed)
        if mark is not None and counted:
            self.summary.record(*mark.args, report.outcome)
        return report

    def pytest_report_header(self) -> list[str]:
        s = self.settings
        return [
            f"zadig-contract: {s.base_url} profile={s.profile} "
            f"strict={'yes' if s.strict else 'no'} run-budget={s.run_budget:g}s spec={s.spec}",
            f"fixture: project={s.fixture.project} workflow={s.fixture.workflow} "
            f"env={s.fixture.env} service={s.fixture.service} "
            f"token={'yes' if s.token else 'no'} marker={s.run_mark}",
        ]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.section("zadig contract summary")
        for line in self.summary.lines():
            terminalreporter.write_line(line)
        for line in self.not_checked():
            terminalreporter.write_line(line)

    def not_checked(self) -> list[str]:
        """What the summary's matrix cannot show: rules not checked, and why; the run's notes."""
        contract = self.rules
        lines = []
        if api_of(contract) == "workflow":  # today's OpenAPI: hand-written rules, no probes
            lines += [
                f"not checked (the gate has no probe for it): {example}"
                for example in unprobed_examples(contract)
            ]
            lines += [f"not checked: {field}" for field in unanswered_fields(contract)]
            if not self.settings.full:
                lines += [
                    f"not checked by the safe profile: {example}: {FULL_ONLY_WHY}"
                    for example in full_only_examples(contract)
                ]
        lines += [
            f"not checked (the page does not say how to provoke it): {operation}: {code}"
            for operation, code in page_errors(self.summary.contract, self.rules)
        ]
        return lines + list(dict.fromkeys(self.notes))

    # pytest-html (`zadig-contract --html FILE`): the same summary on top of the report, whose
    # rows show each failure as the terminal does (page section, curl line, expected, got).
    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        report.title = f"zadig-contract: {self.settings.base_url} (profile {self.settings.profile})"

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: Any, postfix: Any) -> None:
        prefix.append(summary_html(self.pytest_report_header(), self.summary, self.not_checked()))


def page_errors(whole: Contract, rules: Contract) -> list[tuple[str, int]]:
    """The documented error codes of the operations without hand-written rules."""
    return [
        (operation.operation_id, code)
        for operation in whole.operations.values()
        if operation.operation_id not in rules.operations
        for code in operation.codes
    ]


def summary_html(header: list[str], summary: Summary, notes: list[str]) -> str:
    """The run's settings, the summary matrix as a table (failed rows marked), and the notes."""
    table = summary.table()
    head = "".join(f"<th>{escape(cell)}</th>" for cell in table[0])
    rows = []
    for row in table[1:]:
        failed = row[4] not in ("0", "-")
        cells = "".join(f"<td>{escape(cell)}</td>" for cell in row)
        rows.append(f'<tr class="{"failed" if failed else "ok"}">{cells}</tr>')
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    settings = "".join(f"<p>{escape(line)}</p>" for line in header)
    return (
        f'<h2>Zadig contract summary</h2>{settings}<table id="zadig-summary">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<ul id="zadig-not-checked">{items}</ul>'
        "<style>#zadig-summary td,#zadig-summary th"
        "{padding:2px 8px;border:1px solid #ccc;color:#222}"
        "#zadig-summary tr.failed td{background:#fbe0de;font-weight:bold}</style>"
    )
