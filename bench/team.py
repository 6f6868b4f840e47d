"""Team mock throughput: one in-memory zadig-mock, `--workers N` on SQLite and `--workers N` on
Redis, with Prism for reference, side by side in one run of bench/run.py (same wrk load, rounds
interleaved, server order rotating). Starts one redis-server (Debian package `redis-server`) per
--redis-fsync setting, each on a free port in a temporary directory: `everysec` (append-only
file written before each answer, fsynced every second, as docs/team-mock.md advises), `always`
(fsynced at every write), `off` (no append-only file).

    python bench/team.py                    # 5 rounds x 10 s, 32 connections, everysec and always
    python bench/team.py --quick            # smoke: 1 round x 3 s
    python bench/team.py --redis-fsync always,off --workers 3 --json team.json
    python bench/team.py --mock before="/tmp/old/bin/zadig-mock --host 127.0.0.1 \
        --port {port} --quiet"              # another build, in memory and on each Redis too

Prints run.py's table, then each server's requests/second as a ratio of the single in-memory
process's (median of per-round ratios) and of Prism's.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run
from servers import PYTHON, free_port

MOCK = f"{shlex.quote(PYTHON)} -m mock_server --host 127.0.0.1 --port {{port}} --quiet"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--endpoints", default="create,restart-missing")
    parser.add_argument("--no-prism", action="store_true", help="leave Prism out")
    parser.add_argument(
        "--redis-fsync",
        default="everysec,always",
        help="Redis persistence settings to measure, comma-separated, one redis-server each: "
        "always, everysec, off",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round x 3 s")
    parser.add_argument("--json", type=Path, help="write run.py's runs and the ratios here")
    parser.add_argument(
        "--mock",
        action="append",
        default=[],
        metavar="NAME=CMD",
        help="another build of the mock (command with {port}), measured in memory and with "
        "--workers on each Redis too; repeatable",
    )
    return parser.parse_args(argv)


def start_redis(directory: Path, fsync: str) -> tuple[subprocess.Popen, int]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not found: apt-get install -y redis-server")
    port = free_port()
    persistence = [] if fsync == "off" else ["--appendonly", "yes", "--appendfsync", fsync]
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--save",
            "",
            *persistence,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("redis-server did not answer")


def ratios(runs: list[dict], names: list[str], endpoints: list[str], base: str) -> dict:
    """Per endpoint, each server's req/s over `base`'s in the same round (median)."""
    found: dict = {}
    for endpoint in endpoints:
        rps = {(r["server"], r["round"]): r["rps"] for r in runs if r["endpoint"] == endpoint}
        for name in names:
            per_round = [
                rps[name, rnd] / rps[base, rnd]
                for (server, rnd) in rps
                if server == name and (base, rnd) in rps
            ]
            if per_round and name != base:
                found.setdefault(f"{name}/{base}", {})[endpoint] = statistics.median(per_round)
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workers = args.workers
    settings = [f for f in args.redis_fsync.split(",") if f]
    if not set(settings) <= {"always", "everysec", "off"}:
        raise SystemExit(f"--redis-fsync: always, everysec or off, not {args.redis_fsync}")
    with tempfile.TemporaryDirectory(prefix="zadig-team-bench-") as tmp:
        redis_servers: list[subprocess.Popen] = []
        try:
            sqlite = shlex.quote(str(Path(tmp, "b.sqlite")))
            extra = ["--server", f"w{workers}-sqlite={MOCK} --workers {workers} --state {sqlite}"]
            for fsync in settings:
                directory = Path(tmp, fsync)
                directory.mkdir()
                proc, port = start_redis(directory, fsync)
                redis_servers.append(proc)
                name = f"w{workers}-redis-{fsync}"
                url = f"redis://127.0.0.1:{port}/0"
                extra += ["--server", f"{name}={MOCK} --workers {workers} --state {url}"]
                for other in args.mock:
                    label, _, command = other.partition("=")
                    state = f"--workers {workers} --state {url}"
                    extra += ["--server", f"{label}-{name}={command} {state}"]
            for other in args.mock:  # the other build in memory, beside the in-memory mock
                extra += ["--server", other]
            out = Path(tmp, "runs.json")
            run_args = [
                *("--rounds", str(args.rounds), "--duration", str(args.duration)),
                *("--connections", str(args.connections), "--endpoints", args.endpoints),
                *("--mock-cmd", MOCK, "--servers", "mock" if args.no_prism else "mock,prism"),
                *extra,
                *("--json", str(out)),
                *(["--quick"] if args.quick else []),
            ]
            status = run.main(run_args)
            result = json.loads(out.read_text())
        finally:
            for proc in redis_servers:
                proc.send_signal(signal.SIGTERM)
                proc.wait()
    names = list(result["summary"]["servers"])
    endpoints = [e for e in args.endpoints.split(",") if e]
    table = ratios(result["runs"], names, endpoints, "mock")
    if "prism" in names:
        table |= ratios(result["runs"], names, endpoints, "prism")
    print(
        f"\nw{workers}-redis-everysec: appendonly, appendfsync everysec; -always: appendfsync "
        "always; -off: no append-only file"
    )
    print("ratios of requests/second (median of per-round ratios, this run only):")
    for pair, per_endpoint in table.items():
        cells = ", ".join(f"{ep} {v:.2f}x" for ep, v in per_endpoint.items())
        print(f"  {pair:22} {cells}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**result, "team_ratios": table}, indent=2))
    return status


if __name__ == "__main__":
    sys.exit(main())
