"""Side-by-side load benchmark of the validating proxies: `zadig-proxy` and Prism's
`prism proxy`, on the same spec, in front of the same upstream (the mock), and the mock
called directly (what a proxy costs).

One mock is started (with a bearer token, the spec's security) and serves as the upstream
of both proxies; wrk (Debian package `wrk`) loads one target at a time, interleaved over
several rounds (the order rotates each round), for each endpoint of bench/run.py:
  create           POST /api/aslan/workflow/workflowtask with the documented body (200)
  restart-missing  POST .../id/999999999/pipelines/proxy-workflow-dev/restart (400, 6164)
Both proxies check requests and answers and only log what they find (Prism without
--errors); nothing here is told which answer to give.

    python bench/proxy.py                 # 5 rounds x 10 s, 32 connections, 2 threads
    python bench/proxy.py --quick         # smoke: 1 round x 3 s
    python bench/proxy.py --proxy before="/tmp/old/bin/zadig-proxy --upstream {upstream} \
        --port {port} --quiet"            # another build of the proxy, side by side
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import shutil
import statistics
import sys
from pathlib import Path

from run import Run, finish, interleaved, machine
from servers import ENDPOINTS, PRISM, PYTHON, TOKEN, Server
from spec import SPEC_PATH

DIRECT = "direct"
OURS = "zadig-proxy"
PRISM_PROXY = "prism-proxy"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[1:]),
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=10, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of unmeasured load first")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round x 3 s")
    parser.add_argument("--json", type=Path, help="write every run and the summary here")
    parser.add_argument(
        "--proxy",
        action="append",
        default=[],
        metavar="NAME=CMD",
        help="another proxy to measure in front of the same mock (command with {upstream} and "
        "{port}); repeatable",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.duration, args.warmup = 1, 3, 1
    return args


def targets(mock: Server, others: list[str]) -> list[Server]:
    upstream = f"http://127.0.0.1:{mock.port}"
    ours = f"{shlex.quote(PYTHON)} -m contract_proxy --upstream {upstream} --port {{port}} --quiet"
    # -v warn: no log line per request, violations still logged; no --errors: forward as is.
    prism = f"{PRISM} proxy -h 127.0.0.1 -p {{port}} -v warn {SPEC_PATH} {upstream}"
    found = [Server(OURS, ours), Server(PRISM_PROXY, prism)]
    for other in others:
        name, _, command = other.partition("=")
        found.append(Server(name, command.replace("{upstream}", upstream)))
    return found


def summarize(
    runs: list[Run], names: list[str], endpoints: list[str], proxies: tuple[str, ...] = (OURS,)
) -> dict:
    summary: dict = {"servers": {}, "ratios": {}}
    for endpoint in endpoints:
        for name in names:
            mine = [r for r in runs if r.server == name and r.endpoint == endpoint]
            summary["servers"].setdefault(name, {})[endpoint] = {
                "rps": statistics.median(r.rps for r in mine),
                "p50_ms": statistics.median(r.p50_ms for r in mine),
                "p99_ms": statistics.median(r.p99_ms for r in mine),
                "requests": sum(r.requests for r in mine),
                "socket_errors": sum(r.socket_errors for r in mine),
                "unexpected_status": sum(r.unexpected_status for r in mine),
            }
        for proxy in proxies:
            for peer in (PRISM_PROXY, DIRECT, *(p for p in proxies if p != proxy)):
                per_round = [
                    (a.rps / b.rps, a.p99_ms / b.p99_ms)
                    for a in runs
                    if a.server == proxy and a.endpoint == endpoint
                    for b in runs
                    if b.server == peer and b.endpoint == endpoint and b.round == a.round
                ]
                summary["ratios"].setdefault(f"{proxy}/{peer}", {})[endpoint] = {
                    "rps_median": statistics.median(r for r, _ in per_round),
                    "p99_median": statistics.median(p for _, p in per_round),
                    "rounds": per_round,
                }
    return summary


def report(summary: dict, names: list[str], endpoints: list[str]) -> str:
    lines = [
        "",
        f"{'endpoint':16} {'target':12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'bad status':>10}",
    ]
    for endpoint in endpoints:
        for name in names:
            s = summary["servers"][name][endpoint]
            lines.append(
                f"{endpoint:16} {name:12} {s['rps']:9.0f} {s['p50_ms']:8.2f} "
                f"{s['p99_ms']:8.2f} {s['socket_errors']:7d} {s['unexpected_status']:10d}"
            )
    lines += ["", "ratios, median of per-round ratios (requests/second; p99 latency):"]
    for pair, per_endpoint in summary["ratios"].items():
        cells = ", ".join(
            f"{ep} {v['rps_median']:.2f}x req/s, {v['p99_median']:.2f}x p99"
            for ep, v in per_endpoint.items()
        )
        lines.append(f"  {pair:26} {cells}")
    direct, ours = summary["servers"][DIRECT], summary["servers"][OURS]
    lines += ["", "zadig-proxy's overhead over calling the mock directly (medians):"]
    for endpoint in endpoints:
        added = ours[endpoint]["p50_ms"] - direct[endpoint]["p50_ms"]
        share = 1 - ours[endpoint]["rps"] / direct[endpoint]["rps"]
        lines.append(f"  {endpoint:16} +{added:.2f} ms at p50, {share:.0%} fewer requests/second")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    if not PRISM.exists():
        print("Prism not installed: npm ci --prefix bench", file=sys.stderr)
        return 2
    endpoints = [dataclasses.replace(e, prism_prefer="") for e in ENDPOINTS.values()]
    names = [e.name for e in endpoints]
    # The proxies' upstream, also measured directly.
    mock = Server(
        DIRECT,
        f"{shlex.quote(PYTHON)} -m mock_server --port {{port}} --quiet "
        f"--token {TOKEN} --task-duration 0",
    )
    servers = [mock]
    print(f"machine: {json.dumps(machine())}")
    print(
        f"load: wrk -t{args.threads} -c{args.connections}, {args.rounds} rounds x "
        f"{args.duration:g} s per target and endpoint, {args.warmup:g} s warmup"
    )
    runs: list[Run] = []
    try:
        mock.start()
        mock.wait_ready()
        servers += targets(mock, args.proxy)
        for s in servers[1:]:
            s.start()
        for s in servers:
            print(f"  {s.name:12} :{s.port}  {s.command.format(port=s.port)}")
        for s in servers[1:]:
            print(f"  {s.name:12} ready in {s.wait_ready():.2f} s")
        runs += interleaved(servers, endpoints, args, width=12)
    finally:
        for s in reversed(servers):
            s.stop()
    others = tuple(other.partition("=")[0] for other in args.proxy)
    order_names = [DIRECT, OURS, *others, PRISM_PROXY]
    summary = summarize(runs, order_names, names, (OURS, *others))
    print(report(summary, order_names, names))
    return finish("bench/proxy.py", argv, args, servers, runs, summary)


if __name__ == "__main__":
    sys.exit(main())
