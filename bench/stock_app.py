"""A connexion 3.3 AsyncApp on the spec with trivial handlers: the mock's stand-in and the lab
for making connexion fast with request validation still driven by the spec.

    python bench/stock_app.py --port 8091                      # stock: connexion's defaults
    python bench/stock_app.py --port 8091 --opt all            # every optimization below
    python bench/stock_app.py --port 8091 --opt quiet,slim     # a subset

Optimizations (--opt, comma-separated; `all` = every one), each measured by bench/run.py:
  quiet      uvicorn access log off (stock logs one line per request)
  slim       only the middlewares this app needs: no SwaggerUI, no ResponseValidation
             (validate_responses is off, yet the middleware still routes every request)
  nosec      no Security middleware either (the bearer token is then not checked at all)
  rsvalid    request bodies validated by jsonschema-rs, one compiled validator per schema
             (connexion builds a new jsonschema validator on every request)
  rsparams   parameters likewise (connexion deep-copies each parameter's schema and builds a
             jsonschema validator for it on every request)
  cachedfn   the handler decorator chain built once per operation, not on every request
             (connexion's AsyncOperation.fn re-decorates and re-inspects the handler per call)
  orjson     connexion's Jsonifier backed by orjson (AsyncApp(jsonifier=...)) instead of json
             with connexion's JSONEncoder class
  mwmode     connexion as middleware (ConnexionMiddleware: routing, security, validation from
             the spec) around a 15-line dispatcher calling the handler named by the routed
             operationId with path parameters and the parsed body; no AsyncApp decorators
  rawresp    handlers return ready Starlette responses (orjson-encoded), skipping the
             jsonifier and connexion's response inference
"""

from __future__ import annotations

import argparse
import functools
import itertools
import logging
import os
import warnings
from typing import Any

import orjson
import uvicorn
from spec import CREATE_BODY, SPEC_PATH, error_body
from starlette.responses import Response

warnings.filterwarnings("ignore", category=DeprecationWarning)

import connexion  # noqa: E402  (after the warning filter: starlette 1.x test client warning)
from connexion import context  # noqa: E402
from connexion.apps.asynchronous import AsyncApi, AsyncOperation  # noqa: E402
from connexion.datastructures import MediaTypeDict  # noqa: E402
from connexion.decorators import StarletteDecorator  # noqa: E402
from connexion.exceptions import BadRequestProblem  # noqa: E402
from connexion.jsonifier import Jsonifier  # noqa: E402
from connexion.middleware import ConnexionMiddleware  # noqa: E402
from connexion.middleware.response_validation import ResponseValidationMiddleware  # noqa: E402
from connexion.middleware.security import SecurityMiddleware  # noqa: E402
from connexion.middleware.swagger_ui import SwaggerUIMiddleware  # noqa: E402
from connexion.utils import is_null, is_nullable  # noqa: E402
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator  # noqa: E402
from connexion.validators.parameter import ParameterValidator  # noqa: E402

ALL_OPTS = (
    "quiet",
    "slim",
    "nosec",
    "rsvalid",
    "rsparams",
    "cachedfn",
    "orjson",
    "mwmode",
    "rawresp",
)

WORLD = {(CREATE_BODY["product_tmpl_name"], CREATE_BODY["workflow_name"], CREATE_BODY["namespace"])}
COUNTERS: dict[str, itertools.count] = {}
TASKS: dict[tuple[str, int], str] = {}
RAW_RESPONSES = False


def answer(body: dict, status: int = 200) -> Any:
    if RAW_RESPONSES:
        return Response(orjson.dumps(body), status, media_type="application/json")
    return body, status


async def create_workflow_task(body: dict) -> Any:
    name = body["workflow_name"]
    if (body["product_tmpl_name"], name, body["namespace"]) not in WORLD:
        return answer(error_body(6542, "workflow_not_found"), 400)
    task_id = next(COUNTERS.setdefault(name, itertools.count(1)))
    TASKS[(name, task_id)] = "created"
    return answer({"pipeline_name": name, "task_id": task_id})


async def restart_workflow_task(id: int, pipeline: str) -> Any:  # noqa: A002 (spec's name)
    key = (pipeline, id)
    if TASKS.get(key) is None:
        return answer(error_body(6164, "task_not_found"), 400)
    TASKS[key] = "created"
    return answer({"message": "success"})


async def cancel_workflow_task(id: int, pipeline: str) -> Any:  # noqa: A002
    key = (pipeline, id)
    if TASKS.get(key) is None:
        return answer(error_body(6163, "task_not_found"), 400)
    TASKS[key] = "cancelled"
    return answer({"message": "success"})


def accept_token(token: str) -> dict:
    """Any bearer token is accepted; connexion refuses every request when no function is set."""
    return {"sub": "bench", "token": token}


HANDLERS = {
    "createWorkflowTask": create_workflow_task,
    "restartWorkflowTask": restart_workflow_task,
    "cancelWorkflowTask": cancel_workflow_task,
}


# --- rsvalid: jsonschema-rs behind connexion's validator_map ---------------------------------


_COMPILED: dict[int, tuple[dict, Any]] = {}


def compiled_validator(schema: dict) -> Any:
    """One jsonschema-rs validator per schema object (connexion hands the same dict each time)."""
    entry = _COMPILED.get(id(schema))
    if entry is None or entry[0] is not schema:
        import jsonschema_rs

        entry = _COMPILED[id(schema)] = (schema, jsonschema_rs.Draft4Validator(schema))
    return entry[1]


class RustJSONBodyValidator(JSONRequestBodyValidator):
    """connexion's JSON body validator with a compiled jsonschema-rs validator, cached per schema.

    connexion creates one body validator per request; only the schema compilation is cached.
    Parsing (and its 400 on bad JSON) stays connexion's; errors keep connexion's wording."""

    async def _parse(self, stream: Any, scope: Any) -> Any:
        body = b"".join([message async for message in stream])
        if not body:
            return None
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise BadRequestProblem(detail=str(exc)) from None

    def _validate(self, body: Any) -> dict | None:
        if not self._nullable and body is None:
            raise BadRequestProblem("Request body must not be empty")
        error = next(compiled_validator(self._schema).iter_errors(body), None)
        if error is not None:
            # Same wording as connexion's validator: "<message> - 'targets.0'".
            path = ".".join(str(item) for item in error.instance_path)
            raise BadRequestProblem(detail=f"{error.message}{f' - {path!r}' if path else ''}")
        return None


class RustParameterValidator(ParameterValidator):
    """connexion's parameter validator with compiled jsonschema-rs validators, cached per
    parameter (the parameter dicts are the operation's own, the same on every request)."""

    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):  # noqa: ANN001, ANN205
        if value is None or (is_nullable(param) and is_null(value)):
            return ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        error = next(compiled_validator(param.get("schema", param)).iter_errors(value), None)
        return None if error is None else error.message


RS_VALIDATOR_MAP = {
    "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": RustJSONBodyValidator})
}


# --- cachedfn: build the decorated handler once per operation --------------------------------


class CachedStarletteDecorator(StarletteDecorator):
    """connexion's decorator, with the decoration done once instead of on every call.

    The stock wrapper calls self.decorate(function) per request, which re-inspects the
    handler's signature (inspect.signature) and rebuilds three wrappers. The decorated function
    reads the current operation and request from connexion's context at call time only, so one
    decorated function per operation serves every request."""

    def __call__(self, function: Any) -> Any:
        decorated = self.decorate(function)

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            request = self.framework.get_request(
                uri_parser=self.uri_parser, scope=context.scope, receive=context.receive
            )
            return await decorated(request)

        return wrapper


class CachedAsyncOperation(AsyncOperation):
    @functools.cached_property
    def fn(self) -> Any:  # stock: a new decorator chain per request
        decorator = CachedStarletteDecorator(
            pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )
        return decorator(self._fn)


class CachedAsyncApi(AsyncApi):
    def make_operation(self, operation: Any) -> CachedAsyncOperation:
        return CachedAsyncOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class OrjsonText:
    """A json-module lookalike for connexion's Jsonifier: orjson, answering str as json does."""

    loads = staticmethod(orjson.loads)

    @staticmethod
    def dumps(data: Any, **_json_kwargs: Any) -> str:  # Jsonifier passes cls=JSONEncoder
        return orjson.dumps(data).decode()


async def dispatch(scope: Any, receive: Any, send: Any) -> None:
    """The app inside ConnexionMiddleware: the request is routed and validated already."""
    routing = scope.get("extensions", {}).get("connexion_routing", {})
    handler = HANDLERS.get(routing.get("operation_id"))
    if handler is None:
        await Response(b'{"message":"not found"}', 404, media_type="application/json")(
            scope, receive, send
        )
        return
    kwargs = dict(scope.get("path_params", {}))
    if scope["method"] == "POST" and handler is create_workflow_task:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        kwargs["body"] = orjson.loads(b"".join(chunks))
    answer_ = await handler(**kwargs)
    if not isinstance(answer_, Response):
        body, status = answer_
        answer_ = Response(orjson.dumps(body), status, media_type="application/json")
    await answer_(scope, receive, send)


def build_app(opts: set[str]) -> connexion.AsyncApp:
    global RAW_RESPONSES
    # The spec's bearerAuth names no x-bearerInfoFunc; connexion reads this variable instead.
    os.environ.setdefault("BEARERINFO_FUNC", "stock_app.accept_token")
    RAW_RESPONSES = "rawresp" in opts
    kwargs: dict[str, Any] = {}
    unneeded: set[type] = set()
    if "slim" in opts:
        unneeded = {SwaggerUIMiddleware, ResponseValidationMiddleware}
    if "nosec" in opts:
        unneeded.add(SecurityMiddleware)
    if unneeded:
        kwargs["middlewares"] = [
            m for m in ConnexionMiddleware.default_middlewares if m not in unneeded
        ]
    if "orjson" in opts:
        kwargs["jsonifier"] = Jsonifier(OrjsonText)
    validator_map: dict[str, Any] = {}
    if "rsvalid" in opts:
        validator_map["body"] = RS_VALIDATOR_MAP["body"]
    if "rsparams" in opts:
        validator_map["parameter"] = RustParameterValidator
    if validator_map:
        kwargs["validator_map"] = validator_map
    if "mwmode" in opts:
        app = ConnexionMiddleware(dispatch, import_name=__name__, **kwargs)
        app.add_api(SPEC_PATH, resolver=lambda operation_id: HANDLERS[operation_id])
        return app
    app = connexion.AsyncApp(__name__, **kwargs)
    if "cachedfn" in opts:
        # Before add_api: the app's inner router builds its operations from this class.
        app._middleware_app.api_cls = CachedAsyncApi
    app.add_api(SPEC_PATH, resolver=lambda operation_id: HANDLERS[operation_id])
    return app


def parse_opts(text: str) -> set[str]:
    opts = set(ALL_OPTS) if text == "all" else {o for o in text.split(",") if o}
    unknown = opts - set(ALL_OPTS)
    if unknown:
        raise SystemExit(f"unknown --opt {sorted(unknown)}; known: {', '.join(ALL_OPTS)}, all")
    return opts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--opt", default="", help=f"comma-separated: {', '.join(ALL_OPTS)}, all")
    args = parser.parse_args()
    opts = parse_opts(args.opt)
    app = build_app(opts)
    logging.getLogger("connexion").setLevel(logging.ERROR)
    # Stock = what app.run() does: uvicorn defaults (access log on, info level).
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log="quiet" not in opts,
        log_level="warning" if "quiet" in opts else "info",
    )


if __name__ == "__main__":
    main()
