"""Which web pages may drive a server, and by which name it may be reached.

- **Host**: a server bound to a loopback address answers only requests whose `Host` is a local
  name (localhost, 127.x.x.x, [::1]), plus the names given with `--allow-host`: a page of
  another site whose name was made to resolve to 127.0.0.1 (DNS rebinding) is refused (400).
  A server bound to another address (a team mock) takes any `Host` unless names are given.
- **Origin**: a call that changes state under the admin prefix (any method but GET, HEAD and
  OPTIONS) sent by a web page is refused (403) unless the page is the server's own (a console
  it serves) or of an origin given with `--allow-origin`. Any other page is refused, a page on
  another port of this machine too (any local program can serve one). A form post needs no
  preflight, so CORS alone would not stop it; the `Origin` header a browser adds does. curl
  and scripts send no `Origin` and pass as before.
- **CORS**: the API answers any origin (a frontend on any dev server calls it); the admin API
  answers CORS only to the allowed origins, so a page of another origin cannot read the
  journal or the report.

starlette's `TrustedHostMiddleware` answers a foreign Host with a bare "Invalid host header"
that names no option; here the refusal says which names are taken and how to add one.
starlette's `CORSMiddleware` appends `Origin` to a `Vary` that already names it (an upstream's,
through the proxy); `CORS` is it, sending each name once.
"""

from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serving.refusal import envelope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HOSTS_KEPT = 64  # Host values whose verdict is remembered


class CORS(CORSMiddleware):
    """starlette's CORS, sending each name of `Vary` once."""

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        if message["type"] != "http.response.start" or not any(
            name.lower() == b"vary" for name, _ in message.get("headers", ())
        ):  # no Vary yet: starlette's names Origin once
            await super().send(message, send, request_headers)
            return

        async def once(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                names: dict[str, str] = {}
                for value in headers.getlist("Vary"):
                    for name in value.split(","):
                        names.setdefault(name.strip().lower(), name.strip())
                if names:
                    headers["Vary"] = ", ".join(names.values())
            await send(message)

        await super().send(message, once, request_headers)


def any_origin_cors(app: ASGIApp) -> ASGIApp:
    """CORS for any origin, method and header; preflights answered here, cached 10 minutes."""
    return CORS(app, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"], max_age=600)


def is_local_name(name: str) -> bool:
    name = name.lower().strip("[]")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class OriginRules:
    admin_prefix: str
    hosts: frozenset[str] | None = None  # names taken besides the local ones; None: any Host
    origins: frozenset[str] = frozenset()  # origins allowed besides the server's own
    cors: bool = True


class Origins:
    """The Host and Origin rules and CORS (see the module), in front of `app`."""

    def __init__(self, app: ASGIApp, rules: OriginRules) -> None:
        self.app = app
        self.rules = rules
        self.hosts_seen: dict[str, bool] = {}  # Host -> taken: parsing it costs more than asking
        self.api = any_origin_cors(app) if rules.cors else app
        self.admin = (
            CORS(
                app,
                allow_origins=sorted(rules.origins),
                allow_methods=["*"],
                allow_headers=["*"],
                max_age=600,
            )
            if rules.cors
            else app
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host, origin = "", None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
            elif name == b"origin":
                origin = value.decode("latin-1")
        if not self.host_taken(host):
            taken = "any local name" + "".join(f", {h}" for h in sorted(self.rules.hosts or ()))
            reason = (
                f"Host {host!r} is not a name of this server (it takes {taken}; "
                "--allow-host NAME adds one)"
            )
            await refuse(send, 400, reason)
            return
        if not scope["path"].startswith(self.rules.admin_prefix):
            await self.api(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and origin is not None:
            if not self.origin_allowed(origin, host):
                reason = (
                    f"a web page of {origin} may not call {scope['method']} "
                    f"{scope['path']} (--allow-origin {origin} allows it)"
                )
                await refuse(send, 403, reason)
                return
        await self.admin(scope, receive, send)

    def host_taken(self, host: str) -> bool:
        if self.rules.hosts is None or "*" in self.rules.hosts:
            return True
        taken = self.hosts_seen.get(host)
        if taken is None:
            name = hostname(host)
            taken = name is not None and (is_local_name(name) or name in self.rules.hosts)
            if len(self.hosts_seen) >= HOSTS_KEPT:  # many names: a client trying them
                self.hosts_seen.clear()
            self.hosts_seen[host] = taken
        return taken

    def origin_allowed(self, origin: str, host: str) -> bool:
        if origin in self.rules.origins:
            return True
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # "null" (a sandboxed page, a file), or not an origin at all
        return parts.netloc.lower() == host.lower()


def hostname(host: str) -> str | None:
    """The name in a Host header (without its port), lower-case; None if it is not one."""
    try:
        return urlsplit(f"//{host}").hostname
    except ValueError:
        return None


async def refuse(send: Send, status: int, reason: str) -> None:
    body = envelope(status, reason)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("web pages and names")
    group.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a web page of ORIGIN (e.g. http://localhost:3000) may call the admin API and "
        "read it (repeatable; the server's own pages always may)",
    )
    group.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="answer requests for Host NAME too (repeatable; '*': any). Bound to a loopback "
        "address, only local names are answered without it",
    )


def rules_from_args(args: argparse.Namespace, admin_prefix: str, cors: bool) -> OriginRules:
    return OriginRules(
        admin_prefix=admin_prefix,
        hosts=allowed_hosts(args.host, args.allow_host),
        origins=frozenset(args.allow_origin),
        cors=cors,
    )


def allowed_hosts(bound: str, given: list[str]) -> frozenset[str] | None:
    """The Host names taken besides local ones: None (any) for a server bound to a
    non-loopback address when no name is given."""
    if given:
        return frozenset(name.lower() for name in given)
    return frozenset() if is_local_name(bound) else None
