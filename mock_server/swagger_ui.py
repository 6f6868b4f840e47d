"""Swagger UI and the served spec (`/openapi.json`, `/ui/`), naming the server they came from."""

from __future__ import annotations

from typing import Any

from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from starlette.requests import Request


class ServedFromHereAPI(SwaggerUIAPI):
    """connexion serves the spec with `servers: [{url: <base path>}]`, a relative URL that
    Swagger UI lists as an empty *Servers* entry; here it is the absolute URL the request came
    to, so the dropdown shows the mock the page was loaded from."""

    def _spec_for_prefix(self, request: Request) -> dict[str, Any]:
        spec = super()._spec_for_prefix(request)
        origin = f"{request.url.scheme}://{request.url.netloc}"
        servers = [
            {
                **server,
                "url": origin + server["url"],
                "description": "this mock (where this page was loaded from)",
            }
            for server in spec.get("servers", [])
        ]
        return {**spec, "servers": servers}


class SwaggerUI(SwaggerUIMiddleware):
    """connexion's SwaggerUIMiddleware with ServedFromHereAPI in place of its SwaggerUIAPI."""

    def add_api(
        self,
        specification: Any,
        base_path: str | None = None,
        arguments: dict | None = None,
        **kwargs: Any,
    ) -> None:
        api = ServedFromHereAPI(
            specification,
            base_path=base_path,
            arguments=arguments,
            default=self.default_fn,
            **kwargs,
        )
        self.router.mount(api.base_path, app=api.router)
