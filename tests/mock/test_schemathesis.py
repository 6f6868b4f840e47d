"""`st run --checks all` against a running mock (with auth on) reports no failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from openapi import SPEC_PATH

from .support import MockProcess

CONFIG = Path(__file__).with_name("schemathesis.toml")
TOKEN = "schemathesis-token"


def test_schemathesis_all_checks_pass(tmp_path: Path) -> None:
    st = Path(sys.executable).with_name("st")
    with MockProcess("--token", TOKEN, "--quiet") as proc:
        # In tmp_path: schemathesis keeps a cache of past failures in its working directory.
        run = subprocess.run(
            [str(st), "--config-file", str(CONFIG), "run", str(SPEC_PATH), "--url", proc.url,
             "--checks", "all", "--max-examples", "25", "--seed", "20261126",
             "--request-timeout", "10", "-H", f"Authorization: Bearer {TOKEN}"],
            cwd=tmp_path, capture_output=True, text=True, timeout=240,
        )
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    assert "failure" not in summary.split("SUMMARY")[-1].lower(), summary
    assert "3 passed" in summary  # each phase tested all three operations
