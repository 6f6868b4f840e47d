"""Sustained load on the mock: creates at 32 connections for 60 s, then the verdict: no socket
error, no answer other than 200 (so no 5xx), and task ids distinct and increasing.

Every answer's task_id is recorded (bench/ids.lua). Ids are "distinct and increasing" when no id
repeats, every id lies between the id of a create just before the load and one just after it,
and together they fill that range, bar at most one per connection (requests cut off when wrk
stops, which the mock may still have answered).

    python bench/soak.py                     # 60 s, 32 connections
    python bench/soak.py --seconds 10 --mock-cmd "python -m mock_server --port {port} --quiet"
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from servers import BENCH_DIR, ENDPOINTS, TOKEN, Server, default_mock_cmd
from servers import request as probe


def load(server: Server, seconds: int, connections: int, threads: int, ids: Path) -> dict:
    endpoint = ENDPOINTS["create"]
    env = {
        **os.environ,
        "BENCH_BODY": json.dumps(endpoint.body),
        "BENCH_PREFER": "",
        "BENCH_TOKEN": TOKEN,
        "BENCH_DIR": str(BENCH_DIR),
        "BENCH_IDS": str(ids),
    }
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(BENCH_DIR / "ids.lua"),
        f"http://127.0.0.1:{server.port}{endpoint.path}",
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    return json.loads(line[len("BENCH ") :])


def check_ids(ids: list[int], before: int, after: int, slack: int) -> list[str]:
    """What is wrong with the recorded ids (empty: distinct and increasing)."""
    problems = []
    if len(set(ids)) != len(ids):
        problems.append(f"{len(ids) - len(set(ids))} ids repeated")
    outside = [i for i in ids if not before < i < after]
    if outside:
        problems.append(f"{len(outside)} ids outside ({before}, {after}), e.g. {outside[:5]}")
    missing = (after - before - 1) - len(set(ids))
    if not 0 <= missing <= slack:
        problems.append(f"{missing} ids of the range unaccounted for (at most {slack} may be)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--mock-cmd", default=None, help="server command with {port}")
    args = parser.parse_args(argv)
    server = Server("mock", args.mock_cmd or default_mock_cmd())
    server.start()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            server.wait_ready()
            before = probe(server.port, ENDPOINTS["create"])[1]["task_id"]
            raw = load(server, args.seconds, args.connections, args.threads, Path(tmp) / "ids")
            after = probe(server.port, ENDPOINTS["create"])[1]["task_id"]
        finally:
            server.stop()
        lines = [x for f in sorted(Path(tmp).glob("ids.*")) for x in f.read_text().split()]
    ids = [int(x) for x in lines if x.isdigit()]
    socket_errors = sum(
        raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    print(
        f"{raw['requests']} creates in {raw['duration_us'] / 1e6:.1f} s "
        f"({raw['requests'] / (raw['duration_us'] / 1e6):.0f}/s) at {args.connections} "
        f"connections; p50 {raw['p50_us'] / 1000:.1f} ms, p99 {raw['p99_us'] / 1000:.1f} ms"
    )
    print(
        f"socket errors: {socket_errors}; answers other than 200: {raw['non_2xx_3xx']}; "
        f"answers without a task_id: {len(lines) - len(ids)}"
    )
    problems = check_ids(ids, before, after, args.connections)
    print(
        f"ids: {len(ids)} recorded, {before} before the load, {after} after: "
        + ("; ".join(problems) if problems else "distinct and increasing")
    )
    ok = not problems and not socket_errors and not raw["non_2xx_3xx"] and len(ids) == len(lines)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
