"""The mock console: a page for people, served at the mock's root (to a browser) and under
`/_mock/console/`. Its files are static, shipped in the package (`console/`: HTML, CSS, JS, no
build step); the page drives the mock through the admin API only, so that it shows the shared
state of a team mock whichever process serves it."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse, RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

STATIC = Path(__file__).with_name("console")
PAGE = "index.html"


class Console:
    """Serves the console's files before the admin token is asked for: they hold no state and
    no secret (the page asks for the token itself). Anything else goes on, so that an API client
    asking the root for JSON still gets the 404 envelope."""

    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.base = f"{prefix}/console"
        self.files = StaticFiles(directory=STATIC)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path = scope["path"]
            if path == "/" and wants_html(scope):
                await FileResponse(STATIC / PAGE, headers=NO_CACHE)(scope, receive, send)
                return
            if path in (self.base, self.base + "/"):
                await RedirectResponse("/", status_code=307)(scope, receive, send)
                return
            if path.startswith(self.base + "/"):
                await self.files({**scope, "root_path": self.base}, receive, send)
                return
        await self.app(scope, receive, send)


NO_CACHE = {"cache-control": "no-cache"}


def wants_html(scope: Scope) -> bool:
    """A browser navigating (Accept names text/html); API clients ask for JSON or anything."""
    for name, value in scope["headers"]:
        if name == b"accept":
            return b"text/html" in value
    return False
