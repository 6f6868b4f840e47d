"""Attacks on the mock and the proxy, each bounded in time and size, on 127.0.0.1 only, while a
normal client keeps sending requests: its p99 during each attack, and how many of its requests
went unanswered.

    python bench/attacks.py [--seconds 10] [--nofile 1024] [--json FILE] [--baseline DIR]

Both servers are started here (the proxy in front of a mock) with their open-file limit set
to --nofile, as on a machine with the common default of 1,024. The attacks:

- big-header: clients sending a request whose headers are 100 MB (one after the other);
- big-body (proxy): clients sending a 500 MB body;
- slowloris: 1,100 connections sending their headers one line a second, reopened when closed;
- slow-body: 200 connections sending a body a byte a second.

`--baseline DIR` runs the same attacks, in the same run, on the servers of another checkout
(e.g. `git worktree add /tmp/before COMMIT`): their code is imported from DIR.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
HEAD = b"GET /_mock/tasks HTTP/1.1\r\nHost: localhost\r\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def nofile_limit(limit: int | None) -> Callable[[], None] | None:
    if limit is None:
        return None
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


@contextlib.contextmanager
def server(module: str, *args: str, nofile: int | None = None, root: Path = ROOT) -> Iterator[int]:
    """`python -m module --port P args...` (imported from `root`) until it answers; yields P."""
    port = free_port()
    command = [sys.executable, "-m", module, "--host", HOST, "--port", str(port), "--quiet", *args]
    process = subprocess.Popen(
        command,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=nofile_limit(nofile),
    )
    try:
        deadline = time.monotonic() + 30
        while get(port, "/_mock/tasks" if module == "mock_server" else "/_proxy/report") is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{module} did not start")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(port: int, path: str, timeout: float = 5) -> int | None:
    """One request on a new connection: its status, or None when it got no answer."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Authorization": "Bearer bench"})
        answer = connection.getresponse()
        answer.read()
        return answer.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


@dataclass
class Normal:
    """A normal client: one request at a time on a new connection, until stopped."""

    port: int
    path: str
    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            status = get(self.port, self.path)
            if status is None or status >= 500:
                self.failed += 1
            else:
                self.latencies.append(time.perf_counter() - started)
            time.sleep(0.02)

    def p99(self) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100)[98]


def big_header(port: int, stop: threading.Event, size: int = 100 * 1024 * 1024) -> list[str]:
    """Requests with a `size`-byte header, one after the other: the answers' first lines."""
    seen = []
    chunk = b"a" * (1024 * 1024)
    while not stop.is_set():
        with socket.create_connection((HOST, port), timeout=5) as sock:
            sent = 0
            with contextlib.suppress(OSError):
                sock.sendall(HEAD + b"X-Big: ")
                while sent < size and not stop.is_set():
                    sock.sendall(chunk)
                    sent += len(chunk)
            seen.append(first_line(sock))
    return seen


def big_body(port: int, stop: threading.Event, size: int = 500 * 1024 * 1024) -> list[str]:
    seen = []
    chunk = b"x" * (1024 * 1024)
    while not stop.is_set():
        with socket.create_connection((HOST, port), timeout=5) as sock:
            head = f"POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: {size}\r\n\r\n"
            sent = 0
            with contextlib.suppress(OSError):
                sock.sendall(head.encode())
                while sent < size and not stop.is_set():
                    sock.sendall(chunk)
                    sent += len(chunk)
            seen.append(first_line(sock))
    return seen


def first_line(sock: socket.socket) -> str:
    try:
        return sock.recv(256).split(b"\r\n", 1)[0].decode("latin-1") or "closed"
    except OSError as exc:
        return type(exc).__name__


def slowloris(port: int, stop: threading.Event, count: int = 1100, body: bool = False) -> list[str]:
    """`count` connections sending a line of headers (or a byte of body) a second; a closed
    one is opened again. Returns how the server ended them (first lines, or closes)."""
    ended: list[str] = []
    socks: list[socket.socket | None] = [None] * count
    start = (
        HEAD if not body else b"POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n"
    )
    while not stop.is_set():
        for i in range(count):
            if stop.is_set():
                break
            sock = socks[i]
            try:
                if sock is None:
                    sock = socket.create_connection((HOST, port), timeout=1)
                    sock.setblocking(False)
                    sock.send(start)
                    socks[i] = sock
                else:
                    sock.send(b"x" if body else b"X-a: b\r\n")
            except OSError:
                if sock is not None:
                    ended.append(peek(sock))
                    sock.close()
                socks[i] = None
        stop.wait(1.0)
    for sock in socks:
        if sock is not None:
            sock.close()
    return ended


def peek(sock: socket.socket) -> str:
    try:
        return sock.recv(256).split(b"\r\n", 1)[0].decode("latin-1") or "closed"
    except OSError as exc:
        return type(exc).__name__


ATTACKS: dict[str, Callable[[int, threading.Event], list[str]]] = {
    "none": lambda port, stop: stop.wait() and [],
    "big-header": big_header,
    "big-body": big_body,
    "slowloris": slowloris,
    "slow-body": lambda port, stop: slowloris(port, stop, count=200, body=True),
}


def attack(name: str, port: int, normal_path: str, seconds: float) -> dict[str, object]:
    """Run attack `name` on `port` for `seconds` while a normal client sends requests."""
    stop = threading.Event()
    normal = Normal(port, normal_path, stop=stop)
    results: list[str] = []
    attacker = threading.Thread(target=lambda: results.extend(ATTACKS[name](port, stop)))
    attacker.start()
    time.sleep(min(2.0, seconds / 4))  # the attack under way first
    client = threading.Thread(target=normal.run)
    client.start()
    time.sleep(seconds)
    stop.set()
    client.join()
    attacker.join(timeout=30)
    answers = sorted({line for line in results})[:5]
    return {
        "attack": name,
        "normal_requests": len(normal.latencies) + normal.failed,
        "normal_failed": normal.failed,
        "normal_p50_ms": round(statistics.median(normal.latencies) * 1000, 1)
        if normal.latencies
        else None,
        "normal_p99_ms": round(normal.p99() * 1000, 1),
        "attack_answers": answers,
    }


def attacks(code: str, root: Path, seconds: float, nofile: int) -> list[dict[str, object]]:
    """Every attack on the mock, then on the proxy in front of it, as served from `root`."""
    rows: list[dict[str, object]] = []

    def run(kind: str, name: str, port: int) -> None:
        # The normal client asks for the mock's task list (through the proxy: forwarded).
        row = {"code": code, "server": kind, **attack(name, port, "/_mock/tasks", seconds)}
        print(json.dumps(row, ensure_ascii=False), flush=True)
        rows.append(row)

    with server("mock_server", "--no-auth", nofile=nofile, root=root) as mock:
        for name in ("none", "big-header", "slowloris", "slow-body"):
            run("mock", name, mock)
        upstream = f"http://{HOST}:{mock}"
        with server("contract_proxy", "--upstream", upstream, nofile=nofile, root=root) as proxy:
            for name in ATTACKS:
                run("proxy", name, proxy)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--nofile", type=int, default=1024)
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--baseline", metavar="DIR", help="also attack the servers of DIR")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    rows = []
    roots = [("this", ROOT)] + ([("baseline", Path(args.baseline))] if args.baseline else [])
    for code, root in roots:
        rows += attacks(code, root, args.seconds, args.nofile)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    # Exit 1 when a normal request of this checkout went unanswered under some attack.
    return 0 if all(row["normal_failed"] == 0 for row in rows if row["code"] == "this") else 1


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
