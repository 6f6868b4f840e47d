"""Where a server spends its time per request: py-spy samples it under wrk load.

Starts the server command, loads one endpoint with wrk, records with py-spy (raw stacks), and
prints the functions with the largest inclusive and self share of the samples.

    python bench/profile.py --cmd "python bench/stock_app.py --port {port}" --endpoint create
    python bench/profile.py                      # the mock (zadig-mock --quiet), both endpoints

py-spy (pip install py-spy) must be allowed to ptrace the server (it is its parent's child here).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import wrk
from servers import ENDPOINTS, Server, default_mock_cmd

# py-spy beside this Python (the venv's), else on PATH.
PY_SPY = str(Path(sys.executable).with_name("py-spy"))
if not Path(PY_SPY).exists():
    PY_SPY = "py-spy"
_LINE_NO = re.compile(r":\d+\)$")
_SITE = re.compile(r" \(/.*?site-packages/")


def frame_name(frame: str) -> str:
    return _SITE.sub(" (", _LINE_NO.sub(")", frame))


def shares(raw: Path) -> tuple[int, collections.Counter, collections.Counter]:
    """(total samples, inclusive counts, self counts) per function from py-spy's raw output."""
    total, inclusive, own = 0, collections.Counter(), collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = [frame_name(f) for f in stack.split(";")]
        for name in set(frames):
            inclusive[name] += n
        own[frames[-1]] += n
    return total, inclusive, own


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cmd", default=None, help="server command with {port} (default: mock)")
    parser.add_argument("--endpoint", action="append", choices=list(ENDPOINTS))
    parser.add_argument("--duration", type=float, default=8, help="seconds sampled")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--keep", type=Path, help="directory for the raw py-spy output")
    return parser.parse_args(argv)


def profile(server: Server, endpoint_name: str, args: argparse.Namespace, out: Path) -> None:
    endpoint = ENDPOINTS[endpoint_name]
    load_args = argparse.Namespace(threads=args.threads, connections=args.connections)
    # wrk runs from a thread of this process while py-spy samples the server.
    result: dict = {}
    thread = threading.Thread(
        target=lambda: result.update(wrk(server, endpoint, args.duration + 2, load_args))
    )
    thread.start()
    time.sleep(1)
    subprocess.run(
        [
            PY_SPY,
            "record",
            "-p",
            str(server.process.pid),
            "-d",
            str(int(args.duration)),
            "-r",
            "250",
            "-f",
            "raw",
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    thread.join()
    total, inclusive, own = shares(out)
    rps = result["requests"] / (result["duration_us"] / 1e6)
    print(f"\n== {server.name} {endpoint_name}: {rps:.0f} req/s under py-spy, {total} samples")
    print("inclusive:")
    for name, n in inclusive.most_common(args.top):
        print(f"  {100 * n / total:5.1f}%  {name}")
    print("self:")
    for name, n in own.most_common(15):
        print(f"  {100 * n / total:5.1f}%  {name}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for tool in ("wrk", PY_SPY):
        if shutil.which(tool) is None:
            print(f"{tool} not found (py-spy: pip install py-spy)", file=sys.stderr)
            return 2
    server = Server("server", args.cmd or default_mock_cmd())
    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="bench-profile-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    server.start()
    try:
        server.wait_ready()
        for name in args.endpoint or list(ENDPOINTS):
            profile(server, name, args, out_dir / f"{name}.txt")
    finally:
        server.stop()
    print(f"\nraw stacks in {out_dir} (flamegraph.pl-compatible)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
