"""The ledger written out: the JSON report, a JUnit file (one case per operation and rule
seen) and the gate's per-operation summary matrix."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from api_contract.spec import Contract
from api_contract.summary import Summary
from contract_proxy.ledger import Ledger, Violation

SHOWN_PER_CASE = 20  # violations written in full into one JUnit failure


def write_json(ledger: Ledger, path: Path) -> None:
    path.write_text(json.dumps(ledger.snapshot(), ensure_ascii=False, indent=2) + "\n", "utf-8")


def summary_lines(contract: Contract, ledger: Ledger) -> list[str]:
    """The gate's matrix: operation x status/code, with what the traffic checked."""
    summary = Summary(contract)
    for (operation, rule), counter in ledger.outcomes.items():
        for outcome in ("passed", "failed"):
            for _ in range(counter[outcome]):
                summary.record(operation, rule, outcome)
    lines = summary.lines()
    lines.append(
        f"{ledger.exchanges} exchanges, {ledger.unchecked} outside the spec (forwarded, not "
        f"checked), {ledger.response_violations} response-side violations"
    )
    return lines


def write_junit(ledger: Ledger, path: Path) -> None:
    cases: dict[tuple[str, str], list[Violation]] = {key: [] for key in ledger.outcomes}
    for violation in ledger.violations:
        key = (violation.operation or "(outside the spec)", violation.rule)
        cases.setdefault(key, []).append(violation)
    failed = sum(1 for found in cases.values() if found)
    suite = ET.Element(
        "testsuite", name="zadig-proxy", tests=str(len(cases)), failures=str(failed), errors="0"
    )
    for (operation, rule), found in sorted(cases.items()):
        case = ET.SubElement(suite, "testcase", classname=f"zadig-proxy.{operation}", name=rule)
        counter = ledger.outcomes.get((operation, rule))
        seen = sum(counter.values()) if counter else len(found)
        if not found:
            continue
        failure = ET.SubElement(
            case, "failure", message=f"{len(found)} of {seen} exchanges broke the contract"
        )
        failure.text = "\n\n".join(_describe(v) for v in found[:SHOWN_PER_CASE])
    suites = ET.Element("testsuites")
    suites.append(suite)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def _describe(violation: Violation) -> str:
    lines = [f"{violation.side} side: {violation.method} {violation.path} -> {violation.status}"]
    lines += [f"  - {problem}" for problem in violation.problems]
    lines.append(f"  reproduce: {violation.curl}")
    return "\n".join(lines)
