"""The dashboard's lock: the admin API's token, and no form posted from another site.

With an admin token configured (`--admin-token`), a request needs `Authorization: Bearer <token>` (as `/__admin`
does) or the session cookie the login form sets; the cookie holds an HMAC of the token, never the token itself.
Without a token the emulator listens on loopback only (`cwmock` refuses anything else), so the dashboard answers
only requests addressed to a loopback name (a page of another site cannot reach it by rebinding a domain name), and
in every case refuses a form posted from another origin.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from cwmock.emulator.admin.guard import bearer_token
from cwmock.emulator.http.paths import UI_PREFIX

SESSION_COOKIE = "cwmock_ui"
# Reachable without the token: the login form and the stylesheet and script it uses.
OPEN_PATHS = ("/login", "/static/")
SAFE_METHODS = ("GET", "HEAD")
LOOPBACK_NAMES = ("localhost",)

LoginPage = Callable[[Request], Awaitable[Response]]


def session_value(token: str) -> str:
    """What the session cookie holds for `token`: an HMAC of it, so the cookie never carries the token."""
    return hmac.new(token.encode("utf-8"), b"cwmock dashboard session", hashlib.sha256).hexdigest()


def token_matches(supplied: str, token: str) -> bool:
    """Whether a supplied token is the admin token (compared in constant time)."""
    return hmac.compare_digest(supplied.encode("utf-8"), token.encode("utf-8"))


def authenticated(connection: HTTPConnection, token: str | None) -> bool:
    """Whether the request may use the dashboard: no token configured, the bearer token, or the session cookie."""
    if token is None:
        return True
    supplied = bearer_token(connection.headers)
    if supplied is not None and token_matches(supplied, token):
        return True
    cookie = connection.cookies.get(SESSION_COOKIE)
    return cookie is not None and hmac.compare_digest(cookie, session_value(token))


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback_host(host_header: str) -> bool:
    """Whether a `Host` header names this machine (`localhost`, 127.0.0.0/8, ::1)."""
    name = _host_name(host_header)
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def cross_site_refusal(headers: Headers, scheme: str) -> str | None:
    """Why a form post must be refused as coming from another site (None when it comes from the dashboard)."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site in ("cross-site", "same-site"):
        return f"a form posted from another site ({fetch_site}) cannot change this emulator"
    origin = headers.get("origin")
    if origin is None:
        return None
    if origin != f"{scheme}://{headers.get('host', '')}":
        return f"a form posted from {origin} cannot change this emulator; use the dashboard's own pages"
    return None


class DashboardGuard:
    """ASGI middleware for the `/__ui` mount (see the module's docstring)."""

    def __init__(self, app: ASGIApp, token: str | None, login_page: LoginPage) -> None:
        self.app = app
        self.token = token
        self.login_page = login_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        headers = request.headers
        refusal = None
        if self.token is None and not is_loopback_host(headers.get("host", "")):
            refusal = (
                "this dashboard answers only requests addressed to this machine (localhost, 127.0.0.1, [::1]); "
                "start cwmock with --admin-token to serve it under another name"
            )
        elif request.method not in SAFE_METHODS:
            refusal = cross_site_refusal(headers, scope["scheme"])
        if refusal is not None:
            await PlainTextResponse(refusal, status_code=403)(scope, receive, send)
            return
        path = scope["path"].removeprefix(UI_PREFIX)
        if authenticated(request, self.token) or path.startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        response = await self.login_page(request)
        response.status_code = 401
        await response(scope, receive, send)
