"""A small server of two test pages, written from the pages alone (tests/data/pages/
registry-api.md and quota-api.md), with switches that break it one way at a time.

Nothing here comes from the mock or the gate: paths, fields, codes and messages are the pages'
own, copied by hand. Where the pages are silent (the quota page shows no error at all; neither
page gives an HTTP status for an error) the faithful server picks an answer of its own, which
the gate must accept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

REGISTRIES = "/api/aslan/system/registry/namespaces"
PROJECT = "demo"  # the one project this server knows
REGISTRY = {
    "id": "reg-1",
    "namespace": "koderover",
    "reg_addr": "https://ccr.example.com",
    "is_default": True,
}
NOT_FOUND = {
    "code": 6081,
    "description": "project not found",
    "extra": {},
    "message": "获取镜像仓库失败",
    "type": "error",
}


@dataclass
class Switches:
    """Faults (all off = faithful)."""

    token: str | None = None  # the bearer token wanted (None: none)
    ignore_auth: bool = False  # answers without a token too
    total_as_string: bool = False  # the quota list's `total` as a string
    envelope_without_type: bool = False  # the registry's error lacks `type`
    wrong_message: bool = False  # 6081 with a message the page does not give it
    created_id_as_string: bool = False  # a new quota's `id` as a string
    seen: list[dict[str, Any]] = field(default_factory=list)  # every request's query


def build_app(switches: Switches) -> Starlette:
    quotas = [
        {"id": 1, "resource": "cpu", "hard": 8, "used": 2, "enforced": True},
    ]

    def refused(request: Request) -> JSONResponse | None:
        switches.seen.append({"path": request.url.path, **dict(request.query_params)})
        if switches.token is None or switches.ignore_auth:
            return None
        if request.headers.get("authorization") != f"Bearer {switches.token}":
            return JSONResponse({"message": "Unauthorized"}, 401)
        return None

    async def registries(request: Request) -> JSONResponse:
        if (answer := refused(request)) is not None:
            return answer
        if request.query_params.get("projectName") != PROJECT:
            body = dict(NOT_FOUND)
            if switches.envelope_without_type:
                del body["type"]
            if switches.wrong_message:
                body["message"] = "failed"
            return JSONResponse(body, 400)
        return JSONResponse([REGISTRY])

    async def delete_registry(request: Request) -> JSONResponse:
        if (answer := refused(request)) is not None:
            return answer
        return JSONResponse({"message": "success"})

    async def list_quotas(request: Request) -> JSONResponse:
        if (answer := refused(request)) is not None:
            return answer
        total: Any = str(len(quotas)) if switches.total_as_string else len(quotas)
        return JSONResponse({"quotas": quotas, "total": total})

    async def show_quota(request: Request) -> JSONResponse:
        if (answer := refused(request)) is not None:
            return answer
        raw = request.path_params["id"]
        found = [q for q in quotas if str(q["id"]) == raw]
        if not found:  # the page shows no error: any answer is this server's own choice
            return JSONResponse({"error": f"no quota {raw}"}, 404)
        return JSONResponse({k: found[0][k] for k in ("id", "resource", "hard", "used")})

    async def create_quota(request: Request) -> JSONResponse:
        if (answer := refused(request)) is not None:
            return answer
        body = await request.json()
        if not isinstance(body, dict) or not {"projectKey", "resource", "hard"} <= set(body):
            return JSONResponse({"error": "bad body"}, 400)
        new_id = len(quotas) + 1
        quotas.append({"id": new_id, "resource": str(body["resource"]), "hard": 0, "used": 0})
        return JSONResponse({"id": str(new_id) if switches.created_id_as_string else new_id})

    return Starlette(
        routes=[
            Route(REGISTRIES, registries, methods=["GET"]),
            Route(REGISTRIES + "/{id}", delete_registry, methods=["DELETE"]),
            Route("/openapi/quotas", list_quotas, methods=["GET"]),
            Route("/openapi/quotas", create_quota, methods=["POST"]),
            Route("/openapi/quotas/{id}", show_quota, methods=["GET"]),
        ]
    )
