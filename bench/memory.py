"""Memory per stored task, and whether answers slow down as tasks pile up.

in-process (default): builds the mock's ASGI app (mock_server.app.create_app), sends N creates
straight through ASGI (no sockets), and reports the bytes allocated per stored task as traced by
tracemalloc, plus the process RSS growth per task.

--long N: starts the mock as a server, loads it with creates (wrk, 32 connections) in batches
until N tasks exist, and prints per batch the answer rate, p50/p99 latency and the server's RSS;
then compares the early and the late batches. Around each batch one create of its own checks
the ids: the id after a batch must be the id before it plus the batch's successful creates
plus one (distinct, increasing, none lost or repeated).

    python bench/memory.py                        # 20,000 creates in-process
    python bench/memory.py --long 1000000         # one million creates over HTTP
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import tracemalloc
import warnings
from pathlib import Path

from servers import CREATE_PATH, ENDPOINTS, ROOT, Server, default_mock_cmd
from servers import request as probe

sys.path.insert(0, str(ROOT))
CREATE_BODY_BYTES = json.dumps(ENDPOINTS["create"].body).encode()


def rss_bytes(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


async def asgi_create(app, expect_status: int = 200) -> dict:  # noqa: ANN001 (any ASGI app)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": CREATE_PATH,
        "raw_path": CREATE_PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"authorization", b"Bearer bench-token"),
            (b"content-length", str(len(CREATE_BODY_BYTES)).encode()),
        ],
    }
    sent = False
    status, chunks = 0, []

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": CREATE_BODY_BYTES, "more_body": False}
        await asyncio.sleep(3600)  # a client that stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    if status != expect_status:
        raise RuntimeError(f"create answered {status}: {b''.join(chunks)[:300]!r}")
    return json.loads(b"".join(chunks))


async def in_process(creates: int, warmup: int) -> None:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    try:
        from mock_server.app import create_app
    except ImportError as exc:
        raise SystemExit(f"the mock is not importable ({exc}); nothing to measure") from None
    app = create_app()
    for _ in range(warmup):  # builds connexion's middleware stack and caches first
        await asgi_create(app)
    gc.collect()
    rss_before = rss_bytes()
    tracemalloc.start()
    traced_before = tracemalloc.get_traced_memory()[0]
    first = last = None
    for _ in range(creates):
        last = (await asgi_create(app))["task_id"]
        first = first or last
    gc.collect()
    traced = tracemalloc.get_traced_memory()[0] - traced_before
    tracemalloc.stop()
    rss = rss_bytes() - rss_before
    print(f"{creates} creates in-process (task ids {first}..{last})")
    print(
        f"  traced allocations kept: {traced / creates:,.0f} bytes per task "
        f"({traced / 2**20:.1f} MiB in all)"
    )
    print(f"  RSS growth (with tracemalloc's own overhead): {rss / creates:,.0f} bytes per task")
    print(f"  projected for 1,000,000 tasks: {traced * 1_000_000 / creates / 2**20:,.0f} MiB")


def long_run(
    total: int, batch_s: float, connections: int, threads: int, mock_cmd: str | None = None
) -> int:
    from run import wrk

    server = Server("mock", mock_cmd or default_mock_cmd())
    server.start()
    args = argparse.Namespace(threads=threads, connections=connections)
    batches = []
    try:
        server.wait_ready()
        rss0 = rss_bytes(server.process.pid)
        done = 0
        last_id = probe(server.port, ENDPOINTS["create"])[1]["task_id"]
        print(
            f"{'batch':>5} {'tasks':>9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'RSS MiB':>8} {'errors':>6}"
        )
        while done < total:
            raw = wrk(server, ENDPOINTS["create"], batch_s, args)
            created = raw["requests"] - raw["non_2xx_3xx"]
            done += created
            errors = raw["non_2xx_3xx"] + sum(
                raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
            )
            # wrk closes connections with requests in flight: those may have been created too.
            now_id = probe(server.port, ENDPOINTS["create"])[1]["task_id"]
            unaccounted = now_id - last_id - 1 - created
            if not 0 <= unaccounted <= connections:
                errors += 1
                print(f"ids: {last_id} before, {now_id} after {created} creates", flush=True)
            last_id = now_id
            rss = rss_bytes(server.process.pid)
            batch = {
                "tasks": done,
                "rps": raw["requests"] / (raw["duration_us"] / 1e6),
                "p50": raw["p50_us"] / 1000,
                "p99": raw["p99_us"] / 1000,
                "rss": rss,
                "errors": errors,
            }
            batches.append(batch)
            print(
                f"{len(batches):5d} {done:9d} {batch['rps']:7.0f} {batch['p50']:7.2f} "
                f"{batch['p99']:7.2f} {rss / 2**20:8.1f} {errors:6d}",
                flush=True,
            )
    finally:
        server.stop()
    k = max(1, min(3, len(batches) // 3))
    early, late = batches[:k], batches[-k:]
    for label, key in (("req/s", "rps"), ("p50 ms", "p50"), ("p99 ms", "p99")):
        a = statistics.median(b[key] for b in early)
        z = statistics.median(b[key] for b in late)
        print(
            f"{label:7} first {k} batches {a:8.2f}   last {k} batches {z:8.2f}   "
            f"late/early {z / a:.2f}"
        )
    per_task = (batches[-1]["rss"] - rss0) / max(1, batches[-1]["tasks"])
    print(
        f"RSS growth: {per_task:,.0f} bytes per task over {batches[-1]['tasks']} tasks; "
        f"errors: {sum(b['errors'] for b in batches)}"
    )
    return 1 if any(b["errors"] for b in batches) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=20_000, help="in-process creates")
    parser.add_argument("--long", type=int, metavar="N", help="create N tasks over HTTP instead")
    parser.add_argument("--batch", type=float, default=10, help="seconds per batch (--long)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--mock-cmd", default=None, help="server command with {port} (--long)")
    args = parser.parse_args(argv)
    if args.long:
        return long_run(args.long, args.batch, args.connections, args.threads, args.mock_cmd)
    asyncio.run(in_process(args.creates, warmup=200))
    return 0


if __name__ == "__main__":
    sys.exit(main())
