"""The limits on each connection, on the real commands (`zadig-mock`, `zadig-proxy` in front of
a mock) over real sockets: a head too large (431), too slow (408), a body too slow (408) or too
large for the proxy (413), more connections than the open-file limit allows (slowloris), a
chunked body's trailer; while each happens a normal client keeps being answered. Every attack
is bounded in size and time and sent to 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT / "bench"))  # after tests/: bench has a proxy.py of its own
from attacks import HEAD, HOST, get, server, slowloris  # noqa: E402
from gate.fake_zadig import ServerThread  # noqa: E402
from proxy.support import echo_app  # noqa: E402

# What a normal client asks the proxy: the mock's task list, forwarded (outside the spec).
THROUGH = "/_mock/tasks"
ENVELOPE = {"code", "description", "extra", "message", "type"}


@contextlib.contextmanager
def proxied(*options: str, nofile: int | None = None) -> Iterator[int]:
    """A mock, and the proxy in front of it with `options`: yields the proxy's port."""
    with server("mock_server", "--no-auth") as mock:
        upstream = f"http://{HOST}:{mock}"
        with server("contract_proxy", "--upstream", upstream, *options, nofile=nofile) as port:
            yield port


@contextlib.contextmanager
def serving(kind: str, *options: str, nofile: int | None = None) -> Iterator[tuple[int, str]]:
    """The mock or the proxy: yields its port and a path it answers (without attack)."""
    if kind == "mock":
        with server("mock_server", "--no-auth", *options, nofile=nofile) as port:
            yield port, "/_mock/tasks"
    else:
        with proxied(*options, nofile=nofile) as port:
            yield port, THROUGH


def answer(sock: socket.socket, timeout: float = 5) -> tuple[int, dict, bytes]:
    """The status, headers and body of the answer on `sock` (read until it closes)."""
    sock.settimeout(timeout)
    data = b""
    with contextlib.suppress(OSError):
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


def assert_refusal(status: int, body: bytes, expected: int) -> dict:
    assert status == expected, body
    document = json.loads(body)
    assert set(document) == ENVELOPE and document["code"] == expected
    return document


@pytest.mark.parametrize("kind", ["mock", "proxy"])
def test_headers_over_64_kib_are_431_while_others_are_answered(kind: str) -> None:
    with serving(kind) as (port, path):
        with socket.create_connection((HOST, port)) as sock:
            with contextlib.suppress(OSError):  # the server stops reading once it has refused
                sock.sendall(HEAD + b"X-Big: " + b"a" * (8 * 1024 * 1024))
            status, headers, body = answer(sock)
            assert get(port, path) == 200
        within = socket.create_connection((HOST, port))
        within.sendall(HEAD.replace(b"/_mock/tasks", path.encode()) + b"X-Fits: " + b"a" * 60_000)
        within.sendall(b"\r\nConnection: close\r\n\r\n")
        fits, _, _ = answer(within)
    document = assert_refusal(status, body, 431)
    assert "65536 bytes" in document["description"]
    assert headers["connection"] == "close"
    assert fits == 200  # 60 KB of headers are within the limit


@pytest.mark.parametrize("kind", ["mock", "proxy"])
def test_a_head_not_whole_in_time_is_408(kind: str) -> None:
    with serving(kind, "--head-timeout", "1") as (port, path):
        with socket.create_connection((HOST, port)) as sock:
            started = time.monotonic()
            sock.sendall(HEAD)  # and never the blank line that ends the head
            status, _, body = answer(sock)
            waited = time.monotonic() - started
            assert get(port, path) == 200
        with socket.create_connection((HOST, port)) as silent:  # a connection that says nothing
            silent_status, _, _ = answer(silent)
    assert_refusal(status, body, 408)
    assert waited >= 1
    assert silent_status == 408


def test_each_request_of_a_kept_alive_connection_has_its_own_head_time() -> None:
    # Each head takes half the limit: one deadline left over from the connection's start or an
    # earlier request would cut a later request mid-head. The last head never ends: 408.
    with serving("mock", "--head-timeout", "1") as (port, path):
        with socket.create_connection((HOST, port)) as sock:
            sock.settimeout(5)
            answers = sock.makefile("rb")
            statuses = []
            for _ in range(5):  # 2.5 s on one connection
                sock.sendall(HEAD)
                time.sleep(0.5)
                sock.sendall(b"\r\n")
                status_line, length = answers.readline(), 0
                while (line := answers.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                answers.read(length)
                statuses.append(int(status_line.split()[1]) if status_line else None)
                if not status_line:  # closed
                    break
            started = time.monotonic()
            sock.sendall(HEAD)
            status, _, body = answer(sock)
            waited = time.monotonic() - started
    assert statuses == [200] * 5
    assert_refusal(status, body, 408)
    assert 1 <= waited < 3


def test_a_body_not_whole_in_time_is_408() -> None:
    with serving("proxy", "--body-timeout", "1") as (port, path):
        with socket.create_connection((HOST, port)) as sock:
            sock.sendall(b"POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nab")
            status, _, body = answer(sock)
            assert get(port, path) == 200
    assert_refusal(status, body, 408)


def test_the_proxy_refuses_a_body_over_its_limit_with_413() -> None:
    limit = 16 * 1024 * 1024  # the documented default
    with serving("proxy") as (port, path):
        with socket.create_connection((HOST, port)) as sock:
            head = f"POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: {limit + 1}\r\n\r\n"
            with contextlib.suppress(OSError):
                sock.sendall(head.encode() + b"x" * (limit + 1))
            status, _, body = answer(sock)
        with socket.create_connection((HOST, port)) as chunked:  # no length said up front
            head = b"POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
            chunk = b"%x\r\n" % (1024 * 1024) + b"x" * (1024 * 1024) + b"\r\n"
            with contextlib.suppress(OSError):
                chunked.sendall(head + chunk * 17)
            chunked_status, _, chunked_body = answer(chunked)
        assert get(port, path) == 200
    assert "16777216 bytes" in assert_refusal(status, body, 413)["description"]
    assert_refusal(chunked_status, chunked_body, 413)


@pytest.mark.parametrize("kind", ["mock", "proxy"])
def test_slowloris_at_1024_open_files_leaves_normal_requests_answered(kind: str) -> None:
    """1,100 connections that never finish their headers, against a server whose open-file
    limit is 1,024: every normal request is still answered."""
    with serving(kind, nofile=1024) as (port, path):
        stop = threading.Event()
        attacker = threading.Thread(target=slowloris, args=(port, stop, 1100))
        attacker.start()
        try:
            time.sleep(3)  # the attack's connections open
            statuses = []
            for _ in range(30):
                statuses.append(get(port, path))
                time.sleep(0.05)
        finally:
            stop.set()
            attacker.join(timeout=30)
    assert statuses == [200] * 30


def test_past_max_connections_the_longest_idle_one_is_closed() -> None:
    with serving("mock", "--max-connections", "10") as (port, path):
        idle = [socket.create_connection((HOST, port)) for _ in range(30)]
        time.sleep(0.5)
        assert [get(port, path) for _ in range(5)] == [200] * 5
        closed = 0
        for sock in idle:
            sock.settimeout(2)
            with contextlib.suppress(OSError):
                closed += sock.recv(1) == b""
            sock.close()
    assert closed >= 20  # at most 10 stay open


def test_a_trailer_never_reaches_the_upstream_as_a_header() -> None:
    with (
        ServerThread(echo_app()) as echo,
        server("contract_proxy", "--upstream", echo.url) as proxy,
    ):
        with socket.create_connection((HOST, proxy)) as sock:
            sock.sendall(
                b"POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                b"Trailer: Authorization\r\nConnection: close\r\n\r\n"
                b"3\r\nabc\r\n0\r\nAuthorization: Bearer from-the-trailer\r\n\r\n"
            )
            status, _, body = answer(sock)
    seen = json.loads(body)
    assert status == 200 and seen["body"] == "abc"
    assert "authorization" not in {name for name, _ in seen["headers"]}, seen["headers"]


def test_vary_is_not_doubled_through_the_proxy() -> None:
    with serving("proxy") as (port, path):
        with socket.create_connection((HOST, port)) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:3000\r\n"
                "Cookie: session=1\r\nConnection: close\r\n\r\n".encode()
            )
            _, headers, _ = answer(sock)
    assert headers["vary"] == "origin"  # (header lines read lower-cased) once, not "origin, origin"
