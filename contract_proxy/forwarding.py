"""Sending a request on to the upstream and reading its whole answer, or saying why not.

Headers pass unchanged except the hop-by-hop ones (RFC 9110 §7.6.1: `Connection` and the
headers it names, `Keep-Alive`, `Transfer-Encoding`, ...), `Host` (the upstream's) and
`Content-Length` (recomputed for the bytes sent). The answer's body is read raw: a compressed
body goes back compressed, byte for byte.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
import ssl
import sys
import zlib
from collections.abc import Coroutine
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import quote_from_bytes

import httpcore
import httpx

from contract_proxy.network import AsyncioBackend

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
Headers = list[tuple[bytes, bytes]]
POOLS = 16
URL_SAFE = "/%:@!$&'()*+,;=-._~"
# Methods sent with `Content-Length: 0` when their body is empty (as httpx sends them).
EXPECTS_BODY = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Headers  # as the upstream sent them, hop-by-hop ones removed
    body: bytes


@dataclass(frozen=True)
class Fault:
    """The upstream gave no whole answer: the proxy answers `status` in Zadig's envelope."""

    status: int  # 502 or 504; 413 for a body the proxy does not take
    reason: str

    def answer(self) -> Answer:
        message = HTTPStatus(self.status).phrase
        body = {
            "code": self.status,
            "description": self.reason,
            "extra": {},
            "message": message,
            "type": "error",
        }
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
        ]
        return Answer(self.status, headers, raw)


def end_to_end(headers: Headers, drop: frozenset[str] = frozenset()) -> Headers:
    """`headers` without the hop-by-hop ones (and those `Connection` names) and `drop`."""
    named = set()
    for name, value in headers:
        if name.lower() == b"connection":
            named |= {token.strip().lower() for token in value.decode("latin-1").split(",")}
    skip = HOP_BY_HOP | named | drop
    return [(name, value) for name, value in headers if name.decode("latin-1").lower() not in skip]


def decoded(content_encoding: str, body: bytes) -> bytes | None:
    """The body as the checks read it: gzip and deflate undone (a gateway may compress JSON
    for a browser); None for an encoding the standard library cannot read (br, zstd)."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    try:
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif coding == "deflate":
                try:
                    body = zlib.decompress(body)
                except zlib.error:  # raw deflate, as some servers send it
                    body = zlib.decompress(body, -zlib.MAX_WBITS)
            elif coding != "identity":
                return None
    except (OSError, EOFError, zlib.error):
        return None
    return body


class Upstream:
    """Pooled HTTP connections to the upstream; every exchange is bounded by `timeout` in total
    (an upstream that trickles its answer byte by byte still ends at the deadline)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base = httpx.URL(base_url)
        self.prefix = self.base.raw_path.rstrip(b"/").split(b"?", 1)[0]
        self.origin = (
            self.base.raw_scheme,
            self.base.raw_host,
            self.base.port,  # None: the scheme's own
        )
        self.host_header = self.base.netloc
        self.timeout = timeout
        # Several small pools in turn rather than one large one: httpcore's pool scans every
        # queued request against every connection at each step, a cost that grows with the
        # square of the concurrency (with one pool, 32 clients spent most of the CPU there).
        # Certificates are checked as httpx checks them: certifi's roots, or a private CA
        # named by SSL_CERT_FILE / SSL_CERT_DIR (read at start, only for an https upstream).
        tls = httpx.create_ssl_context() if self.base.scheme == "https" else None
        self.pools = [_pool(tls) for _ in range(POOLS)]
        self.turn = itertools.cycle(self.pools)

    def url(self, raw_path: bytes, query: bytes) -> httpcore.URL:
        # As sent, except bytes a URL cannot hold (non-ASCII, controls), percent-encoded.
        path = quote_from_bytes(self.prefix + raw_path, safe=URL_SAFE)
        target = path + ("?" + quote_from_bytes(query, safe=URL_SAFE + "?") if query else "")
        scheme, host, port = self.origin
        return httpcore.URL(scheme=scheme, host=host, port=port, target=target.encode("ascii"))

    async def close(self) -> None:
        for pool in self.pools:
            await pool.aclose()

    async def send(
        self, method: str, url: httpcore.URL, headers: Headers, body: bytes
    ) -> Answer | Fault:
        sent = [(b"host", self.host_header)]
        sent += end_to_end(headers, frozenset({"host", "content-length"}))
        if body or method in EXPECTS_BODY:
            sent.append((b"content-length", str(len(body)).encode()))
        try:
            exchange = _exchange(next(self.turn), method, url, sent, body)
            return await _within(self.timeout, exchange)
        except (TimeoutError, asyncio.TimeoutError, httpcore.TimeoutException):
            return Fault(504, f"the upstream gave no whole answer within {self.timeout:g} s")
        except httpcore.ConnectError as exc:
            return Fault(502, f"the upstream refused the connection ({_text(exc)})")
        except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
            return Fault(502, f"the upstream closed the connection mid-answer ({_text(exc)})")


def _pool(ssl_context: ssl.SSLContext | None) -> httpcore.AsyncConnectionPool:
    """httpcore's pool, the layer under httpx's client: the proxy wants none of a client's
    work per request (redirects, auth, cookies, default headers, URL building), so each costs
    less CPU. Not following redirects and keeping no cookies is the point: they are the
    clients' business."""
    return httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=64,
        max_keepalive_connections=8,
        keepalive_expiry=2,
        network_backend=AsyncioBackend(),
    )


async def _exchange(
    pool: httpcore.AsyncConnectionPool,
    method: str,
    url: httpcore.URL,
    headers: Headers,
    body: bytes,
) -> Answer:
    response = await pool.request(method.encode("ascii"), url, headers=headers, content=body)
    headers = end_to_end(response.headers)
    if not any(name.lower() == b"content-length" for name, _ in headers) and response.content:
        headers.append((b"content-length", str(len(response.content)).encode()))  # was chunked
    return Answer(response.status, headers, response.content)


async def _within(seconds: float, exchange: Coroutine[Any, Any, Answer]) -> Answer:
    if sys.version_info >= (3, 11):  # a deadline on this task, no extra task per exchange
        async with asyncio.timeout(seconds):
            return await exchange
    return await asyncio.wait_for(exchange, seconds)


def _text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
