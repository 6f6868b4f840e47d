"""`zadig-contract`: run the packaged conformance suite with pytest.

Every argument goes to pytest, so the gate's options (`--base-url`, `--profile`, ...) and
pytest's own (`--junitxml`, `-k`, `-x`, ...) can be mixed. Exit status is pytest's: 0 only
when every rule that ran passed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parent


def pytest_args(argv: list[str]) -> list[str]:
    # No cache directory in the caller's working directory; the suite is the only test path.
    # This module imports the package before pytest could rewrite its asserts (it uses none).
    quiet = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    # Rule ids read `contract_tests/test_....py::...` wherever the suite is installed, so a
    # `--deselect` copied from a report works in any checkout.
    root = ["--rootdir", str(SUITE.parent)]
    return [str(SUITE), *root, "-p", "no:cacheprovider", "-r", "fEs", *quiet, *argv]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return int(pytest.main(pytest_args(args)))


if __name__ == "__main__":
    sys.exit(main())
