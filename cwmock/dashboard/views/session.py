"""`/__ui/login` and `/__ui/logout`: with an admin token configured, the browser signs in once with the token and
keeps a session cookie (an HMAC of the token, HttpOnly, SameSite=Strict, limited to `/__ui`)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from cwmock.dashboard.forms import Form, FormError
from cwmock.dashboard.guard import SESSION_COOKIE, session_value, token_matches
from cwmock.dashboard.pages import Pages, failure
from cwmock.emulator.http.paths import UI_PREFIX


def _next_page(value: str | None) -> str:
    """Where to go after signing in: a dashboard page, never another site."""
    if value and value.startswith(f"{UI_PREFIX}/") and not value.startswith("//") and "\\" not in value:
        return value
    return f"{UI_PREFIX}/"


class Session:
    """The login form (shown by the guard to anyone without the token) and its actions."""

    def __init__(self, pages: Pages, token: str | None) -> None:
        self.pages = pages
        self.token = token

    async def login_page(self, request: Request, *, error: str | None = None, status: int = 200) -> Response:
        """The sign-in form; `next` is the page that was asked for."""
        wanted = request.query_params.get("next") or (request.url.path if request.method == "GET" else None)
        return self.pages.render(
            request,
            "login.html",
            title="Sign in",
            section="login",
            status=status,
            error=error,
            next_page=_next_page(wanted),
            locked=self.token is not None,
        )

    async def show(self, request: Request) -> Response:
        """GET /login."""
        return await self.login_page(request)

    async def login(self, request: Request) -> Response:
        """POST /login token=...: set the session cookie."""
        if self.token is None:
            return RedirectResponse(f"{UI_PREFIX}/", status_code=303)
        try:
            form = await Form.read(request)
            supplied = form.text("token", required=True, label="Admin token") or ""
            if not token_matches(supplied, self.token):
                raise FormError("token", "that is not the admin token this emulator was started with")
        except FormError as exc:
            message, _ = failure(exc)
            return await self.login_page(request, error=message, status=401)
        response = RedirectResponse(_next_page(form.text("next")), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            session_value(self.token),
            path=UI_PREFIX,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def logout(self, request: Request) -> Response:
        """POST /logout: forget the session cookie."""
        response = RedirectResponse(f"{UI_PREFIX}/login?notice={quote('Signed out.')}", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=UI_PREFIX)
        return response

    def routes(self) -> list[BaseRoute]:
        """Routes relative to `/__ui`."""
        return [
            Route("/login", self.show, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/logout", self.logout, methods=["POST"]),
        ]
