"""The floor for the benchmark: a bare Starlette app doing the mock's work for two endpoints.

Create: parse the JSON body, validate it with jsonschema against the spec's schema (validator
built once), check the default world, bump a per-workflow counter, store the task, answer
{"pipeline_name", "task_id"}. Restart: look the task up and answer the 6164 envelope when it is
missing. No spec-driven routing, no middleware.

    python bench/bare_app.py --port 8090
"""

from __future__ import annotations

import argparse
import itertools
import json

import jsonschema
import uvicorn
from spec import CREATE_BODY, create_body_schema, error_body
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

VALIDATOR = jsonschema.Draft4Validator(create_body_schema())
WORLD = {(CREATE_BODY["product_tmpl_name"], CREATE_BODY["workflow_name"], CREATE_BODY["namespace"])}
COUNTERS: dict[str, itertools.count] = {}
TASKS: dict[tuple[str, int], str] = {}


def error(code: int, reason: str, status: int = 400, **fields: object) -> JSONResponse:
    return JSONResponse(error_body(code, reason, **fields), status_code=status)


def authorized(request: Request) -> bool:
    return request.headers.get("authorization", "").startswith("Bearer ")


async def create(request: Request) -> JSONResponse:
    if not authorized(request):
        return error(401, "no_token", status=401)
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        return error(400, "bad_body", error=exc)
    problem = next(VALIDATOR.iter_errors(body), None)
    if problem is not None:
        return error(400, "bad_body", error=problem.message)
    name = body["workflow_name"]
    if (body["product_tmpl_name"], name, body["namespace"]) not in WORLD:
        return error(6542, "workflow_not_found")
    task_id = next(COUNTERS.setdefault(name, itertools.count(1)))
    TASKS[(name, task_id)] = "created"
    return JSONResponse({"pipeline_name": name, "task_id": task_id})


async def restart(request: Request) -> JSONResponse:
    if not authorized(request):
        return error(401, "no_token", status=401)
    key = (request.path_params["pipeline"], request.path_params["id"])
    if TASKS.get(key) is None:
        return error(6164, "task_not_found")
    TASKS[key] = "created"
    return JSONResponse({"message": "success"})


app = Starlette(
    routes=[
        Route("/api/aslan/workflow/workflowtask", create, methods=["POST"]),
        Route(
            "/api/aslan/workflow/workflowtask/id/{id:int}/pipelines/{pipeline}/restart",
            restart,
            methods=["POST"],
        ),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
