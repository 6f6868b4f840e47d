"""`st run openapi/workflow.yaml --url URL --checks all`, as a user runs it from the repository
root (so with the root schemathesis.toml), against `zadig-mock` started with no option."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from openapi import SPEC_PATH

from .support import CREATE, ROOT, SPEC, MockProcess

CONFIG = ROOT / "schemathesis.toml"  # what `st run` reads when run from the root
HOOKS = "tests.mock.st_hooks"  # adds a check: schema-valid data is refused only by Zadig's rules


def test_st_run_all_checks_against_the_default_mock(tmp_path: Path) -> None:
    st = Path(sys.executable).with_name("st")
    log = tmp_path / "mock.log"
    with MockProcess(log=log) as proc:
        # In tmp_path, with the root's config named: schemathesis keeps a cache of past failures
        # in its working directory.
        run = subprocess.run(
            [
                str(st),
                "--config-file",
                str(CONFIG),
                "run",
                str(SPEC_PATH),
                "--url",
                proc.url,
                "--checks",
                "all",
                "--max-examples",
                "20",
                "--seed",
                "20261126",
                "--request-timeout",
                "10",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": HOOKS},
        )
    tail = run.stdout.split("SUMMARY")[-1]
    assert f"Tested: {len(SPEC['paths'])}" in tail, run.stdout[-3000:]
    # No failure in any phase, no check disabled: the spec's schema requires what Zadig v1.7.1
    # refuses (a create without `namespace` is a valid request, answered 200: behavior file).
    assert re.findall(r"❌ (ST\d+) ", tail) == [], run.stdout[-5000:]
    assert re.search(r"(\d+) generated, \1 passed", tail), run.stdout[-3000:]
    assert run.returncode == 0, run.stdout[-3000:]
    assert "valid_data_refused_only_by_rules" not in run.stdout
    # The spec links create to restart and cancel: the stateful phase ran real chains, with the
    # root config's token, so the mock created, restarted and cancelled tasks (not only 401s).
    assert "✅ Stateful" in tail, run.stdout[-3000:]
    assert all(successes(log).values()), successes(log)


def successes(log: Path) -> dict[str, int]:
    """Answers 200 per operation, from the mock's log (a line: time, method, target, status)."""
    counts = {"create": 0, "restart": 0, "cancel": 0}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[4] != "200":
            continue
        method, path = fields[2], fields[3].split("?")[0]
        if method == "POST" and path == CREATE:
            counts["create"] += 1
        elif method == "POST" and path.startswith(CREATE + "/id/") and path.endswith("/restart"):
            counts["restart"] += 1
        elif method == "DELETE" and path.startswith(CREATE + "/id/"):
            counts["cancel"] += 1
    return counts
