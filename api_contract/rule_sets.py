"""Stateful rule sets attached to a spec by method and path.

A rule set is the operations of a reference spec (the committed spec of an API whose rules the
mock and the gate hold by hand: v1.7.1's workflow tasks, today's custom workflow tasks), each
named by its reference operationId (its role). Another spec has the rule set where it has every
one of those operations, found by method and path template whatever its operationIds and its
path parameters' names; its other operations are answered and checked from what their page
states."""

from __future__ import annotations

import re
from dataclasses import dataclass

from api_contract.operations import Operation
from api_contract.spec import Contract

PARAMETER = re.compile(r"\{[^}/]+\}")


def shape(method: str, path: str) -> tuple[str, str]:
    """An operation's key: its method and its path template with the parameters' names left
    out (`/a/{id}` and `/a/{taskId}` are one path)."""
    return method.lower(), PARAMETER.sub("{}", path)


@dataclass(frozen=True)
class RuleSet:
    name: str
    roles: dict[tuple[str, str], str]  # shape -> role (the reference spec's operationId)

    def attach(self, contract: Contract) -> dict[str, Operation] | None:
        """role -> the operation of `contract` that plays it, or None unless `contract` has
        every operation of the rule set."""
        found = {
            self.roles[key]: operation
            for operation in contract.operations.values()
            if (key := shape(operation.method, operation.path)) in self.roles
        }
        return found if len(found) == len(self.roles) else None


def rule_set(name: str, reference: Contract) -> RuleSet:
    """The rule set `name` whose operations are those of the spec `reference`."""
    return RuleSet(
        name,
        {shape(op.method, op.path): op.operation_id for op in reference.operations.values()},
    )


def attached(contract: Contract, sets: list[RuleSet]) -> dict[str, dict[str, Operation]]:
    """The rule sets `contract` has: name -> role -> operation; an operation plays one role."""
    found: dict[str, dict[str, Operation]] = {}
    taken: set[str] = set()
    for candidate in sets:
        roles = candidate.attach(contract)
        if roles and not taken & {op.operation_id for op in roles.values()}:
            found[candidate.name] = roles
            taken |= {op.operation_id for op in roles.values()}
    return found


def generic(contract: Contract, found: dict[str, dict[str, Operation]]) -> list[Operation]:
    """The operations of `contract` that no attached rule set plays."""
    taken = {op.operation_id for roles in found.values() for op in roles.values()}
    return [op for op in contract.operations.values() if op.operation_id not in taken]
