"""Fixtures for the converter tests."""

from __future__ import annotations

import pytest

from openapi import cli


@pytest.fixture
def run_cli(capsys):
    """Run `zadig-spec ARGS...` in-process: (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
