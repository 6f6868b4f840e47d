"""`st run --checks all` against a running mock (with auth on) reports no failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from openapi import SPEC_PATH

from .support import ROOT, SPEC, MockProcess

CONFIG = Path(__file__).with_name("schemathesis.toml")
TOKEN = "schemathesis-token"
HOOKS = "tests.mock.st_hooks"  # adds a check: schema-valid data is refused only by Zadig's rules


def linked_spec(directory: Path) -> Path:
    """A copy of the spec whose create answer links to restart and cancel (id <- task_id,
    pipeline <- pipeline_name): the spec declares no links, so schemathesis' stateful phase
    would otherwise have nothing to chain."""
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    links = {}
    create = None
    for item in spec["paths"].values():
        for op in item.values():
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            if {"id", "pipeline"} <= names:
                links[op["operationId"]] = {"operationId": op["operationId"], "parameters": {
                    "id": "$response.body#/task_id", "pipeline": "$response.body#/pipeline_name"}}
            if "requestBody" in op:
                create = op
    assert create is not None and len(links) == 2
    create["responses"]["200"]["links"] = links
    path = directory / "workflow-linked.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("linked", [False, True], ids=["spec", "spec-with-links"])
def test_schemathesis_all_checks_pass(tmp_path: Path, linked: bool) -> None:
    spec = linked_spec(tmp_path) if linked else SPEC_PATH
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
    if linked:
        assert "✅ Stateful" in tail, summary
    assert "valid_data_refused_only_by_rules" not in run.stdout
