"""Puts this folder on the import path (pytest's rootdir-relative imports), so that every test
folder shares `helpers`. The page cache of `--page` (openapi/page_cache.py) goes to a folder of
this run, not the user's: the mocks, gates and proxies the tests start inherit it."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def page_cache_of_this_run(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
