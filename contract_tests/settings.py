"""The gate's settings: command-line options, each with an environment-variable fallback."""

from __future__ import annotations

import json
import math
import os
import random
import shlex
import string
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from api_contract.spec import Contract
from contract_tests.contract import api_of

PROFILES = ("safe", "full")
# Seconds for all requests of a run, per profile: room for a deployment that takes about
# 3 s per request (safe sends about 100 requests; full about 300, many of them real creates).
RUN_BUDGETS = {"safe": 300.0, "full": 900.0}
TRUE = ("1", "true", "yes", "on")
# Ids far above any real task id but inside int64, the spec's format for ids.
ABSENT_ID_FLOOR = 9_000_000_000_000_000_000
MARK = "zadig-contract-absent"


@dataclass(frozen=True)
class Option:
    flag: str
    env: str
    help: str
    default: Any = None
    kind: type = str


OPTIONS = (
    Option("--base-url", "ZADIG_BASE_URL", "the deployment to check (required)"),
    Option("--token", "ZADIG_TOKEN", "API token (Authorization: Bearer)"),
    Option("--profile", "ZADIG_PROFILE", "safe (production) or full (staging, mock)", "safe"),
    Option("--project", "ZADIG_PROJECT", "fixture project (the spec's example)"),
    Option("--workflow", "ZADIG_WORKFLOW", "fixture workflow (the spec's example)"),
    Option("--env", "ZADIG_ENV", "fixture env (the spec's example)"),
    Option("--service", "ZADIG_SERVICE", "fixture service (the spec's example)"),
    Option("--target-name", "ZADIG_TARGET_NAME", "fixture target name (default: --service)"),
    Option(
        "--spec",
        "ZADIG_SPEC",
        "OpenAPI spec, repeatable (default: the packaged one)",
        None,
        list,
    ),
    Option(
        "--page",
        "ZADIG_PAGE",
        "API pages instead of --spec (repeatable)",
        None,
        list,
    ),
    Option(
        "--set",
        "ZADIG_SET",
        "a parameter's value (repeatable)",
        None,
        list,
    ),
    Option(
        "--api",
        "ZADIG_API",
        "workflow (v1.7.1's page) or custom-workflow (today's OpenAPI)",
    ),
    # The options of today's OpenAPI's full profile (see docs/gate.md).
    Option(
        "--trigger-body",
        "ZADIG_TRIGGER_BODY",
        "custom-workflow: the trigger's JSON body (default: the spec's example)",
    ),
    Option(
        "--approval-workflow",
        "ZADIG_APPROVAL_WORKFLOW",
        "a workflow whose approval job the token approves (default: none)",
    ),
    Option("--approval-job", "ZADIG_APPROVAL_JOB", "that approval job's name"),
    Option(
        "--approval-trigger-body",
        "ZADIG_APPROVAL_TRIGGER_BODY",
        "its JSON trigger body (default: that job only)",
    ),
    Option(
        "--non-approver-token",
        "ZADIG_NON_APPROVER_TOKEN",
        "token of a non-approver",
    ),
    Option("--request-timeout", "ZADIG_REQUEST_TIMEOUT", "per request", 10.0, float),
    Option(
        "--run-budget",
        "ZADIG_RUN_BUDGET",
        "seconds for all requests of the run (default: safe 300, full 900)",
        None,
        float,
    ),
    # pytest has a --strict of its own (its strict mode, which the suite passes): the gate
    # reads that same flag rather than defining a second one.
    Option(
        "--strict",
        "ZADIG_STRICT",
        "fail a server that accepts a body the page calls incomplete",
        False,
        bool,
    ),
    Option("--max-examples", "ZADIG_MAX_EXAMPLES", "cases per operation", 25, int),
    Option("--seed", "ZADIG_SEED", "seed for generated cases and names", None, int),
)


def dest(option: Option) -> str:
    return "zadig_" + option.flag.lstrip("-").replace("-", "_")


def add_options(parser: Any) -> None:
    taken = _flags_taken(parser)
    # A flag another plugin owns is listed under that plugin: say here what it means to the gate.
    shared = [f"{o.flag}: {_help(o)}" for o in OPTIONS if o.flag in taken]
    title = "Zadig workflow-task conformance gate"
    if shared:
        title += " (shared with pytest or a plugin: " + "; ".join(shared) + ")"
    group = parser.getgroup("zadig-contract", title)
    for option in OPTIONS:
        # Another plugin may own a flag (pytest-base-url has --base-url): share its value.
        if option.flag not in taken:
            action = {bool: "store_true", list: "append"}.get(option.kind, "store")
            group.addoption(
                option.flag, dest=dest(option), default=None, action=action, help=_help(option)
            )


def _flags_taken(parser: Any) -> set[str]:
    groups = [getattr(parser, "_anonymous", None), *getattr(parser, "_groups", [])]
    options = [option for group in groups if group is not None for option in group.options]
    return {name for option in options for name in option.names()}


def _getoption(config: Any, option: Option) -> Any:
    try:
        return config.getoption(dest(option))
    except ValueError:
        return config.getoption(option.flag.lstrip("-").replace("-", "_"), default=None)


def _help(option: Option) -> str:
    shown = option.default is not None and option.kind is not bool
    default = f"; default {option.default}" if shown else ""
    return f"{option.help} [env {option.env}{default}]"


@dataclass(frozen=True)
class Fixture:
    """The project, workflow, env and target the full profile may run real tasks on."""

    project: str
    workflow: str
    env: str
    service: str
    target_name: str

    def body(self) -> dict[str, Any]:
        target = {
            "name": self.target_name,
            "service_name": self.service,
            "product_name": self.project,
        }
        return {
            "workflow_name": self.workflow,
            "product_tmpl_name": self.project,
            "namespace": self.env,
            "targets": [target],
        }


@dataclass(frozen=True)
class Approval:
    """Today's OpenAPI, full profile: a workflow whose tasks wait for an approval job that the
    token's user may approve, and optionally the token of a user who may not."""

    workflow: str
    job: str
    trigger_body: dict[str, Any]
    non_approver_token: str | None = None


@dataclass(frozen=True)
class Settings:
    base_url: str
    token: str | None
    profile: str
    spec: Path
    request_timeout: float
    run_budget: float
    max_examples: int
    seed: int | None
    fixture: Fixture
    run_mark: str
    strict: bool = False
    # --set NAME=VALUE: parameter values over the page's examples (operations without rules).
    sets: dict[str, str] = field(default_factory=dict)
    api: str = "workflow"
    trigger_body: dict[str, Any] | None = None  # custom-workflow: the full profile's trigger
    approval: Approval | None = None  # custom-workflow: the approve step's fixture

    @property
    def full(self) -> bool:
        return self.profile == "full"

    def absent_name(self, what: str) -> str:
        """A name no deployment has: clearly marked, unique to this run."""
        return f"{MARK}-{what}-{self.run_mark}"

    def absent_id(self, offset: int = 0) -> int:
        return ABSENT_ID_FLOOR + zlib.crc32(self.run_mark.encode()) % 1_000_000 + offset


class SettingsError(ValueError):
    pass


def raw_values(config: Any) -> dict[str, Any]:
    """Each option from the command line, else its environment variable, else its default."""
    values = {}
    for option in OPTIONS:
        value = _getoption(config, option)
        if option.kind is bool:
            value = bool(value) or os.environ.get(option.env, "").lower() in TRUE
        if option.kind is list:
            value = value or shlex.split(os.environ.get(option.env, ""))
        if value is None:
            value = os.environ.get(option.env) or option.default
        if value is not None and option.kind not in (str, bool, list):
            try:
                value = option.kind(value)
            except ValueError:
                raise SettingsError(f"{option.flag} must be a number, got {value!r}") from None
        values[dest(option)] = value
    return values


def build_settings(values: dict[str, Any], contract: Contract, spec: Path) -> Settings:
    if not values["zadig_base_url"]:
        raise SettingsError("--base-url (or ZADIG_BASE_URL) is required")
    if values["zadig_profile"] not in PROFILES:
        raise SettingsError(f"--profile must be one of {', '.join(PROFILES)}")
    _check_base_url(values["zadig_base_url"])
    if values["zadig_run_budget"] is None:
        values = {**values, "zadig_run_budget": RUN_BUDGETS[values["zadig_profile"]]}
    for flag in ("request_timeout", "run_budget"):
        if not 0 < values[f"zadig_{flag}"] < math.inf:
            name = flag.replace("_", "-")
            raise SettingsError(f"--{name} must be a number of seconds above 0")
    if values["zadig_max_examples"] < 1:
        raise SettingsError("--max-examples must be at least 1")
    seed = values["zadig_seed"]
    # Letters only: a lenient server finds no number in a name (or a non-integer id) built on it.
    mark = "".join(random.Random(seed).choices(string.ascii_lowercase, k=8))
    return Settings(
        base_url=values["zadig_base_url"],
        token=values["zadig_token"] or None,
        profile=values["zadig_profile"],
        spec=spec,
        request_timeout=values["zadig_request_timeout"],
        run_budget=values["zadig_run_budget"],
        max_examples=values["zadig_max_examples"],
        seed=seed,
        fixture=_fixture(values, contract),
        run_mark=mark,
        strict=values["zadig_strict"],
        sets=_sets(values["zadig_set"]),
        api=api_of(contract) or "workflow",
        trigger_body=(
            _trigger_body(values, contract) if api_of(contract) == "custom-workflow" else None
        ),
        approval=_approval(values, contract),
    )


def _sets(given: list[str] | None) -> dict[str, str]:
    found = {}
    for item in given or ():
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise SettingsError(f"--set takes NAME=VALUE, got {item!r}")
        found[name] = value
    return found


def _body_file(flag: str, path: str) -> dict[str, Any]:
    try:
        body = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"{flag} {path}: {exc}") from None
    if not isinstance(body, dict):
        raise SettingsError(f"{flag} {path}: not a JSON object")
    return body


def _trigger_body(values: dict[str, Any], contract: Contract) -> dict[str, Any]:
    """The body the full profile triggers its tasks with: the file --trigger-body names, else
    the spec's trigger example with the fixture's project and workflow."""
    path = values["zadig_trigger_body"]
    if path:
        return _body_file("--trigger-body", path)
    fixture = _fixture(values, contract)
    example = _example(contract)
    return {**example, "project_key": fixture.project, "workflow_key": fixture.workflow}


def _approval(values: dict[str, Any], contract: Contract) -> Approval | None:
    """The approve step's fixture, or None when no approval workflow is named."""
    workflow, job = values["zadig_approval_workflow"], values["zadig_approval_job"]
    other = values["zadig_non_approver_token"] or None
    if not (workflow or job or other or values["zadig_approval_trigger_body"]):
        return None
    if api_of(contract) != "custom-workflow":
        raise SettingsError("--approval-workflow and --approval-job are for --api custom-workflow")
    if not workflow or not job:
        raise SettingsError(
            "--approval-workflow and --approval-job go together (and are needed by "
            "--approval-trigger-body and --non-approver-token)"
        )
    path = values["zadig_approval_trigger_body"]
    if path:
        body = _body_file("--approval-trigger-body", path)
        if body.get("workflow_key") != workflow:
            raise SettingsError(
                f"--approval-trigger-body {path}: workflow_key {body.get('workflow_key')!r} "
                f"is not --approval-workflow {workflow!r}"
            )
    else:
        # Only the approval job selected: aslan skips every job not named in `inputs`.
        project = _fixture(values, contract).project
        inputs = [{"job_name": job, "job_type": "approval"}]
        body = {"project_key": project, "workflow_key": workflow, "inputs": inputs}
    return Approval(workflow, job, body, other)


def _example(contract: Contract) -> dict[str, Any]:
    """The spec's create example (the first operation that has a request example)."""
    for operation in contract.operations.values():
        if operation.request_example:
            return operation.request_example
    return {}


def _check_base_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"--base-url must be an http:// or https:// URL, got {url!r}")


def _fixture(values: dict[str, Any], contract: Contract) -> Fixture:
    """Defaults come from the spec's own create example, so a fresh mock matches them."""
    example = _example(contract)
    targets = example.get("targets") or [{}]
    service = values["zadig_service"] or targets[0].get("service_name", "")
    target_name = values["zadig_target_name"] or (
        service if values["zadig_service"] else targets[0].get("name", service)
    )
    return Fixture(
        project=values["zadig_project"]
        or example.get("product_tmpl_name", example.get("project_key", "")),
        workflow=values["zadig_workflow"]
        or example.get("workflow_name", example.get("workflow_key", "")),
        env=values["zadig_env"] or example.get("namespace", ""),
        service=service,
        target_name=target_name,
    )
