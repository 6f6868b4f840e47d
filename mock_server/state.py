"""Everything one running mock holds: its world, store, rules and forced answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api_contract.catalogue import Catalogue
from mock_server.custom_workflow import CustomWorkflowTasks
from mock_server.domain import Clock, WorkflowTasks
from mock_server.forced_answers import Overrides
from mock_server.seed import build_world
from mock_server.store import StateStore


@dataclass
class MockState:
    seed: dict[str, Any]
    tasks: WorkflowTasks
    catalogue: Catalogue
    operations: frozenset[str]  # the spec's operationIds
    overrides: Overrides
    custom: CustomWorkflowTasks | None = None  # today's OpenAPI (/openapi/workflows/custom/...)

    @property
    def clock(self) -> Clock:
        return self.tasks.clock

    @property
    def store(self) -> StateStore:
        return self.tasks.store  # type: ignore[return-value]

    async def reset(self) -> None:
        """Back to the seed: tasks and counters, forced answers, journal (for the whole group)."""
        await self.store.reset(build_world(self.seed, self.clock()))
