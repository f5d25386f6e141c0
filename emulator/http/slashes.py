"""Doubled slashes in a request path read as one, as on ConnectWise's servers.

Real responses write their links with a doubled slash (`.../apis/3.0//company/companies/132`, in the contact
PipedreamHQ/pipedream captured), and clients follow them as written, so the server must route them.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

_REPEATED = re.compile(r"/{2,}")


class CollapseSlashes:
    """ASGI middleware: `//` (or more) in a path under `prefix` (the native API root) becomes `/` before routing.

    Only under `prefix`: a path that collapses into the admin API (`//__admin/reset`) must stay unrouted.
    """

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/") + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            path = _REPEATED.sub("/", scope["path"])
            if path.startswith(self.prefix):
                raw = scope.get("raw_path") or scope["path"].encode("utf-8")
                scope = {**scope, "path": path, "raw_path": re.sub(rb"/{2,}", b"/", raw)}
        await self.app(scope, receive, send)
