"""Validating proxy: forwards live traffic to a deployment and checks each exchange against
the spec with the gate's own checks (contract_tests.checks)."""
