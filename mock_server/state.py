"""Everything one running mock holds: its world, store, rules, forced answers and journal."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from mock_server.domain import Clock, WorkflowTasks
from mock_server.errors import Catalogue
from mock_server.forced_answers import Overrides
from mock_server.seed import build_world

JOURNAL_SIZE = 500


@dataclass
class MockState:
    seed: dict[str, Any]
    tasks: WorkflowTasks
    catalogue: Catalogue
    operations: frozenset[str]  # the spec's operationIds
    overrides: Overrides
    journal: deque = field(default_factory=lambda: deque(maxlen=JOURNAL_SIZE))

    @property
    def clock(self) -> Clock:
        return self.tasks.clock

    def reset(self) -> None:
        """Back to the seed: tasks and counters, forced answers, journal."""
        self.tasks.store.reset(build_world(self.seed, self.clock()))
        self.overrides.clear()
        self.journal.clear()
