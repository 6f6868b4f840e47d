"""What the gate needs of the contract besides the core's reading of it: the operations it
drives by name (v1.7.1's three, today's OpenAPI's six), which of the two APIs a spec describes,
and the page's sub-headings a failure points at.

Nothing here restates the contract: operation ids, paths, schemas, the error codes each
operation documents and the catalogue are all read from the spec file by `api_contract`.
"""

from __future__ import annotations

from pathlib import Path

from api_contract import spec

# The spec's operationIds of the three endpoints; the lifecycle needs to tell them apart.
CREATE = "createWorkflowTask"
RESTART = "restartWorkflowTask"
CANCEL = "cancelWorkflowTask"
# Today's workflow-task OpenAPI (openapi/custom-workflow.yaml): its operationIds.
CUSTOM_CREATE = "createCustomWorkflowTask"
CUSTOM_GET = "getCustomWorkflowTask"
CUSTOM_CANCEL = "cancelCustomWorkflowTask"
CUSTOM_LIST = "listCustomWorkflowTasks"
CUSTOM_RETRY = "retryCustomWorkflowTask"
CUSTOM_APPROVE = "approveCustomWorkflowTask"
# Which API a spec describes, by the operations it has: v1.7.1's page, or today's OpenAPI.
APIS = {
    "workflow": (CREATE, RESTART, CANCEL),
    "custom-workflow": (
        CUSTOM_CREATE,
        CUSTOM_GET,
        CUSTOM_CANCEL,
        CUSTOM_LIST,
        CUSTOM_RETRY,
        CUSTOM_APPROVE,
    ),
}
# The page's sub-headings, used to point a failure at the part of the page it breaks.
SECTION_SUCCESS = "正常返回"
SECTION_ERROR = "异常返回"
SECTION_BODY = "body 参数说明"
SECTION_PATH = "路径参数说明"
SECTION_AUTH = "注意事项"  # "需要有…的权限"


def api_of(contract: spec.Contract) -> str | None:
    """The key of APIS whose operations the spec has all of (None: neither)."""
    return next((api for api, ids in APIS.items() if set(ids) <= set(contract.operations)), None)


def load_contract(path: str | Path) -> spec.Contract:
    """The spec's contract, with the operations the gate drives (v1.7.1's three, or today's
    OpenAPI's six); ValueError naming v1.7.1's missing ones if neither."""
    contract = spec.load_contract(path)
    if api_of(contract) is None:
        missing = set(APIS["workflow"]) - set(contract.operations)
        raise ValueError(f"{path}: the spec has no operation {', '.join(sorted(missing))}")
    return contract
