"""`zadig-mock`: serve the stateful mock with uvicorn."""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import json
import logging
import os
import sys
import types
import warnings
from importlib.machinery import PathFinder
from typing import Any

from serving import limits, origins

MAX_PORT = 65535
# uvicorn's exit status when the server could not start (address in use, ...).
STARTUP_FAILURE = 3
# How `zadig-mock --workers N` hands its options to the workers uvicorn starts: each builds
# its own app (worker_app) from the same command line.
ARGV_ENV = "ZADIG_MOCK_ARGV"


def port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (1..{MAX_PORT})")
    return value


def not_negative(text: str) -> float:
    value = float(text)
    if not 0 <= value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text} is not a number >= 0")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="zadig-mock", description="Stateful mock of Zadig's workflow-task API (v1.7.1)."
    )
    from openapi import VersionAction

    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=port, default=8080)
    parser.add_argument("--seed", metavar="FILE", help="YAML world (default: the page's example)")
    api = parser.add_mutually_exclusive_group()
    api.add_argument(
        "--spec",
        action="append",
        default=[],
        metavar="FILE",
        help="serve this OpenAPI spec (e.g. from `zadig-spec convert`) instead of the "
        "built-in v1.7.1 one (repeatable: several specs made one)",
    )
    api.add_argument(
        "--page",
        action="append",
        default=[],
        metavar="PAGE.md",
        help="serve these API pages, converted at start into one spec (repeatable; a folder "
        "stands for its pages)",
    )
    parser.add_argument(
        "--state",
        metavar="FILE|URL",
        help="keep tasks, counters, forced answers and the journal in this SQLite "
        "file (shared by the processes of one host) or in Redis: "
        "redis://[:PASSWORD@]HOST:PORT/DB, rediss:// for TLS (shared by "
        "every process and host that names it)",
    )
    parser.add_argument(
        "--workers",
        type=limits.positive,
        default=1,
        metavar="N",
        help="N worker processes on one port (needs a shared --state)",
    )
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="the admin API (/_mock) wants Authorization: Bearer TOKEN "
        "(for a mock others can reach)",
    )
    auth = parser.add_mutually_exclusive_group()
    auth.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="TOKEN",
        help="accept only this bearer token (repeatable; the seed may list more); "
        'without it, any bearer token passes (but one containing "invalid")',
    )
    auth.add_argument("--no-auth", action="store_true", help="take API requests without a token")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse a create body lacking a field the page requires (400) "
        "instead of taking its zero value as Zadig does",
    )
    parser.add_argument(
        "--latency",
        type=not_negative,
        default=0,
        metavar="MS",
        help="delay every API answer by MS milliseconds",
    )
    parser.add_argument(
        "--task-duration",
        type=not_negative,
        default=None,
        metavar="SECONDS",
        help="time from created to passed/failed (0: tasks never move)",
    )
    parser.add_argument("--no-cors", action="store_true", help="send no CORS headers")
    parser.add_argument("--quiet", action="store_true", help="no log line per request")
    limits.add_options(parser)
    origins.add_options(parser)
    args = parser.parse_args(argv)
    if args.workers > 1 and not args.state:
        parser.error(
            "--workers needs a shared --state: a SQLite file or redis://HOST:PORT/DB "
            "(each worker would otherwise hand out the same ids)"
        )
    return args


# Imported at start, used only for what the served mock never does: by connexion, fetching
# remote $refs (the specs have none), remote token info (no SecurityMiddleware here) and
# AsyncApp.test_client() (starlette's test client); by uvicorn, --reload and --workers.
# Module -> the names that `from module import name` takes from it at start.
DEFERRED: dict[str, tuple[str, ...]] = {
    "requests": (),
    "httpx": (),
    "starlette.testclient": ("TestClient",),
    "uvicorn.supervisors": ("ChangeReload", "Multiprocess"),
}


class DeferredModule(types.ModuleType):
    """Stands in for a module until one of its attributes is first read (or one of `names`
    first called), then imports it. (importlib's LazyLoader does not help here: `import
    requests` reads the module's __spec__, which makes a LazyLoader module load at once.)"""

    def __init__(self, name: str, names: tuple[str, ...] = ()) -> None:
        super().__init__(name)
        self.__spec__ = None
        for attr in names:
            setattr(self, attr, DeferredCallable(self, attr))

    def load(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:  # first use: make way for the real module
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        return real

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system probing (`__path__`): no use yet
            raise AttributeError(name)
        return getattr(self.load(), name)


class DeferredCallable:
    """Stands in for a class or function taken from a DeferredModule by `from module import
    name`: the module is imported when it is first called or one of its attributes read."""

    def __init__(self, module: DeferredModule, name: str) -> None:
        self.module = module
        self.name = name

    def target(self) -> Any:
        return getattr(self.module.load(), self.name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.target()(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.target(), attr)


def trim_imports() -> None:
    """Skip import work the server never uses, so that it answers sooner after start: the
    DEFERRED modules are imported on first use, and httpx's optional command line (rich, click)
    not at all (httpx falls back)."""
    for name, names in DEFERRED.items():
        if name not in sys.modules and installed(name):
            module = sys.modules[name] = DeferredModule(name, names)
            package, _, attr = name.rpartition(".")
            if package in sys.modules:  # `import a.b` then reads b from a
                setattr(sys.modules[package], attr, module)
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def installed(name: str) -> bool:
    """Whether module `name` can be imported, found without importing it or its packages
    (importlib.util.find_spec would import the packages: uvicorn's imports its supervisors)."""
    first, *rest = name.split(".")
    spec = importlib.util.find_spec(first)
    for part in rest:
        if spec is None or not spec.submodule_search_locations:
            return False
        spec = PathFinder.find_spec(f"{spec.name}.{part}", spec.submodule_search_locations)
    return spec is not None


def calm_garbage_collector() -> None:
    """Fewer collector passes while serving: what startup built is frozen out of collection,
    and the youngest generation is collected after 50,000 allocations instead of 700, so that
    full passes over a heap of stored tasks (the p99 spikes) come far less often. Stored tasks
    hold no reference cycles; the few cycles a request makes are still collected. (main turns
    the collector off while starting: imports make many objects and few cycles.)"""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    gc.enable()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    gc.disable()  # until calm_garbage_collector: a faster start
    start_process(args)
    # Imported late so that --help answers at once.
    from mock_server.seed import SeedError
    from mock_server.store import StateError
    from openapi.completion import SpecError
    from serving.protocol import serve, uvicorn_config

    try:
        app = build_app(args)
        check = getattr(app.mock.store, "check", None)  # a remote state: seeded, same seed
        if check is not None:
            check()
    except (SeedError, StateError, SpecError) as exc:
        gc.enable()
        print(f"zadig-mock: {exc}", file=sys.stderr)
        return 2
    # No websockets in this API: ws="none" also spares importing a websockets implementation.
    options = {
        "host": args.host,
        "port": args.port,
        "access_log": False,
        "log_level": "warning",
        "ws": "none",
    }
    connection_limits = limits.from_args(args)
    if args.workers > 1:
        del app  # each worker builds its own; this one has checked the seed and the state
        gc.enable()
        os.environ[ARGV_ENV] = json.dumps(argv)
        target = f"{__name__}:worker_app"
        options.update(factory=True, workers=args.workers)
        serve(uvicorn_config(target, connection_limits, **options))
        return 0
    calm_garbage_collector()
    server = serve(uvicorn_config(app, connection_limits, **options))
    return 0 if server.started else STARTUP_FAILURE


def start_process(args: argparse.Namespace) -> None:
    """What every process of the mock does first: warnings, deferred imports, logging."""
    # connexion imports starlette's test client, which warns under starlette 1.x about httpx;
    # the served mock never uses it.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    trim_imports()
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(message)s",
        stream=sys.stderr,
    )


def options(args: argparse.Namespace, warn: bool = True) -> Any:
    """The MockOptions the command line names (the seed file read and checked, the spec read
    or the pages converted; `warn`: print the converter's warnings)."""
    from mock_server.options import MockOptions
    from mock_server.seed import load_seed

    return MockOptions(
        seed=load_seed(args.seed),
        spec=served_spec(args, warn),
        state_file=args.state,
        tokens=tuple(args.token),
        auth=not args.no_auth,
        strict=args.strict,
        latency_ms=args.latency,
        task_duration=args.task_duration,
        cors=not args.no_cors,
        admin_token=args.admin_token,
        workers=args.workers,
        hosts=origins.allowed_hosts(args.host, args.allow_host),
        origins=frozenset(args.allow_origin),
    )


def served_spec(args: argparse.Namespace, warn: bool) -> dict[str, Any] | None:
    """The document --spec or --page names, completed for serving (None: the built-in)."""
    if not args.spec and not args.page:
        return None
    from mock_server.app import spec_document

    return spec_document(args.spec, args.page, warn)


def build_app(args: argparse.Namespace, warn: bool = True) -> Any:
    from mock_server.app import create_app

    return create_app(options(args, warn))


def worker_app() -> Any:
    """The app of one worker of `--workers N` (uvicorn calls it in each worker process), built
    from the command line that main left in the environment."""
    gc.disable()
    args = parse_args(json.loads(os.environ[ARGV_ENV]))
    start_process(args)
    app = build_app(args, warn=False)  # the first process printed the pages' warnings
    calm_garbage_collector()
    return app
