"""The admin API's lock: with an admin token configured, every `/__admin` call must present it."""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from cwmock.emulator.http.responses import error_response

ADMIN_TOKEN_HEADER = "Authorization"


def bearer_token(headers: Headers) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = headers.get(ADMIN_TOKEN_HEADER, "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class AdminTokenGuard:
    """ASGI middleware for the `/__admin` mount: answer 401 unless `Authorization: Bearer <token>` matches."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("the admin token must not be empty")
        self.app = app
        self.token = token.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            supplied = bearer_token(Headers(scope=scope))
            if supplied is None or not hmac.compare_digest(supplied.encode("utf-8"), self.token):
                response = error_response(
                    401,
                    "Unauthorized",
                    "this emulator's admin API needs 'Authorization: Bearer <token>' with the token it was started "
                    "with (--admin-token or EmulatorConfig.admin_token)",
                    headers={"WWW-Authenticate": 'Bearer realm="cwmock-admin"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
