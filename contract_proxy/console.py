"""The proxy console: a page at the proxy's own admin path (`/_proxy/`) listing the exchanges
and their violations live. Its files are static, shipped in the package (`console/`); the page
reads `GET /_proxy/exchanges` and resets with `POST /_proxy/reset`."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from starlette.responses import FileResponse

from contract_proxy.ledger import Violation
from contract_proxy.tokens import safe_target

STATIC = Path(__file__).with_name("console")
PAGE = "/_proxy/"
FILES = "/_proxy/console/"
EXCHANGES = "/_proxy/exchanges"
SHIPPED = frozenset(p.name for p in STATIC.iterdir())  # the only files served: no path games


def exchange_entry(
    seen: Any, status: int, operation: str | None, started: float, violations: list[Violation]
) -> dict[str, Any]:
    """One exchange as the console lists it (nothing in it carries a credential: the path's
    token is shown as $ZADIG_TOKEN, and the violations are already scrubbed)."""
    return {
        "time": time.strftime("%H:%M:%S", time.localtime()),
        "method": seen.method,
        "path": safe_target(seen.raw_path, seen.query),
        "status": status,
        "operation": operation,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "violations": [
            {key: value for key, value in asdict(v).items() if key not in ("method", "path")}
            for v in violations
        ],
    }


async def serve(proxy: Any, scope: dict[str, Any], receive: Any, send: Any) -> bool:
    # `proxy`: app.Proxy (its ledger and upstream); not imported, app imports this module.
    """The console's page, files and data; False for any other path (forwarded upstream)."""
    path, method = scope["path"], scope["method"]
    if method not in ("GET", "HEAD"):
        return False
    if path == PAGE or (path.startswith(FILES) and path[len(FILES) :] in SHIPPED):
        name = path[len(FILES) :] if path != PAGE else "index.html"
        await FileResponse(STATIC / name, headers={"cache-control": "no-cache"})(
            scope, receive, send
        )
    elif path == EXCHANGES:
        await _json(send, snapshot(proxy))
    else:
        return False
    return True


def snapshot(proxy: Any) -> dict[str, Any]:
    ledger = proxy.ledger
    return {
        "upstream": proxy.upstream_base,
        "exchanges": ledger.exchanges,
        "unchecked": ledger.unchecked,
        "violations": len(ledger.violations) + ledger.not_kept,
        "recent": list(ledger.recent),
    }


async def _json(send: Any, data: Any) -> None:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
