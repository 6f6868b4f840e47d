"""`st run --checks all` against a running mock (with auth on) reports no failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openapi import SPEC_PATH

from .support import ROOT, SPEC, MockProcess

CONFIG = Path(__file__).with_name("schemathesis.toml")
TOKEN = "schemathesis-token"
HOOKS = "tests.mock.st_hooks"  # adds a check: schema-valid data is refused only by Zadig's rules


def test_schemathesis_all_checks_pass(tmp_path: Path) -> None:
    spec = SPEC_PATH
    st = Path(sys.executable).with_name("st")
    with MockProcess("--token", TOKEN, "--quiet") as proc:
        # In tmp_path: schemathesis keeps a cache of past failures in its working directory.
        run = subprocess.run(
            [str(st), "--config-file", str(CONFIG), "run", str(spec), "--url", proc.url,
             "--checks", "all", "--max-examples", "20", "--seed", "20261126",
             "--request-timeout", "10", "-H", f"Authorization: Bearer {TOKEN}"],
            cwd=tmp_path, capture_output=True, text=True, timeout=240,
            env={**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": HOOKS},
        )
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    tail = summary.split("SUMMARY")[-1]
    assert "failure" not in tail.lower(), summary
    assert f"Tested: {len(SPEC['paths'])}" in tail, summary
    # The spec links create to restart and cancel, so the stateful phase has chains to run.
    assert "✅ Stateful" in tail, summary
    assert "valid_data_refused_only_by_rules" not in run.stdout
