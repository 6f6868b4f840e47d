"""The committed spec passes Spectral's `spectral:oas` ruleset: no error, no warning.

Spectral is a Node tool; it is found through $SPECTRAL, then PATH, then
/tmp/spectral/node_modules/.bin (where `npm install @stoplight/spectral-cli@6` puts it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from converter_helpers import PAGES, REPO

from openapi import cli


def _spectral() -> str | None:
    candidates = [
        os.environ.get("SPECTRAL"),
        shutil.which("spectral"),
        "/tmp/spectral/node_modules/.bin/spectral",
    ]
    return next((c for c in candidates if c and Path(c).is_file()), None)


SPECTRAL = _spectral()
pytestmark = pytest.mark.skipif(
    SPECTRAL is None,
    reason="Spectral not installed: set SPECTRAL, put `spectral` on PATH, or "
    "`npm install --prefix /tmp/spectral @stoplight/spectral-cli@6`",
)


def _lint(spec: Path) -> list[dict]:
    result = subprocess.run(
        [
            SPECTRAL,
            "lint",
            "--ruleset",
            str(REPO / ".spectral.yaml"),
            "--format",
            "json",
            "--fail-severity",
            "hint",
            "--quiet",
            str(spec),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def test_committed_spec_has_no_spectral_finding():
    findings = _lint(REPO / "openapi" / "workflow.yaml")
    assert [(f["code"], f["message"], f["path"]) for f in findings] == []


def test_committed_custom_workflow_spec_has_no_spectral_finding():
    findings = _lint(REPO / "openapi" / "custom-workflow.yaml")
    assert [(f["code"], f["message"], f["path"]) for f in findings] == []


def test_ruleset_is_active(tmp_path):
    """A spec with a planted flaw is reported, so the clean result above means something."""
    spec = yaml.safe_load((REPO / "openapi" / "workflow.yaml").read_text(encoding="utf-8"))
    del spec["info"]["contact"]
    planted = tmp_path / "planted.yaml"
    planted.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    assert "info-contact" in {f["code"] for f in _lint(planted)}


PAGE_FILES = sorted(path.name for path in PAGES.glob("*.md"))


@pytest.mark.parametrize("name", PAGE_FILES)
def test_converted_pages_have_no_spectral_error(name, tmp_path):
    """Without an overlay a page lacks servers and contact (warnings), but nothing the
    emitter writes may be an error."""
    converted = tmp_path / "page.yaml"
    converted.write_text(cli.convert((PAGES / name).read_text(encoding="utf-8")), encoding="utf-8")
    errors = [f for f in _lint(converted) if f["severity"] == 0]
    assert errors == []


def test_all_pages_in_one_spec_have_no_spectral_error(tmp_path, run_cli):
    converted = tmp_path / "all.yaml"
    assert run_cli("convert", str(PAGES), "-o", str(converted))[0] == 0
    errors = [f for f in _lint(converted) if f["severity"] == 0]
    assert errors == []


def test_lint_reports_errors_of_a_converted_page(tmp_path):
    """An example the schema rejects is a Spectral error: the checks above can fail."""
    spec = yaml.safe_load(cli.convert((PAGES / "template-api.md").read_text(encoding="utf-8")))
    media = spec["paths"]["/api/aslan/template/{kind}/templates"]["post"]["requestBody"]
    media["content"]["application/json"]["examples"]["documented"]["value"]["name"] = 7
    planted = tmp_path / "planted.yaml"
    planted.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    assert "oas3-valid-media-example" in {f["code"] for f in _lint(planted) if f["severity"] == 0}
