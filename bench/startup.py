"""Startup time of the mock: from spawning the process to its first HTTP answer.

Each start is a fresh process on a fresh port; the probe is the restart of a missing task
(any HTTP answer counts: the mock answers it 400). Prints each start and the median.

    python bench/startup.py                 # zadig-mock, 7 starts, target 0.5 s
    python bench/startup.py --runs 11 --cmd "python bench/stock_app.py --port {port}"
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from servers import Server, default_mock_cmd

TARGET_S = 0.5


def start_once(cmd: str) -> float:
    server = Server("mock", cmd)
    spawned = time.monotonic()
    server.start()
    try:
        server.wait_ready(timeout=30)
        return time.monotonic() - spawned
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cmd", default=None, help="server command with {port} (default: mock)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--target", type=float, default=TARGET_S, help="seconds (median)")
    args = parser.parse_args(argv)
    cmd = args.cmd or default_mock_cmd()
    print(f"command: {cmd}")
    start_once(cmd)  # not counted: fills the OS page cache and Python's bytecode cache
    times = []
    for i in range(args.runs):
        times.append(start_once(cmd))
        print(f"  start {i + 1}/{args.runs}: {times[-1]:.3f} s")
    median = statistics.median(times)
    verdict = "within" if median <= args.target else "OVER"
    print(
        f"median {median:.3f} s (min {min(times):.3f}, max {max(times):.3f}) over "
        f"{args.runs} starts: {verdict} the {args.target:g} s target"
    )
    return 0 if median <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
