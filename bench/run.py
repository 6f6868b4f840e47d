"""Side-by-side load benchmark: the mock, Prism 5 and a bare Starlette app on the same spec.

Each server runs on its own 127.0.0.1 port; wrk (Debian package `wrk`) loads one at a time,
interleaved over several rounds (the server order rotates each round), for each endpoint:
  create           POST /api/aslan/workflow/workflowtask with the documented body (expects 200)
  restart-missing  POST .../id/999999999/pipelines/proxy-workflow-dev/restart (expects 400, 6164)
Prism keeps no state: it answers create from the documented example and is sent
`Prefer: code=400` on restart-missing so that it validates the request and answers the same 400.

    python bench/run.py                         # 5 rounds x 10 s, 32 connections, 2 threads
    python bench/run.py --quick                 # smoke: 1 round x 3 s
    python bench/run.py --server opt="python bench/stock_app.py --opt all --port {port}"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from servers import (
    BENCH_DIR,
    ENDPOINTS,
    TOKEN,
    Endpoint,
    Server,
    builtin_commands,
    default_mock_cmd,
)
from servers import request as probe

PEERS = ("prism", "bare")


@dataclass
class Run:
    server: str
    endpoint: str
    round: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    socket_errors: int
    unexpected_status: int  # answers whose status class differs from the expected one


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
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round x 3 s, 1 s warmup")
    parser.add_argument(
        "--mock-cmd",
        default=None,
        help="command starting the mock, with {port} (default: zadig-mock --quiet)",
    )
    parser.add_argument(
        "--servers", default="mock,prism,bare", help="comma-separated subset of mock,prism,bare"
    )
    parser.add_argument(
        "--server",
        action="append",
        default=[],
        metavar="NAME=CMD",
        help="an extra server to measure (command with {port}); repeatable",
    )
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--json", type=Path, help="write every run and the summary here")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.duration, args.warmup = 1, 3, 1
    return args


def wrk(server: Server, endpoint: Endpoint, seconds: float, args: argparse.Namespace) -> dict:
    env = {
        **os.environ,
        "BENCH_BODY": json.dumps(endpoint.body) if endpoint.body is not None else "",
        "BENCH_PREFER": server.prefer(endpoint),
        "BENCH_TOKEN": TOKEN,
    }
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(BENCH_DIR / "request.lua"),
        f"http://127.0.0.1:{server.port}{endpoint.path}",
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[len("BENCH ") :])
    raise RuntimeError(f"no BENCH line from wrk:\n{out}")


def measure(server: Server, endpoint: Endpoint, rnd: int, args: argparse.Namespace) -> Run:
    raw = wrk(server, endpoint, args.duration, args)
    ok_2xx = endpoint.status < 300
    # wrk counts answers that are not 2xx/3xx; for an expected 4xx every answer must be one.
    unexpected = raw["non_2xx_3xx"] if ok_2xx else raw["requests"] - raw["non_2xx_3xx"]
    socket_errors = sum(
        raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return Run(
        server.name,
        endpoint.name,
        rnd,
        raw["requests"] / (raw["duration_us"] / 1e6),
        raw["p50_us"] / 1000,
        raw["p99_us"] / 1000,
        raw["requests"],
        socket_errors,
        unexpected,
    )


def check_answers(servers: list[Server], endpoints: list[Endpoint]) -> list[str]:
    """One request per server and endpoint, as wrk will send it; describe each answer."""
    lines = []
    for endpoint in endpoints:
        for server in servers:
            status, body = probe(server.port, endpoint, server.prefer(endpoint))
            detail = {k: body[k] for k in ("task_id", "code") if k in body}
            how = f" (Prefer: {server.prefer(endpoint)})" if server.prefer(endpoint) else ""
            lines.append(f"  {endpoint.name:16} {server.name:10} -> {status} {detail}{how}")
            if status != endpoint.status:
                raise SystemExit(
                    f"{server.name} answered {status} {body} to {endpoint.name}, "
                    f"expected {endpoint.status}"
                )
    return lines


def summarize(runs: list[Run], names: list[str], endpoints: list[Endpoint]) -> dict:
    summary: dict = {"servers": {}, "ratios": {}}
    for endpoint in endpoints:
        for name in names:
            mine = [r for r in runs if r.server == name and r.endpoint == endpoint.name]
            summary["servers"].setdefault(name, {})[endpoint.name] = {
                "rps": statistics.median(r.rps for r in mine),
                "p50_ms": statistics.median(r.p50_ms for r in mine),
                "p99_ms": statistics.median(r.p99_ms for r in mine),
                "requests": sum(r.requests for r in mine),
                "socket_errors": sum(r.socket_errors for r in mine),
                "unexpected_status": sum(r.unexpected_status for r in mine),
            }
        for name in names:
            if name in PEERS:
                continue
            for peer in PEERS:
                if peer not in names:
                    continue
                per_round = [
                    a.rps / b.rps
                    for a in runs
                    if a.server == name and a.endpoint == endpoint.name
                    for b in runs
                    if b.server == peer and b.endpoint == endpoint.name and b.round == a.round
                ]
                summary["ratios"].setdefault(f"{name}/{peer}", {})[endpoint.name] = {
                    "median": statistics.median(per_round),
                    "rounds": per_round,
                }
    return summary


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def report(summary: dict, names: list[str], endpoints: list[Endpoint]) -> str:
    lines = [
        "",
        f"{'endpoint':16} {'server':10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'bad status':>10}",
    ]
    for endpoint in endpoints:
        for name in names:
            s = summary["servers"][name][endpoint.name]
            lines.append(
                f"{endpoint.name:16} {name:10} {s['rps']:9.0f} {s['p50_ms']:8.2f} "
                f"{s['p99_ms']:8.2f} {s['socket_errors']:7d} {s['unexpected_status']:10d}"
            )
    lines.append("")
    lines.append("ratios of requests/second (median of per-round ratios):")
    for pair, per_endpoint in summary["ratios"].items():
        cells = ", ".join(f"{ep} {v['median']:.2f}x" for ep, v in per_endpoint.items())
        lines.append(f"  {pair:16} {cells}")
    return "\n".join(lines)


def interleaved(servers: list, endpoints: list, args: argparse.Namespace, width: int) -> list[Run]:
    """Check the first answers, warm up, then measure every server on every endpoint for
    `args.rounds` rounds, the server order rotating each round (machine noise spread evenly)."""
    print("first answers:")
    print("\n".join(check_answers(servers, endpoints)))
    for endpoint in endpoints:
        for s in servers:
            if args.warmup > 0:
                wrk(s, endpoint, args.warmup, args)
    runs: list[Run] = []
    for rnd in range(args.rounds):
        shift = rnd % len(servers)
        order = servers[shift:] + servers[:shift]
        for endpoint in endpoints:
            for s in order:
                run = measure(s, endpoint, rnd, args)
                runs.append(run)
                print(
                    f"round {rnd + 1}/{args.rounds} {endpoint.name:16} {s.name:{width}} "
                    f"{run.rps:8.0f} req/s  p50 {run.p50_ms:6.2f} ms  "
                    f"p99 {run.p99_ms:6.2f} ms",
                    flush=True,
                )
                time.sleep(0.5)
    return runs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    commands = builtin_commands(args.mock_cmd or default_mock_cmd())
    wanted = [n for n in args.servers.split(",") if n]
    unknown = set(wanted) - set(commands)
    if unknown:
        print(f"unknown --servers {sorted(unknown)}; known: {', '.join(commands)}", file=sys.stderr)
        return 2
    servers = [Server(n, commands[n]) for n in wanted]
    servers += [Server(*spec.split("=", 1)) for spec in args.server]
    if any(s.is_prism for s in servers) and not Path(commands["prism"].split()[0]).exists():
        print("Prism not installed: npm ci --prefix bench", file=sys.stderr)
        return 2
    endpoints = [ENDPOINTS[e] for e in args.endpoints.split(",") if e]
    names = [s.name for s in servers]

    print(f"machine: {json.dumps(machine())}")
    print(
        f"load: wrk -t{args.threads} -c{args.connections}, {args.rounds} rounds x "
        f"{args.duration:g} s per server and endpoint, {args.warmup:g} s warmup"
    )
    for s in servers:
        print(f"  {s.name:10} :{s.port}  {s.command.format(port=s.port)}")
    runs: list[Run] = []
    try:
        for s in servers:
            s.start()
        for s in servers:
            print(f"  {s.name:10} ready in {s.wait_ready():.2f} s")
        runs += interleaved(servers, endpoints, args, width=10)
    finally:
        for s in servers:
            s.stop()
    summary = summarize(runs, names, endpoints)
    print(report(summary, names, endpoints))
    return finish("bench/run.py", argv, args, servers, runs, summary)


def finish(
    script: str,
    argv: list[str] | None,
    args: argparse.Namespace,
    servers: list[Server],
    runs: list[Run],
    summary: dict,
) -> int:
    """Print the command line, write `--json` (machine, options, commands, every run and the
    summary); exit status 1 when any run had socket errors or unexpected statuses."""
    given = argv if argv is not None else sys.argv[1:]
    print(f"\ncommand: python {script} " + " ".join(shlex.quote(a) for a in given))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "commands": {s.name: s.command for s in servers},
                    "runs": [asdict(r) for r in runs],
                    "summary": summary,
                },
                indent=2,
            )
        )
    bad = any(
        v["socket_errors"] or v["unexpected_status"]
        for per in summary["servers"].values()
        for v in per.values()
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
