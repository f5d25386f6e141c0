"""Who may call the native API: ConnectWise API keys and a clientId, checked before any handler runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from cwmock.emulator.http.responses import emulator_error_response, error_response
from cwmock.emulator.journal.request_state import annotate
from cwmock.emulator.model.errors import EmulatorError
from cwmock.emulator.model.store import Store, Tenant
from cwmock.emulator.native.auth import AuthError, parse_basic, require_client_id

Handler = Callable[[Request], Awaitable[Response]]
TenantHandler = Callable[[Request, Tenant], Awaitable[Response]]


class ApiKeyGuard:
    """Wraps native handlers: they run only for valid API keys, with the tenant the keys open."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(self, handler: TenantHandler) -> Handler:
        """`handler` behind the API-key check; model errors become ConnectWise error bodies."""

        async def endpoint(request: Request) -> Response:
            try:
                require_client_id(request.headers)
                creds = parse_basic(request.headers)
            except AuthError as exc:
                return error_response(401, "Unauthorized", str(exc))
            tenant = self.store.authenticate(creds.company, creds.public_key, creds.private_key)
            if tenant is None:
                return error_response(401, "Unauthorized", "the company id or API keys are not valid")
            annotate(request, tenant=tenant.credentials.company)
            try:
                return await handler(request, tenant)
            except EmulatorError as exc:
                return emulator_error_response(exc)

        return endpoint
