"""Limits on each connection, kept by the HTTP protocol both servers run under uvicorn.

uvicorn's httptools protocol (the fast one, used by default) sets no limit on the size of a
request's head, no time limit on receiving it or the body, and accepts connections until the
process runs out of file descriptors; its `limit_concurrency` answers 503 to every request
once that many connections are open, so a client holding many idle connections shuts everyone
out. (`h11_max_incomplete_event_size` bounds the head under the slower h11 protocol only, with a
400.) `serving.protocol.LimitedProtocol` keeps these `Limits` on each connection:

- the request line and headers over `head_bytes`: 431, connection closed;
- the head not whole `head_timeout` seconds after the connection opened or the request began:
  408, connection closed (slow-header attacks);
- the body not whole `body_timeout` seconds after the head: 408, connection closed;
- at `connections` open connections (by default what the process's open-file limit leaves),
  a new one closes the connection that has waited longest without a request in progress (an
  idle or slow one); only if every connection has a request in progress is the new one refused
  (503). Normal clients, whose heads arrive at once, keep being answered;
- a chunked body's trailer fields are dropped: httptools adds them to the request's headers,
  where an app (the proxy forwarding them) would take them for headers.
"""

from __future__ import annotations

import argparse
import resource
from dataclasses import dataclass

HEAD_BYTES = 64 * 1024
HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
# File descriptors kept for what is not a client connection (listening socket, logs, the
# state's files and connections).
RESERVED_FDS = 64


@dataclass(frozen=True)
class Limits:
    head_bytes: int = HEAD_BYTES
    head_timeout: float = HEAD_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    connections: int | None = None  # None: from the open-file limit
    fds_per_connection: int = 1  # the proxy opens one to the upstream for each client

    def max_connections(self) -> int:
        if self.connections is not None:
            return self.connections
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            soft = 65536
        return max(16, (soft - RESERVED_FDS) // self.fds_per_connection)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The limits' command-line options, the same for both servers."""
    group = parser.add_argument_group("limits per connection")
    group.add_argument(
        "--max-head-bytes",
        type=positive,
        default=HEAD_BYTES,
        metavar="N",
        help=f"largest request line and headers, in bytes (then 431; default {HEAD_BYTES})",
    )
    group.add_argument(
        "--head-timeout",
        type=_seconds,
        default=HEAD_TIMEOUT,
        metavar="SECONDS",
        help=f"time to receive a request line and headers (then 408; default {HEAD_TIMEOUT:g})",
    )
    group.add_argument(
        "--body-timeout",
        type=_seconds,
        default=BODY_TIMEOUT,
        metavar="SECONDS",
        help=f"time to receive a request body (then 408; default {BODY_TIMEOUT:g})",
    )
    group.add_argument(
        "--max-connections",
        type=positive,
        default=None,
        metavar="N",
        help="open connections kept; past it the longest idle one is closed "
        "(default: what the open-file limit allows)",
    )


def from_args(args: argparse.Namespace, fds_per_connection: int = 1) -> Limits:
    return Limits(
        head_bytes=args.max_head_bytes,
        head_timeout=args.head_timeout,
        body_timeout=args.body_timeout,
        connections=args.max_connections,
        fds_per_connection=fds_per_connection,
    )


def positive(text: str) -> int:
    """An option's count of 1 or more (argparse type)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a number >= 1")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds > 0")
    return value
