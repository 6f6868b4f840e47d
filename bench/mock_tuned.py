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
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
from typing import Any

from servers import ROOT
from stock_app import (
    RS_VALIDATOR_MAP,
    CachedAsyncApi,
    Jsonifier,
    OrjsonText,
    RustParameterValidator,
)

sys.path.insert(0, str(ROOT))

OPTS = ("asyncerr", "cachedfn", "rsvalid", "rsparams", "orjson")


def as_coroutine(handler: Any) -> Any:
    @functools.wraps(handler)
    async def run_inline(request: Any, exc: Exception) -> Any:
        return handler(request, exc)

    return run_inline


def tune(app: Any, opts: set[str]) -> Any:
    middleware = app.middleware
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
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
