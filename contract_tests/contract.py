"""What the gate needs of the contract besides the core's reading of it: the three operations
it drives by name, and the page's sub-headings a failure points at.

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
# The page's sub-headings, used to point a failure at the part of the page it breaks.
SECTION_SUCCESS = "正常返回"
SECTION_ERROR = "异常返回"
SECTION_BODY = "body 参数说明"
SECTION_PATH = "路径参数说明"
SECTION_AUTH = "注意事项"  # "需要有…的权限"


def load_contract(path: str | Path) -> spec.Contract:
    """The spec's contract, with the three operations the gate drives; ValueError if not."""
    contract = spec.load_contract(path)
    missing = {CREATE, RESTART, CANCEL} - set(contract.operations)
    if missing:
        raise ValueError(f"{path}: the spec has no operation {', '.join(sorted(missing))}")
    return contract
