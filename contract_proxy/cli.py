"""`zadig-proxy`: serve the validating proxy until SIGINT/SIGTERM, then write the report.

Exit status: 2 for a usage error; at the end 1 when --fail-on-violation is given and an
answer broke the contract (a response-side violation), else 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from contract_proxy import BODY_LIMIT
from serving import limits, origins

# The packaged specs, by the names zadig-spec and zadig-contract give them.
APIS = ("workflow", "custom-workflow")

MAX_PORT = 65535


def port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (1..{MAX_PORT})")
    return value


def seconds(text: str) -> float:
    value = float(text)
    if not 0 < value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds > 0")
    return value


def upstream_url(text: str) -> str:
    import httpx

    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a URL ({exc})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an http(s) URL with a host (e.g. https://zadig.example.com)"
        )
    if url.query or url.fragment:
        raise argparse.ArgumentTypeError(f"{text!r}: the upstream URL takes no query or fragment")
    return text


def writable(text: str) -> Path:
    path = Path(text)
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="zadig-proxy",
        description="Validating proxy: forwards traffic to a Zadig deployment and checks each "
        "exchange against the workflow-task spec (requests and answers).",
    )
    from openapi import VersionAction

    parser.add_argument("--version", action=VersionAction)
    parser.add_argument(
        "--upstream",
        required=True,
        type=upstream_url,
        metavar="URL",
        help="the deployment to forward to, e.g. https://zadig.example.com",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=port, default=8081)
    api = parser.add_mutually_exclusive_group()
    api.add_argument(
        "--api",
        choices=sorted(APIS),
        default="workflow",
        help="which packaged spec: the v1.7.1 page's workflow tasks (default) or today's "
        "workflow-task OpenAPI (custom-workflow)",
    )
    api.add_argument(
        "--spec",
        action="append",
        default=[],
        metavar="FILE",
        help="OpenAPI spec (default: the packaged one; repeatable: several specs made one)",
    )
    api.add_argument(
        "--page",
        action="append",
        default=[],
        metavar="PAGE.md",
        help="API pages to check against, converted at start (repeatable; a folder stands for "
        "its pages)",
    )
    parser.add_argument(
        "--report", type=writable, metavar="FILE.json", help="write the report here at exit"
    )
    parser.add_argument(
        "--junitxml",
        type=writable,
        metavar="FILE",
        help="write a JUnit file at exit (one case per operation and rule seen)",
    )
    parser.add_argument(
        "--fail-on-violation", action="store_true", help="exit 1 when an answer broke the contract"
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=30.0,
        metavar="SECONDS",
        help="longest wait for the upstream's whole answer (then 504)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=limits.positive,
        default=BODY_LIMIT,
        metavar="N",
        help=f"largest request body forwarded, in bytes (then 413; default {BODY_LIMIT})",
    )
    parser.add_argument("--no-cors", action="store_true", help="send no CORS headers")
    parser.add_argument("--quiet", action="store_true", help="no log line per exchange")
    limits.add_options(parser)
    origins.add_options(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Imported late so that --help and usage errors answer at once.
    import uvicorn

    from api_contract.rule_sets import attached, rule_set
    from api_contract.spec import load_contract, read_contract
    from contract_proxy.app import build_app
    from contract_proxy.forwarding import Upstream
    from contract_proxy.ledger import Ledger
    from contract_proxy.report import summary_lines, write_json, write_junit
    from openapi import CUSTOM_SPEC_PATH, SPEC_PATH
    from serving.protocol import uvicorn_config

    packaged = CUSTOM_SPEC_PATH if args.api == "custom-workflow" else SPEC_PATH
    spec = ", ".join(args.spec or args.page) or packaged
    try:
        if args.spec or args.page:
            from openapi.completion import document_for

            contract = read_contract(document_for(args.spec, args.page), str(spec))
        else:
            contract = load_contract(spec)
        # The operations the rules of v1.7.1 and of today's OpenAPI judge (by method and path);
        # the others are judged by what their page states.
        rules = attached(
            contract,
            [
                rule_set("workflow", load_contract(SPEC_PATH)),
                rule_set("custom-workflow", load_contract(CUSTOM_SPEC_PATH)),
            ],
        )
    except (OSError, ValueError, KeyError) as exc:
        print(f"zadig-proxy: {'--page' if args.page else '--spec'} {spec}: {exc}", file=sys.stderr)
        return 2
    today = {op.operation_id: role for role, op in rules.get("custom-workflow", {}).items()}
    ruled = {op.operation_id for op in rules.get("workflow", {}).values()} | set(today)
    ledger = Ledger()
    upstream = Upstream(args.upstream, args.timeout)
    app = build_app(
        contract,
        upstream,
        cors=not args.no_cors,
        ledger=ledger,
        log=None if args.quiet else sys.stderr,
        page_operations=frozenset(contract.operations) - ruled,
        today=today,
        body_limit=args.max_body_bytes,
        hosts=origins.allowed_hosts(args.host, args.allow_host),
        origins=frozenset(args.allow_origin),
    )
    # Each client connection may open one to the upstream: two file descriptors.
    config = uvicorn_config(
        app,
        limits.from_args(args, fds_per_connection=2),
        host=args.host,
        port=args.port,
        access_log=False,
        log_level="warning",
        ws="none",
        lifespan="on",
        server_header=False,
        proxy_headers=False,  # the proxy reads no client address: one layer less per request
        date_header=False,
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)
    # uvicorn stops on SIGINT/SIGTERM, then raises the signal again with the handlers it
    # found at start: these keep that from ending the process before the report is written.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    print(
        f"zadig-proxy: http://{args.host}:{args.port} -> {args.upstream} (spec {spec})",
        file=sys.stderr,
        flush=True,
    )
    server.run()
    if not server.started:
        return 2  # uvicorn said why (address in use, ...)
    if args.report:
        write_json(ledger, args.report)
    if args.junitxml:
        write_junit(ledger, args.junitxml)
    print("\n".join(summary_lines(contract, ledger)), flush=True)
    return 1 if args.fail_on_violation and ledger.response_violations else 0


if __name__ == "__main__":
    sys.exit(main())
