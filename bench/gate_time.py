"""How long the conformance gate takes against the mock, per profile.

Starts the mock on a free port, runs `zadig-contract --base-url URL --profile P --token T` for each
profile (a fresh mock per profile), and prints the wall time and the gate's exit status against
the targets (safe 30 s, full 90 s).

    python bench/gate_time.py                        # safe and full
    python bench/gate_time.py --profile safe --runs 3
    python bench/gate_time.py --gate-cmd "zadig-contract --base-url {url} --profile {profile}"
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from servers import PYTHON, ROOT, TOKEN, Server, default_mock_cmd

TARGETS_S = {"safe": 30.0, "full": 90.0}


def default_gate_cmd() -> str | None:
    """zadig-contract beside this Python (the venv's), else on PATH, else the module itself;
    None when the gate is not in the tree."""
    if not (ROOT / "contract_tests" / "cli.py").exists():
        return None
    beside = Path(PYTHON).with_name("zadig-contract")
    exe = str(beside) if beside.exists() else shutil.which("zadig-contract")
    run = shlex.quote(exe) if exe else f"{shlex.quote(PYTHON)} -m contract_tests.cli"
    # The mock wants a bearer token out of the box (any value passes).
    return f"{run} --base-url {{url}} --profile {{profile}} --token {TOKEN}"


def time_gate(gate_cmd: str, profile: str, mock_cmd: str, show: bool) -> tuple[float, int, str]:
    server = Server("mock", mock_cmd)
    server.start()
    try:
        server.wait_ready()
        url = f"http://127.0.0.1:{server.port}"
        argv = shlex.split(gate_cmd.format(url=url, profile=profile))
        started = time.monotonic()
        done = subprocess.run(argv, cwd=ROOT, capture_output=not show, text=True)
        elapsed = time.monotonic() - started
        tail = "" if show else (done.stdout + done.stderr).strip().splitlines()[-1:]
        return elapsed, done.returncode, " ".join(tail)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="append", choices=sorted(TARGETS_S))
    parser.add_argument("--runs", type=int, default=1, help="runs per profile (median reported)")
    parser.add_argument("--gate-cmd", default=None, help="command with {url} and {profile}")
    parser.add_argument("--mock-cmd", default=None, help="mock command with {port}")
    parser.add_argument("--show", action="store_true", help="let the gate print its report")
    args = parser.parse_args(argv)
    gate_cmd = args.gate_cmd or default_gate_cmd()
    if gate_cmd is None:
        print(
            "the gate (zadig-contract, contract_tests/cli.py) is not installed yet: "
            "nothing to time",
            file=sys.stderr,
        )
        return 2
    mock_cmd = args.mock_cmd or default_mock_cmd()
    worst = 0
    for profile in args.profile or ["safe", "full"]:
        times = []
        for i in range(args.runs):
            elapsed, code, tail = time_gate(gate_cmd, profile, mock_cmd, args.show)
            times.append(elapsed)
            print(f"{profile:5} run {i + 1}/{args.runs}: {elapsed:6.1f} s, exit {code}  {tail}")
            worst = max(worst, 1 if code else 0)
        median = statistics.median(times)
        ok = median <= TARGETS_S[profile]
        print(
            f"{profile:5} median {median:.1f} s: {'within' if ok else 'OVER'} the "
            f"{TARGETS_S[profile]:g} s target"
        )
        worst = max(worst, 0 if ok else 1)
    return worst


if __name__ == "__main__":
    sys.exit(main())
