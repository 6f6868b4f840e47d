"""The mock on a ten-page spec next to the built-in one, side by side in one run.

`zadig-mock --page` with ten API pages (the v1.7.1 workflow page, whose task rules it keeps,
and nine pages of tests/data/pages, converted at start) against `zadig-mock` on its built-in
spec: startup to the first answer (fresh processes, the two commands alternating), then
requests/second on the task endpoints both serve with the same rules (wrk, rounds interleaved,
the order rotating). Goals: startup at most 1.5x the built-in's, throughput within 10%.

The pages' conversion is kept in the page cache (openapi/page_cache.py), here a temporary
folder of this run: `10 pages` starts with the entry there (the form a user runs twice; the
goal), `10 pages cold` with the folder emptied before each start (the first start).

    python bench/pages.py                 # 7 starts each; 3 rounds x 10 s per endpoint
    python bench/pages.py --quick         # smoke: 3 starts each, 1 round x 3 s
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from run import interleaved, machine
from servers import ENDPOINTS, PYTHON, ROOT, Server, default_mock_cmd
from startup import start_once

WORKFLOW_PAGE = ROOT / "openapi" / "source" / "workflow-api.md"
TEST_PAGES = ROOT / "tests" / "data" / "pages"
OTHER_PAGES = 9
STARTUP_GOAL = 1.5  # at most this many times the built-in spec's startup
THROUGHPUT_GOAL = 0.9  # at least this share of the built-in spec's requests/second
COLD = "10 pages cold"


def pages() -> list[Path]:
    return [WORKFLOW_PAGE, *sorted(TEST_PAGES.glob("*.md"))[:OTHER_PAGES]]


def pages_cmd(found: list[Path]) -> str:
    given = " ".join(f"--page {shlex.quote(str(p))}" for p in found)
    return f"{shlex.quote(PYTHON)} -m mock_server --host 127.0.0.1 --port {{port}} --quiet {given}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=7, help="starts of each command")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="3 starts, 1 round x 3 s")
    args = parser.parse_args(argv)
    if args.quick:
        args.starts, args.rounds, args.duration, args.warmup = 3, 1, 3, 1
    return args


def startups(commands: dict[str, str], starts: int, cache: Path) -> dict[str, list[float]]:
    """Seconds to the first answer, each command started `starts` times, in turn (the order
    rotating); the page cache `cache` emptied before each start of COLD."""
    for cmd in commands.values():
        start_once(cmd)  # not counted: fills the OS page cache, the bytecode and page caches
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for i in range(starts):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            if name == COLD:
                shutil.rmtree(cache, ignore_errors=True)
            times[name].append(start_once(commands[name]))
            print(f"  start {i + 1}/{starts} {name:8} {times[name][-1]:.3f} s", flush=True)
    return times


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    found = pages()
    commands = {
        "built-in": default_mock_cmd(),
        "10 pages": pages_cmd(found),
        COLD: pages_cmd(found),
    }
    print(f"machine: {machine()}")
    print("pages: " + ", ".join(str(p.relative_to(ROOT)) for p in found))
    print("startup to the first answer:")
    with tempfile.TemporaryDirectory(prefix="pages-bench-") as home:
        os.environ["XDG_CACHE_HOME"] = home  # the servers started inherit it
        os.environ.pop("ZADIG_PAGE_CACHE", None)
        times = startups(commands, args.starts, Path(home))
    medians = {name: statistics.median(t) for name, t in times.items()}
    startup_ratio = medians["10 pages"] / medians["built-in"]
    del commands[COLD]  # the same server once started

    servers = [Server(name, cmd) for name, cmd in commands.items()]
    endpoints = list(ENDPOINTS.values())
    try:
        for s in servers:
            s.start()
        for s in servers:
            s.wait_ready()
        runs = interleaved(servers, endpoints, args, width=8)
    finally:
        for s in servers:
            s.stop()
    print()
    for name, t in times.items():
        spread = f"min {min(t):.3f}, max {max(t):.3f}"
        print(f"startup {name:13} median {medians[name]:.3f} s ({spread})")
    per_start = {
        name: [a / b for a, b in zip(t, times["built-in"], strict=True)]
        for name, t in times.items()
    }
    for name in ("10 pages", COLD):
        print(
            f"startup {name}/built-in: ratio of medians "
            f"{medians[name] / medians['built-in']:.2f}x, median of per-start ratios "
            f"{statistics.median(per_start[name]):.2f}x"
        )
    verdict = "within" if startup_ratio <= STARTUP_GOAL else "OVER"
    print(f"startup ratio 10 pages/built-in {startup_ratio:.2f}x: {verdict} {STARTUP_GOAL}x")
    met = startup_ratio <= STARTUP_GOAL
    for endpoint in endpoints:
        mine = {
            s.name: [r for r in runs if r.server == s.name and r.endpoint == endpoint.name]
            for s in servers
        }
        per_round = [
            a.rps / b.rps for a in mine["10 pages"] for b in mine["built-in"] if a.round == b.round
        ]
        ratio = statistics.median(per_round)
        rps = {name: statistics.median(r.rps for r in rs) for name, rs in mine.items()}
        verdict = "within" if ratio >= THROUGHPUT_GOAL else "BELOW"
        print(
            f"{endpoint.name:16} built-in {rps['built-in']:7.0f} req/s, 10 pages "
            f"{rps['10 pages']:7.0f} req/s: ratio {ratio:.2f}x ({verdict} 10%)"
        )
        met = met and ratio >= THROUGHPUT_GOAL
        if any(r.socket_errors or r.unexpected_status for rs in mine.values() for r in rs):
            print(f"{endpoint.name}: socket errors or unexpected statuses", file=sys.stderr)
            return 1
    print("\ncommand: python bench/pages.py " + " ".join(argv or sys.argv[1:]))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
