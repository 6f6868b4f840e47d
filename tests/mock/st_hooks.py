"""A schemathesis check loaded with SCHEMATHESIS_HOOKS=tests.mock.st_hooks: it keeps the 400
that schemathesis.toml allows for schema-valid requests from hiding real refusals."""

from __future__ import annotations

from typing import Any

import schemathesis

INT64 = range(-(2**63), 2**63)


@schemathesis.check
def valid_data_refused_only_by_rules(ctx: Any, response: Any, case: Any) -> None:
    """A schema-valid request may get 400 only with a catalogue rule's 6xxx code (an unknown
    workflow or task), not code 400 "Bad Request", which would mean the server refused data that
    the spec allows. The one exception: an id beyond int64, which aslan cannot parse."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return
    code = response.json().get("code")
    task_id = (case.path_parameters or {}).get("id")
    if code == 400 and isinstance(task_id, int) and task_id not in INT64:
        return
    assert isinstance(code, int) and code >= 6000, (
        f"a schema-valid request was refused as bad input: {response.text}"
    )
