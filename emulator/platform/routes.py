"""Open Connectors' platform API for instances (`/elements/api-v2/instances`), on the emulator's port.

`POST /instances` takes the seed's "Example JSON with Polling" body unmodified: the account secrets
(`User`, `Organization`) authenticate the call, `company` + `public.key`/`private.key` choose the tenant,
`baseUrl` is recorded and never dereferenced, `providerData` is ignored. The instance is registered in the
emulator's registry and a listener (our poller) is told, so polling starts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cwmock.core.clock import Clock
from cwmock.core.instance.config import Instance, parse_instance
from cwmock.core.instance.errors import InstanceConfigError
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.http.bodies import read_json
from cwmock.emulator.http.params import IdRoute
from cwmock.emulator.http.responses import error_status, json_response
from cwmock.emulator.hub.auth import HubAuthError, parse_hub_authorization, secrets_match
from cwmock.emulator.hub.errors import request_id_of
from cwmock.emulator.model.errors import EmulatorError, NotFound
from cwmock.emulator.model.instances import Instance as Registered
from cwmock.emulator.model.instances import InstanceRegistry
from cwmock.emulator.model.store import Store
from cwmock.emulator.platform.document import platform_document

PLATFORM_PREFIX = "/elements/api-v2"
Endpoint = Callable[[Request], Awaitable[Response]]


class InstanceListener(Protocol):
    """Who acts on instances: our poller starts, re-reads and stops polling for them."""

    def instance_created(self, registered: Registered, instance: Instance) -> None:
        """An instance was created (poll from its createdDate on)."""
        ...

    def instance_updated(self, registered: Registered, instance: Instance) -> None:
        """An instance's configuration changed (takes effect at its next window)."""
        ...

    def instance_deleted(self, instance_id: int) -> None:
        """An instance was deleted (stop polling it)."""
        ...

    def events(self, instance_id: int) -> list[dict[str, Any]]:
        """The instance's event records, as `GET /instances/{id}/events` lists them."""
        ...


def platform_error(request: Request, status: int, message: str, **extra: Any) -> Response:
    """Open Connectors' error shape, `{"requestId", "message"}` (plus details)."""
    return json_response({"requestId": request_id_of(request), "message": message, **extra}, status=status)


def _problems_response(request: Request, error: InstanceConfigError) -> Response:
    problems = [{"key": p.pointer, "problem": p.problem} for p in error.problems]
    return platform_error(request, 400, str(error), problems=problems)


class PlatformApi:
    """`/instances`: create, read, patch, delete, and list an instance's events."""

    def __init__(
        self,
        store: Store,
        registry: InstanceRegistry,
        clock: Clock,
        config: EmulatorConfig,
        listener: InstanceListener | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.clock = clock
        self.config = config
        self.listener = listener

    def _authenticated(self, endpoint: Endpoint) -> Endpoint:
        async def wrapped(request: Request) -> Response:
            try:
                creds = parse_hub_authorization(request.headers)
            except HubAuthError as exc:
                return platform_error(request, 401, f"send Authorization: User <secret>, Organization <secret> ({exc})")
            if not secrets_match(creds, self.config.user_secret, self.config.organization_secret):
                return platform_error(request, 401, "the User or Organization secret is not valid")
            try:
                return await endpoint(request)
            except InstanceConfigError as exc:
                return _problems_response(request, exc)
            except EmulatorError as exc:
                return platform_error(request, error_status(exc), exc.message)

        return wrapped

    def _stored(self, registered: Registered) -> dict[str, Any]:
        """The whole instance JSON the platform holds (secrets included: never sent back)."""
        if registered.document is None:
            raise NotFound(f"instance {registered.id} was made through /__admin, not the platform API")
        return dict(registered.document)

    def _answer(self, registered: Registered, status: int = 200) -> Response:
        return json_response(platform_document(parse_instance(self._stored(registered))), status=status)

    async def create(self, request: Request) -> Response:
        """POST /instances with the instance JSON → 201 and the platform's document of the instance."""
        body = await read_json(request, self.config.max_body_bytes)
        instance = parse_instance(body)
        configuration = instance.configuration
        tenant = self.store.authenticate(configuration.company, configuration.public_key, configuration.private_key)
        if tenant is None:
            return platform_error(
                request,
                400,
                "ConnectWise refused the credentials: configuration/company, configuration/public.key and "
                "configuration/private.key must name a tenant of the emulator and its API keys",
                problems=[
                    {"key": f"/configuration/{k}", "problem": "not accepted"}
                    for k in ("company", "public.key", "private.key")
                ],
            )
        raw = instance.to_json()
        registered = self.registry.create(
            tenant.credentials.company, instance.name, self.clock.now(), instance.tags, dict(raw["configuration"])
        )
        stored = instance.with_platform_fields(
            instance_id=registered.id, token=registered.token, created_date=registered.created
        )
        registered.document = stored.to_json()
        if self.listener is not None:
            self.listener.instance_created(registered, stored)
        return self._answer(registered, status=201)

    async def read(self, request: Request) -> Response:
        """GET /instances/{id}."""
        return self._answer(self.registry.get(request.path_params["id"]))

    async def patch(self, request: Request) -> Response:
        """PATCH /instances/{id} {"configuration": {...}}: merged, re-checked whole, effective at the next window."""
        registered = self.registry.get(request.path_params["id"])
        changes = await read_json(request, self.config.max_body_bytes)
        if not isinstance(changes, dict):
            return platform_error(request, 400, 'send {"configuration": {...keys to change...}}')
        document = self._stored(registered)
        for key, value in changes.items():
            if key == "configuration" and isinstance(value, dict):
                document["configuration"] = {**document.get("configuration", {}), **value}
            elif key in ("name", "tags"):
                document[key] = value
            else:
                return platform_error(request, 400, f"{key!r} cannot be changed; PATCH configuration, name or tags")
        instance = parse_instance(document)
        registered.document = instance.to_json()
        registered.configuration = dict(registered.document["configuration"])
        registered.name = instance.name
        registered.tags = list(instance.tags)
        if self.listener is not None:
            self.listener.instance_updated(registered, instance)
        return self._answer(registered)

    async def delete(self, request: Request) -> Response:
        """DELETE /instances/{id} → 200 {}; polling stops."""
        registered = self.registry.delete(request.path_params["id"])
        if self.listener is not None:
            self.listener.instance_deleted(registered.id)
        return json_response({})

    async def events(self, request: Request) -> Response:
        """GET /instances/{id}/events → event records with their statuses (NOTIFIED once delivered)."""
        registered = self.registry.get(request.path_params["id"])
        return json_response(self.listener.events(registered.id) if self.listener is not None else [])

    def routes(self) -> list[BaseRoute]:
        """The platform's instance routes."""
        auth = self._authenticated
        base = f"{PLATFORM_PREFIX}/instances"
        return [
            Route(base, auth(self.create), methods=["POST"]),
            IdRoute(f"{base}/{{id:int}}", auth(self.read), methods=["GET"]),
            IdRoute(f"{base}/{{id:int}}", auth(self.patch), methods=["PATCH"]),
            IdRoute(f"{base}/{{id:int}}", auth(self.delete), methods=["DELETE"]),
            IdRoute(f"{base}/{{id:int}}/events", auth(self.events), methods=["GET"]),
        ]
