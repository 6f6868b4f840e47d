"""Prototype: the real mock (mock_server.app.create_app) with the speed fixes applied from outside,
each switchable, so their effect on the mock itself can be measured side by side.

This reaches into connexion's app object after create_app() and before the first request (the
middleware stack is built lazily); inside the mock the same changes are plain constructor
arguments (see the README's performance section).

    python bench/mock_tuned.py --port 8093 --opt all
    python bench/run.py --servers mock,bare \
        --server tuned="python bench/mock_tuned.py --port {port} --opt all"

Fixes (--opt, comma-separated; `all` = every one):
  asyncerr   error handlers as coroutines: connexion runs a plain-function error handler in a
             worker thread (run_in_threadpool), one thread hop per error answer
  cachedfn   handler decorator chain built once per operation (stock: per request)
  rsvalid    request bodies validated by jsonschema-rs, compiled once per schema
  rsparams   parameters validated by jsonschema-rs, compiled once per parameter
  orjson     connexion's Jsonifier backed by orjson
  fastops    the spec's three operations called by a thin dispatcher placed after connexion's
             routing and validation middlewares (connexion as middleware): the handler named by
             the routed operationId gets the path parameters and the parsed body; AsyncApp's
             per-request decorator machinery is skipped. Other operations (the admin API) still
             go through AsyncApp.
  gc         fewer garbage-collector passes: the startup objects frozen out of collection
             (gc.freeze) and a larger first-generation threshold, so that a full pass over a
             heap of stored tasks runs less often (p99)
"""

from __future__ import annotations

import argparse
import functools
import gc
import logging
import sys
from typing import Any

import orjson
from servers import ROOT
from starlette.responses import Response
from stock_app import (
    RS_VALIDATOR_MAP,
    CachedAsyncApi,
    Jsonifier,
    OrjsonText,
    RustParameterValidator,
)

sys.path.insert(0, str(ROOT))

OPTS = ("asyncerr", "cachedfn", "rsvalid", "rsparams", "orjson", "fastops", "gc")


def as_coroutine(handler: Any) -> Any:
    @functools.wraps(handler)
    async def run_inline(request: Any, exc: Exception) -> Any:
        return handler(request, exc)

    return run_inline


class FastOperations:
    """ASGI middleware, innermost: answers the routed, validated operations it knows."""

    def __init__(self, app: Any, *, handlers: dict[str, Any], with_body: frozenset[str]) -> None:
        self.app = app
        self.handlers = handlers
        self.with_body = with_body

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        operation = routing.get("operation_id")
        handler = self.handlers.get(operation)
        if handler is None:
            await self.app(scope, receive, send)
            return
        kwargs = dict(scope.get("path_params", {}))  # already typed by connexion's router
        if operation in self.with_body:
            kwargs["body"] = orjson.loads(await read_body(receive))
        body, status = await handler(**kwargs)  # a ZadigError goes to the error handlers
        await Response(orjson.dumps(body), status, media_type="application/json")(
            scope, receive, send)


async def read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def fast_operations(app: Any) -> Any:
    """FastOperations for the spec's operations, named and shaped from the spec itself."""
    from mock_server.app import SPEC_PATH, load_yaml, snake_case
    from mock_server.handlers import WorkflowTaskHandlers

    handlers = WorkflowTaskHandlers(app.mock.tasks)
    ops = [op for item in load_yaml(SPEC_PATH)["paths"].values() for op in item.values()
           if isinstance(op, dict) and "operationId" in op]
    return functools.partial(
        FastOperations,
        handlers={op["operationId"]: getattr(handlers, snake_case(op["operationId"]))
                  for op in ops},
        with_body=frozenset(op["operationId"] for op in ops if "requestBody" in op),
    )


def tune(app: Any, opts: set[str]) -> Any:
    middleware = app.middleware
    if "fastops" in opts:
        middleware.middlewares.append(fast_operations(app))
    if "asyncerr" in opts:
        middleware.error_handlers = [(exc, as_coroutine(h)) for exc, h in middleware.error_handlers]
    if "cachedfn" in opts:
        app._middleware_app.api_cls = CachedAsyncApi
    for api in middleware.apis:
        validator_map = dict(api.kwargs.get("validator_map") or {})
        if "rsvalid" in opts:
            validator_map["body"] = RS_VALIDATOR_MAP["body"]
        if "rsparams" in opts:
            validator_map["parameter"] = RustParameterValidator
        api.kwargs["validator_map"] = validator_map or None
        if "orjson" in opts:
            api.kwargs["jsonifier"] = Jsonifier(OrjsonText)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8093)
    parser.add_argument("--opt", default="", help=f"comma-separated: {', '.join(OPTS)}, all")
    args = parser.parse_args()
    opts = set(OPTS) if args.opt == "all" else {o for o in args.opt.split(",") if o}
    if opts - set(OPTS):
        raise SystemExit(f"unknown --opt {sorted(opts - set(OPTS))}")
    import uvicorn

    from mock_server.app import create_app

    logging.basicConfig(level=logging.WARNING)
    app = tune(create_app(), opts)
    if "gc" in opts:
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
