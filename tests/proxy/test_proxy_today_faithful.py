"""The proxy on today's workflow-task OpenAPI passes what the gate passes: the faithful forms of
the stand-in (tests/gate/fake_today.py, from the behavior file) that the gate's own tests hold
faithful are no violation in front of the proxy either."""

from __future__ import annotations

import pytest
from gate.fake_today import Switches

from .test_proxy_today import LIST, TRAFFIC, TRIGGERED, Call, detail, through

P = "/openapi/workflows/custom"


def test_go_nil_inside_a_task_is_no_violation() -> None:
    # Go writes a nil slice or map as null; the behavior file does not say which of a task's
    # nested fields can be nil (the gate notes it and passes).
    assert through(Switches(nil_lists=True), [TRIGGERED, detail(1)]) == []


def test_tasks_of_one_second_in_either_order_are_no_violation() -> None:
    # §5.3: sorted by create_time alone; two tasks of one second come in either order.
    calls = [TRIGGERED, TRIGGERED, TRIGGERED, LIST]
    assert through(Switches(list_ties_in_insertion_order=True), calls) == []


@pytest.mark.parametrize("page_size", ["1", "2"])
def test_page_zero_is_neither_sorted_nor_limited(page_size: str) -> None:
    # §5.3: "If pageNum is 0, there is no skip, limit or sort."
    query = {"projectKey": "helm", "pageNum": "0", "pageSize": page_size}
    calls = [Call("GET", f"{P}/test-openapi/tasks", query=query)]
    assert through(Switches(history=3), calls) == []


def test_the_whole_traffic_with_a_history_is_no_violation() -> None:
    assert through(Switches(history=3), TRAFFIC) == []
