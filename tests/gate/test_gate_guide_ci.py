"""The gate guide's CI jobs for today's OpenAPI (docs/gate.md, "A CI step against a 4.x
deployment"): their `zadig-contract` command lines, as GitHub Actions and GitLab CI would run
them, are run by the real CLI against the stand-in of today's service (tests/gate/fake_today.py),
with the stand-in's values in the variables the jobs read."""

from __future__ import annotations

import io
import json
import re
import shlex
import xml.etree.ElementTree as ET
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from contract_tests import cli
from contract_tests.settings import OPTIONS

from .fake_today import Switches, build_app
from .fake_zadig import ServerThread

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "gate.md"
SECTION = "A CI step against a 4.x deployment"
# What the deployment's CI variables hold, here the stand-in's: its project and workflow (with
# jobs of its own), its workflow with an approval job, the admin's token and a non-approver's.
STAND_IN = {
    "ZADIG_TOKEN": "admin-token",
    "ZADIG_PROJECT": "helm",
    "ZADIG_WORKFLOW": "test-openapi",
    "ZADIG_APPROVAL_WORKFLOW": "with-approval",
    "ZADIG_APPROVAL_JOB": "approval",
    "ZADIG_NON_APPROVER_TOKEN": "dev-token",
}
TRIGGER = {
    "project_key": "helm",
    "workflow_key": "test-openapi",
    "inputs": [{"job_name": "build-myapps", "job_type": "zadig-build", "parameters": {}}],
}
GATE_ENV = {option.env for option in OPTIONS}
# Set for staging only: production's are empty, as the guide says they may be.
STAGING_ONLY = ("ZADIG_APPROVAL_WORKFLOW", "ZADIG_APPROVAL_JOB", "ZADIG_NON_APPROVER_TOKEN")


def expand(text: str, pattern: str, values: dict[str, str]) -> str:
    """`text` with each match of `pattern` replaced by the value its group names."""
    return re.sub(pattern, lambda m: values.get(m[1], m[0]), text)


def ci_values(name: str, names) -> dict[str, str]:
    """The stand-in's value of each variable in `names`; staging's only on staging."""
    staging = "staging" in name
    return {k: STAND_IN.get(k, "") if staging or k not in STAGING_ONLY else "" for k in names}


def section_yaml() -> list[dict]:
    """The YAML blocks of the guide's CI section, parsed."""
    tokens = MarkdownIt().parse(GUIDE.read_text(encoding="utf-8"))
    blocks, inside = [], False
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inside = tokens[i + 1].content == SECTION or (inside and token.tag == "h4")
        elif inside and token.type == "fence" and token.info.strip() == "yaml":
            blocks.append(yaml.safe_load(token.content))
    return blocks


def github_steps(workflow: dict) -> list[tuple[str, str, dict[str, str]]]:
    """(name, command line, env) of each zadig-contract step, once per matrix entry."""
    found = []
    for job in workflow.get("jobs", {}).values():
        for entry in job.get("strategy", {}).get("matrix", {}).get("include", [{}]):
            for step in job["steps"]:
                if "zadig-contract" not in step.get("run", ""):
                    continue
                command = expand(step["run"], r"\$\{\{\s*matrix\.(\w+)\s*\}\}", entry)
                name = f"github {entry.get('deployment', '')}"
                found.append((name, command, ci_values(name, step.get("env", {}))))
    return found


def gitlab_jobs(pipeline: dict) -> list[tuple[str, str, dict[str, str]]]:
    """(name, command line, env) of each job that extends the template with the command."""
    found = []
    for name, job in pipeline.items():
        template = pipeline.get(job.get("extends", ""), {}) if isinstance(job, dict) else {}
        for line in template.get("script", []):
            if "zadig-contract" in line:
                # The CI/CD variables (set per environment scope), then the job's own.
                variables = {k: str(v) for k, v in job.get("variables", {}).items()}
                variables = {**ci_values(name, STAND_IN), **variables}
                command = expand(line, r"\$(\w+)", variables)
                found.append((f"gitlab {name}", command, variables))
    return found


def steps() -> list[tuple[str, str, dict[str, str]]]:
    blocks = section_yaml()
    found = [s for b in blocks if "jobs" in b for s in github_steps(b)]
    found += [s for b in blocks if "jobs" not in b for s in gitlab_jobs(b)]
    return found


def test_the_guide_shows_both_ci_systems_with_both_profiles() -> None:
    names = sorted(name for name, _, _ in steps())
    assert names == [
        "github production",
        "github staging",
        "gitlab openapi-gate-production",
        "gitlab openapi-gate-staging",
    ]
    profiles = [shlex.split(command) for _, command, _ in steps()]
    assert sorted(argv[argv.index("--profile") + 1] for argv in profiles) == [
        "full",
        "full",
        "safe",
        "safe",
    ]


@pytest.mark.parametrize(("name", "command", "env"), steps(), ids=[s[0] for s in steps()])
def test_the_guide_ci_step_runs_against_the_stand_in(
    name, command, env, tmp_path, monkeypatch
) -> None:
    argv = shlex.split(command)
    assert argv[0] == "zadig-contract"
    assert argv[argv.index("--api") + 1] == "custom-workflow"
    assert set(env) <= GATE_ENV, set(env) - GATE_ENV
    # The token comes from the CI's secrets, never from the command line.
    assert "--token" not in argv and "--non-approver-token" not in argv
    monkeypatch.chdir(tmp_path)
    trigger = Path(argv[argv.index("--trigger-body") + 1])
    trigger.parent.mkdir(parents=True, exist_ok=True)
    trigger.write_text(json.dumps(TRIGGER), encoding="utf-8")
    for option in OPTIONS:
        monkeypatch.delenv(option.env, raising=False)
    app = build_app(Switches())
    with ServerThread(app) as server:
        monkeypatch.setenv("ZADIG_BASE_URL", server.url)
        for key, value in env.items():
            if key != "ZADIG_BASE_URL":
                monkeypatch.setenv(key, value)
        out = io.StringIO()
        with redirect_stdout(out):
            code = cli.main(argv[1:])
    assert code == 0, out.getvalue()[-3000:]
    reports = [a for a in argv if a.endswith(".xml")]
    suite = ET.parse(tmp_path / reports[0]).getroot()
    cases = suite.findall(".//testcase")
    assert cases and not suite.findall(".//failure") and not suite.findall(".//error")
    html = next(a for a in argv if a.endswith(".html"))
    assert "operation" in (tmp_path / html).read_text(encoding="utf-8")
    if "full" in argv:
        triggered = {task.workflow.key for task in app.state.fake.tasks.values()}
        assert triggered == {"test-openapi", "with-approval"}
        passed = {c.get("name") for c in cases if not c.findall("skipped")}
        assert "test_the_approver_approves" in passed
    else:
        assert app.state.fake.tasks == {}
