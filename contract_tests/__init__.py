"""Conformance gate: checks any deployment of the Zadig workflow-task API against the spec."""
