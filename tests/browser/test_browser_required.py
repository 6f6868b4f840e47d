"""CI runs the browser tests, never skips them: without Chromium they fail when required, and
.ci/run installs Chromium unconditionally and always requires them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from browser_harness import REPO

HERE = Path(__file__).resolve().parent


def run_browser_test(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """One browser test, in its own pytest, on a machine where Chromium is not found."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rs",
            str(HERE / "test_browser_swagger_ui.py"),
            "-k",
            "servers_dropdown",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "ZADIG_CHROMIUM": str(tmp_path / "no-chromium"), **env},
    )


def test_without_chromium_a_required_run_fails_and_an_optional_one_skips(tmp_path: Path) -> None:
    required = run_browser_test(tmp_path, ZADIG_BROWSER_TESTS="required")
    assert required.returncode == 1, required.stdout
    assert f"browser test needs chromium at {tmp_path / 'no-chromium'}" in required.stdout
    optional = run_browser_test(tmp_path, ZADIG_BROWSER_TESTS="")
    assert optional.returncode == 0, optional.stdout
    assert "1 skipped" in optional.stdout


def test_ci_installs_chromium_and_always_requires_the_browser_tests() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines()]
    assert "set -euo pipefail" in lines  # a failed command fails the run
    # At the top level, not in a branch taken only when the install worked.
    assert "export ZADIG_BROWSER_TESTS=required" in script.splitlines()
    # The install is a plain command (set -e fails the run on it), not an `if`'s condition.
    at = next(
        i
        for i, line in enumerate(lines)
        if "apt-get install" in line and "chromium" in line + lines[i + 1]
    )
    command = lines[at] + " " + lines[at + 1]
    assert not command.startswith(("if ", "elif ", "while ")), command
    assert "||" not in command and "then" not in command.split(), command
