"""The mock's world: the page's example by default, or a YAML seed file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mock_server.domain import STATUSES, Project, Task, Workflow, World

# The page's own example: its create request succeeds out of the box.
DEFAULT_SEED: dict[str, Any] = {
    "projects": {"proxy": {"envs": ["dev"], "services": ["proxy"]}},
    "workflows": {"proxy-workflow-dev": {"project": "proxy", "services": ["proxy"]}},
}


class SeedError(ValueError):
    """The seed file does not describe a world."""


def load_seed(path: str | Path | None) -> dict[str, Any]:
    if path is None:
        return DEFAULT_SEED
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise SeedError(f"{path}: expected a mapping with projects, workflows, ...")
    return data


def build_world(seed: dict[str, Any], now: float | None = None) -> World:
    """The World a seed mapping describes; SeedError names the first thing that is wrong."""
    now = time.time() if now is None else now
    try:
        projects = {
            name: Project(name, frozenset(p.get("envs") or ()), frozenset(p.get("services") or ()))
            for name, p in (seed.get("projects") or {}).items()
        }
        workflows = {name: _workflow(name, w, projects)
                     for name, w in (seed.get("workflows") or {}).items()}
        tokens = {str(t["token"]): _bound(t) for t in seed.get("tokens") or ()}
        tasks = [_task(t, workflows, now) for t in seed.get("tasks") or ()]
        lifecycle = seed.get("lifecycle") or {}
        counters = {name: int(w["next_task_id"]) - 1
                    for name, w in (seed.get("workflows") or {}).items()
                    if w and "next_task_id" in w}
        return World(
            projects, workflows, tokens, tasks, counters,
            task_duration=float(lifecycle.get("task_duration", 30.0)),
            failure_rate=float(lifecycle.get("failure_rate", 0.0)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SeedError(f"invalid seed: {exc!r}") from exc


def _workflow(name: str, raw: dict[str, Any], projects: dict[str, Project]) -> Workflow:
    if raw["project"] not in projects:
        raise ValueError(f"workflow {name}: unknown project {raw['project']}")
    outcome = raw.get("outcome")
    if outcome is not None and outcome not in STATUSES:
        raise ValueError(f"workflow {name}: unknown outcome {outcome}")
    return Workflow(name, raw["project"], outcome, frozenset(raw.get("services") or ()))


def _bound(raw: dict[str, Any]) -> frozenset[str] | None:
    projects = raw.get("projects")
    return None if projects is None else frozenset(projects)


def _task(raw: dict[str, Any], workflows: dict[str, Workflow], now: float) -> Task:
    workflow = workflows[raw["pipeline"]]
    status = raw.get("status", "created")
    if status not in STATUSES:
        raise ValueError(f"task {raw['pipeline']}:{raw['task_id']}: unknown status {status}")
    return Task(workflow.name, int(raw["task_id"]), workflow.project, status, now, now)
