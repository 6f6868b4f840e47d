"""Validating proxy: forwards live traffic to a deployment and checks each exchange against
the spec with the contract core's exchange checks (api_contract.checks)."""

# The largest request body forwarded (413 above; `zadig-proxy --max-body-bytes`): room for any
# workflow-task body, while a client sending hundreds of megabytes cannot make the proxy hold them.
BODY_LIMIT = 16 * 1024 * 1024
