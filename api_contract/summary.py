"""The end-of-run summary: operation x documented status/code -> checked/passed/failed/skipped."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from api_contract.spec import Contract

OUTCOMES = ("passed", "failed", "skipped")
AUTH_ROW = "401/403"
SUCCESS_ROW = "200"
GENERATED_ROW = "generated"


def row_for(contract: Contract, codes: frozenset[int] | set[int]) -> str:
    if set(codes) & {401, 403}:
        return AUTH_ROW
    code = min(codes)
    return f"{contract.entry(code).status}/{code}"


@dataclass
class Summary:
    contract: Contract
    # A row for generated cases: every operation, none, or those named (none for today's
    # OpenAPI, whose rules are hand-written).
    generated: bool | frozenset[str] = True
    counts: dict[tuple[str, str], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    )

    def record(self, operation_id: str, row: str, outcome: str) -> None:
        """`row` is a row label, or the name of one of the operation's documented errors."""
        error = self.contract.operation(operation_id).errors.get(row)
        if error is not None:
            row = row_for(self.contract, {error.code})
        self.counts[(operation_id, row)][outcome] += 1

    def rows(self) -> list[tuple[str, str]]:
        """Every documented status and code of every operation, plus anything recorded."""
        documented = []
        for operation in self.contract.operations.values():
            op = operation.operation_id
            documented.append((op, SUCCESS_ROW))
            documented += [(op, row_for(self.contract, {code})) for code in operation.codes]
            if {401, 403} & set(operation.statuses):
                documented.append((op, AUTH_ROW))
            if self.generated is True or (self.generated and op in self.generated):
                documented.append((op, GENERATED_ROW))
        extra = [key for key in self.counts if key not in documented]
        return documented + sorted(extra)

    def table(self) -> list[tuple[str, ...]]:
        """The matrix as rows of cells, the header first (for the terminal and the HTML report)."""
        header = ("operation", "status/code", "checked", "passed", "failed", "skipped")
        table = [header]
        for key in self.rows():
            counts = self.counts.get(key)
            if counts is None:  # deselected (-k), or after -x stopped the run
                table.append((*key, "-", "-", "-", "not run"))
                continue
            checked = counts["passed"] + counts["failed"]
            table.append((*key, *(str(n) for n in (checked, *counts.values()))))
        return table

    def lines(self) -> list[str]:
        table = self.table()
        header = table[0]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        return [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in table
        ]
