"""The mock's world: by default the one in which the spec's create example succeeds, or a YAML
seed file, checked against seed-schema.yaml."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from mock_server import custom_workflow as custom
from mock_server.domain import ENDINGS, STATUSES, Project, Task, Workflow, World

SCHEMA_PATH = Path(__file__).with_name("seed-schema.yaml")


class SeedError(ValueError):
    """The seed file does not describe a world."""


def default_seed(example: dict[str, Any]) -> dict[str, Any]:
    """The world of the spec's documented create example (the page's own, `example`): its
    project with its env and services, and its workflow, so that the example succeeds out of
    the box."""
    project = example["product_tmpl_name"]
    services = sorted({target["service_name"] for target in example["targets"]})
    return {
        "projects": {project: {"envs": [example["namespace"]], "services": services}},
        "workflows": {example["workflow_name"]: {"project": project, "services": services}},
    }


def load_seed(path: str | Path | None) -> dict[str, Any] | None:
    """The seed file's mapping (None without a file); SeedError names what is wrong."""
    if path is None:
        return None
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: {exc}") from exc
    try:
        build_world(data)  # refuses what the server would refuse, naming the file
        build_custom_world(data)
    except SeedError as exc:
        raise SeedError(f"{path}: {exc}") from exc
    return data


@cache
def seed_validator() -> Any:
    return jsonschema_rs.Draft7Validator(seed_schema())


def seed_schema() -> dict[str, Any]:
    schema = yaml.load(SCHEMA_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    schema["properties"]["workflows"]["additionalProperties"]["properties"]["outcome"]["enum"] = (
        list(ENDINGS)
    )
    schema["properties"]["tasks"]["items"]["properties"]["status"]["enum"] = list(STATUSES)
    custom_workflow = schema["properties"]["custom_workflows"]["additionalProperties"]
    custom_workflow["properties"]["outcome"]["enum"] = list(custom.ENDINGS)
    return schema


def check(seed: Any) -> None:
    """SeedError naming the first key that is not what seed-schema.yaml expects."""
    try:
        error = next(seed_validator().iter_errors(seed), None)
    except ValueError as exc:  # e.g. a mapping key that YAML read as a number
        raise SeedError(f"invalid seed: {exc} (names must be strings)") from None
    if error is not None:
        where = "/".join(str(part) for part in error.instance_path) or "the top level"
        raise SeedError(f"invalid seed at {where}: {error.message}")


def build_world(seed: dict[str, Any], now: float | None = None) -> World:
    """The World a seed mapping describes; SeedError names the first thing that is wrong."""
    check(seed)
    now = time.time() if now is None else now
    projects = {
        name: Project(name, frozenset(p.get("envs", ())), frozenset(p.get("services", ())))
        for name, p in seed.get("projects", {}).items()
    }
    raw_workflows = seed.get("workflows", {})
    workflows = {name: _workflow(name, w, projects) for name, w in raw_workflows.items()}
    tokens = {t["token"]: _bound(t) for t in seed.get("tokens", ())}
    tasks = [_task(t, workflows, now) for t in seed.get("tasks", ())]
    lifecycle = seed.get("lifecycle", {})
    counters = {
        name: w["next_task_id"] - 1 for name, w in raw_workflows.items() if "next_task_id" in w
    }
    return World(
        projects,
        workflows,
        tokens,
        tasks,
        counters,
        task_duration=float(lifecycle.get("task_duration", 30.0)),
        failure_rate=float(lifecycle.get("failure_rate", 0.0)),
    )


def _workflow(name: str, raw: dict[str, Any], projects: dict[str, Project]) -> Workflow:
    if raw["project"] not in projects:
        raise SeedError(
            f"invalid seed at workflows/{name}/project: unknown project "
            f"{raw['project']!r} (projects: {', '.join(projects) or 'none'})"
        )
    return Workflow(name, raw["project"], raw.get("outcome"), frozenset(raw.get("services", ())))


def _bound(raw: dict[str, Any]) -> frozenset[str] | None:
    projects = raw.get("projects")
    return None if projects is None else frozenset(projects)


def _task(raw: dict[str, Any], workflows: dict[str, Workflow], now: float) -> Task:
    workflow = workflows.get(raw["pipeline"])
    if workflow is None:
        known = ", ".join(workflows) or "none"
        raise SeedError(
            f"invalid seed: task {raw['pipeline']}:{raw['task_id']} names unknown "
            f"workflow {raw['pipeline']!r} (workflows: {known})"
        )
    status = raw.get("status", "created")
    return Task(workflow.name, raw["task_id"], workflow.project, status, now, now)


def default_custom_seed(trigger: dict[str, Any], approve: dict[str, Any]) -> dict[str, Any]:
    """Today's OpenAPI out of the box: the world of its spec's examples. The trigger example's
    workflow in its project, a stage per job it names (of the job's type), its parameters; the
    approve example's workflow with that approval job, which the default user approves."""
    project = trigger.get("project_key") or "default"
    workflows: dict[str, Any] = {}
    if trigger.get("workflow_key"):
        jobs = [
            {"name": i["job_name"], "type": i.get("job_type") or "freestyle"}
            for i in trigger.get("inputs") or ()
            if isinstance(i, dict) and i.get("job_name")
        ]
        workflows[trigger["workflow_key"]] = {
            "project": project,
            "stages": [{"name": job["name"], "jobs": [job]} for job in jobs],
            "params": {p["name"]: None for p in trigger.get("parameters") or () if "name" in p},
        }
    if approve.get("workflow_key") and approve.get("stage_name"):
        job = {"name": approve["stage_name"], "type": custom.APPROVAL_JOB}
        job["approvers"] = [custom.CustomWorld().default_user.name]
        workflows.setdefault(approve["workflow_key"], {"project": project, "stages": []})
        workflows[approve["workflow_key"]]["stages"].append({"name": job["name"], "jobs": [job]})
    return {"custom_workflows": workflows}


def build_custom_world(
    seed: dict[str, Any], task_duration: float | None = None
) -> custom.CustomWorld:
    """Today's OpenAPI's part of a seed: its custom workflows and the users tokens stand for."""
    check(seed)
    workflows = {}
    for key, raw in seed.get("custom_workflows", {}).items():
        stages = tuple(
            custom.Stage(
                stage["name"],
                tuple(
                    custom.Job(
                        job["name"],
                        job["type"],
                        job.get("run_policy", ""),
                        tuple(job.get("approvers", ())),
                        job.get("needed_approvers", 1),
                    )
                    for job in stage["jobs"]
                ),
            )
            for stage in raw["stages"]
        )
        params = {
            name: None if options is None else tuple(options)
            for name, options in raw.get("params", {}).items()
        }
        workflows[key] = custom.CustomWorkflow(
            key,
            raw["project"],
            raw.get("display_name", key),
            stages,
            params,
            raw.get("disabled", False),
            raw.get("approval_ticket", False),
            raw.get("outcome", "passed"),
        )
    users = {
        t["token"]: custom.User(
            t.get("user", t["token"]),
            t.get("user", t["token"]),
            admin="projects" not in t,
            projects=frozenset(t.get("projects", ())),
        )
        for t in seed.get("tokens", ())
    }
    duration = seed.get("lifecycle", {}).get("task_duration", 30.0)
    return custom.CustomWorld(
        workflows,
        users,
        task_duration=float(duration if task_duration is None else task_duration),
    )
