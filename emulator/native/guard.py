"""Who may call the native API: ConnectWise API keys and a clientId, checked before any handler runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from cwmock.emulator.http.responses import emulator_error_response, error_response, rate_limited_response
from cwmock.emulator.journal.request_state import annotate
from cwmock.emulator.model.errors import EmulatorError
from cwmock.emulator.model.instances import Instance, InstanceRegistry
from cwmock.emulator.model.store import Store, Tenant
from cwmock.emulator.native.auth import AuthError, parse_basic, require_client_id
from cwmock.emulator.native.rate_budget import RateBudget

Handler = Callable[[Request], Awaitable[Response]]
TenantHandler = Callable[[Request, Tenant], Awaitable[Response]]


class ApiKeyGuard:
    """Wraps native handlers: they run only for valid API keys, with the tenant the keys open, within its member's
    rate budget (when there is one).

    Bad credentials answer 401, or 404 with `bad_credentials_status=404`, as a cloud site may (PSA Developer Guide,
    "HTTP Response Statuses": "Are you getting a 404 error ... on cloud? You may have incorrect authentication"):
    the 404 is the one an unknown path gets, so a client cannot tell them apart either.
    """

    def __init__(
        self,
        store: Store,
        bad_credentials_status: int = 401,
        budget: RateBudget | None = None,
        registry: InstanceRegistry | None = None,
    ) -> None:
        self.store = store
        self.bad_credentials_status = bad_credentials_status
        self.budget = budget
        self.registry = registry

    def refuse(self, request: Request, reason: str) -> Response:
        """The answer to credentials that open nothing."""
        if self.bad_credentials_status == 404:
            return error_response(404, "NotFound", f"{request.method} {request.url.path}: Not Found")
        return error_response(401, "Unauthorized", reason)

    def __call__(self, handler: TenantHandler) -> Handler:
        """`handler` behind the API-key check; model errors become ConnectWise error bodies."""

        async def endpoint(request: Request) -> Response:
            try:
                client_id = require_client_id(request.headers)
                creds = parse_basic(request.headers)
            except AuthError as exc:
                return self.refuse(request, str(exc))
            tenant = self.store.authenticate(creds.company, creds.public_key, creds.private_key)
            if tenant is None:
                return self.refuse(request, "the company id or API keys are not valid")
            annotate(request, tenant=tenant.credentials.company)
            subject = self.subject(tenant, client_id)
            if subject is not None:
                annotate(request, instance=subject.id)
            if self.budget is not None:
                retry_after = self.budget.take((tenant.credentials.key, tenant.credentials.member))
                if retry_after is not None:
                    return rate_limited_response(retry_after)
            try:
                return await handler(request, tenant)
            except EmulatorError as exc:
                return emulator_error_response(exc)

        return endpoint

    def subject(self, tenant: Tenant, client_id: str) -> Instance | None:
        """The native-API subject registered for this tenant and clientId, if any."""
        return None if self.registry is None else self.registry.by_client(tenant.credentials.company, client_id)
