"""Every task the gate creates, so that each one is cancelled at the end, even after failures."""

from __future__ import annotations

from dataclasses import dataclass, field

from api_contract.spec import Contract
from contract_tests.contract import CANCEL
from contract_tests.error_probes import task_path
from contract_tests.http_client import Target, TargetDown


@dataclass
class TaskLedger:
    open: dict[tuple[str, int], str] = field(default_factory=dict)
    known: dict[tuple[str, int], str] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)

    def created(self, pipeline: str, task_id: int, project: str) -> None:
        """A task of ours is live (created or restarted); `known` keeps every task ever ours."""
        self.open[(pipeline, task_id)] = project
        self.known[(pipeline, task_id)] = project

    def settled(self, pipeline: str, task_id: int) -> None:
        """Cancelled by a test, or forced to a final state that cannot be cancelled."""
        self.open.pop((pipeline, task_id), None)

    def cancel_all(self, target: Target, contract: Contract) -> None:
        if not self.open:  # also a spec without the task operations
            return
        operation = contract.operation(CANCEL)
        for (pipeline, task_id), project in list(self.open.items()):
            path = task_path(operation, task_id, pipeline)
            try:
                # Past the run's budget too: a task left running costs more than a wait.
                exchange = target.send(
                    CANCEL, operation.method, path, query={"projectName": project}, budgeted=False
                )
            except TargetDown as exc:
                self.report.append(f"could not cancel task {pipeline}:{task_id}: {exc}")
                continue
            if exchange.status == 200:
                self.settled(pipeline, task_id)
            else:
                self.report.append(
                    f"cancel of task {pipeline}:{task_id} answered {exchange.describe_response()}"
                    f"; cancel it by hand: {exchange.curl()}"
                )
