"""Validating proxy: forwards live traffic to a deployment and checks each exchange against
the spec with the contract core's exchange checks (api_contract.checks)."""
