"""Swagger UI and the served spec (`/openapi.json`, `/ui/`), naming the server they came from."""

from __future__ import annotations

import copy
import json
from typing import Any

from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from starlette.requests import Request


class ServedFromHereAPI(SwaggerUIAPI):
    """connexion serves the spec with `servers: [{url: <base path>}]`, a relative URL that
    Swagger UI lists as an empty *Servers* entry; here it is the absolute URL the request came
    to, so the dropdown shows the mock the page was loaded from. `beside`: the operations of
    another spec the mock serves in front of connexion (today's OpenAPI beside the page's),
    listed too."""

    def __init__(self, *args: Any, beside: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.beside = beside

    def _spec_for_prefix(self, request: Request) -> dict[str, Any]:
        spec = super()._spec_for_prefix(request)
        if self.beside is not None:
            spec = with_operations_of(spec, self.beside)
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


def with_operations_of(spec: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """`spec` with the paths of `other` and the components they use; a component of `other`
    whose name `spec` gives to another value is renamed (`Beside` prefix) where used."""
    merged = copy.deepcopy(spec)
    components = merged.setdefault("components", {})
    renamed: dict[str, str] = {}
    for kind, items in (other.get("components") or {}).items():
        if kind.startswith("x-") or not isinstance(items, dict):
            continue
        for name, value in items.items():
            if name in components.get(kind, {}) and components[kind][name] != value:
                renamed[f"#/components/{kind}/{name}"] = f"#/components/{kind}/Beside{name}"
    text = json.dumps({k: v for k, v in other.items() if k in ("paths", "components")})
    for old, new in renamed.items():
        text = text.replace(json.dumps(old), json.dumps(new))
    moved = json.loads(text)
    for kind, items in (moved.get("components") or {}).items():
        if kind.startswith("x-") or not isinstance(items, dict):
            continue
        target = components.setdefault(kind, {})
        for name, value in items.items():
            key = f"#/components/{kind}/{name}"
            target.setdefault("Beside" + name if key in renamed else name, value)
    _name_own_credentials(moved.get("paths", {}), other.get("security"), renamed)
    merged.setdefault("paths", {}).update(moved.get("paths", {}))
    return merged


def _name_own_credentials(
    paths: dict[str, Any], security: list | None, renamed: dict[str, str]
) -> None:
    """Each operation of `paths` asks for its own spec's credentials: the spec-wide requirement
    put on it, a renamed scheme named by its new name (requirements name schemes, not `$ref`)."""
    prefix = "#/components/securitySchemes/"
    schemes = {
        old.removeprefix(prefix): new.removeprefix(prefix)
        for old, new in renamed.items()
        if old.startswith(prefix)
    }
    for item in paths.values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            requirements = operation.get("security", security)
            if requirements is not None:
                operation["security"] = [
                    {schemes.get(name, name): scopes for name, scopes in requirement.items()}
                    for requirement in requirements
                ]


class SwaggerUI(SwaggerUIMiddleware):
    """connexion's SwaggerUIMiddleware with ServedFromHereAPI in place of its SwaggerUIAPI;
    `beside` is listed with the spec served at the root."""

    def __init__(self, app: Any, beside: dict[str, Any] | None = None) -> None:
        super().__init__(app)
        self.beside = beside

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
            beside=None if base_path else self.beside,
            **kwargs,
        )
        self.router.mount(api.base_path, app=api.router)
