"""Build a fresh emulator world: store, clock, instance registry, journal, and the Starlette app serving them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from cwmock.core.clock import Clock, ManualClock
from cwmock.emulator.admin.clock import AdminClock
from cwmock.emulator.admin.contacts import AdminContacts
from cwmock.emulator.admin.faults import AdminFaults
from cwmock.emulator.admin.guard import AdminTokenGuard
from cwmock.emulator.admin.inspection import AdminInspect
from cwmock.emulator.admin.paging import AdminHubPaging
from cwmock.emulator.admin.sockets import AdminSocketFaults
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.faults.kinds import HttpFaults
from cwmock.emulator.faults.middleware import FaultInjector
from cwmock.emulator.faults.sockets import SocketFaults
from cwmock.emulator.http.date_header import ClockDateHeader
from cwmock.emulator.http.draining import Draining
from cwmock.emulator.http.paths import ADMIN_PREFIX, OPENAPI_PATH
from cwmock.emulator.http.responses import error_response, json_response
from cwmock.emulator.http.slashes import CollapseSlashes
from cwmock.emulator.http.wire import RenderedContacts
from cwmock.emulator.hub.errors import hub_error, request_id_of
from cwmock.emulator.hub.paging import PagingSwitch
from cwmock.emulator.hub.routes import HUB_PREFIX, HubApi
from cwmock.emulator.journal.middleware import JournalRecorder
from cwmock.emulator.journal.ring import Journal
from cwmock.emulator.journal.subjects import SubjectLog
from cwmock.emulator.model.instances import InstanceRegistry
from cwmock.emulator.model.reference_data import ReferenceData
from cwmock.emulator.model.store import Store
from cwmock.emulator.native.routes import NativeApi
from cwmock.emulator.openapi.document import openapi_document

DEFAULT_START = datetime(2026, 1, 1, tzinfo=timezone.utc)

HTTP_ERROR_CODES = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed"}


async def http_error(request: Request, exc: Exception) -> Response:
    """Routing errors (404, 405, ...) in ConnectWise's error shape (Open Connectors' under the hub)."""
    assert isinstance(exc, HTTPException), "registered for HTTPException only"
    code = HTTP_ERROR_CODES.get(exc.status_code, "InvalidObject")
    message = f"{request.method} {request.url.path}: {exc.detail}"
    if request.url.path.startswith(HUB_PREFIX):  # the hub answers in Open Connectors' shape, even when unrouted
        response = hub_error(exc.status_code, message, request_id_of(request))
        response.headers.update(exc.headers or {})
        return response
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    """An unexpected failure, as ConnectWise words it (the platform under the hub); the emulator's own bugs must
    still show as 500s."""
    message = f"internal error in the emulator: {type(exc).__name__}: {exc}"
    if request.url.path.startswith(HUB_PREFIX):
        return hub_error(500, message, request_id_of(request))
    return error_response(500, "ConnectWiseApi", message)


@dataclass
class Emulator:
    """One emulated world: configuration, clock, store, instances, journal and the ASGI app serving them."""

    config: EmulatorConfig
    clock: Clock
    store: Store
    registry: InstanceRegistry
    journal: Journal
    app: Starlette
    faults: HttpFaults
    hub_paging: PagingSwitch
    # The TCP fault proxy's faults (`/__admin/socket-faults`); a `TcpFaultProxy(..., faults=...)` serves them.
    socket_faults: SocketFaults = field(default_factory=SocketFaults)


ExtraRoutes = Callable[[Store, InstanceRegistry, Clock, EmulatorConfig], Sequence[BaseRoute]]


def create_emulator(
    config: EmulatorConfig | None = None, clock: Clock | None = None, extra_routes: ExtraRoutes | None = None
) -> Emulator:
    """A new emulator with its own state; a frozen `ManualClock` at 2026-01-01T00:00:00Z unless given one.

    `extra_routes` adds routes served on the same port over the same state (e.g. the platform API).
    """
    config = config if config is not None else EmulatorConfig()
    clock = clock if clock is not None else ManualClock(DEFAULT_START)
    store = Store(
        clock,
        config.tenants,
        ReferenceData.load(config.reference_fixture),
        config.first_id,
        contact_date_entered=config.contact_date_entered,
        patch_reference_paths=config.patch_reference_paths,
        subsecond_stamps=config.subsecond_stamps,
    )
    registry = InstanceRegistry(seed=config.instance_seed)
    journal = Journal(config.journal_capacity, SubjectLog(config.request_log_capacity))
    faults = HttpFaults(store.stamp_policy)
    hub_paging = PagingSwitch(config.hub_paging)
    rendered = RenderedContacts(store.reference)  # one cache of wire JSON for both APIs: a version renders once
    socket_faults = SocketFaults(clock)
    admin_routes = [
        *AdminClock(clock).routes(),
        *AdminContacts(store, config.fixtures_dir).routes(),
        *AdminInspect(store, registry, journal, clock).routes(),
        *AdminFaults(faults, store, clock).routes(),
        *AdminHubPaging(hub_paging).routes(),
        *AdminSocketFaults(socket_faults).routes(),
    ]
    document = openapi_document(config)

    async def openapi(request: Request) -> Response:
        return json_response(document)

    admin_guard = [Middleware(AdminTokenGuard, token=config.admin_token)] if config.admin_token else None
    app = Starlette(
        routes=[
            # The hub's two routes first: Starlette tries routes in order, and a hub page (a poller's every request)
            # would otherwise be matched against the native API's forty first. The paths never overlap.
            *HubApi(store, registry, config, hub_paging, rendered).routes(),
            *NativeApi(store, config, registry, rendered).routes(),
            *(extra_routes(store, registry, clock, config) if extra_routes is not None else ()),
            Mount(ADMIN_PREFIX, routes=admin_routes, middleware=admin_guard),
            Route(OPENAPI_PATH, openapi, methods=["GET"]),
        ],
        middleware=[
            Middleware(CollapseSlashes, prefix=f"/{config.codebase}apis/3.0"),
            Middleware(ClockDateHeader, now=store.server_now),
            Middleware(JournalRecorder, store=store, journal=journal),
            Middleware(FaultInjector, faults=faults, store=store, clock=clock, registry=registry),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    app.state.draining = Draining()  # set by the server as it stops: long-polls and real latency answer at once
    return Emulator(
        config=config,
        clock=clock,
        store=store,
        registry=registry,
        journal=journal,
        app=app,
        faults=faults,
        hub_paging=hub_paging,
        socket_faults=socket_faults,
    )


def create_app(config: EmulatorConfig | None = None, clock: Clock | None = None) -> Starlette:
    """Just the ASGI app of a new emulator (see `create_emulator` to reach its store and clock)."""
    return create_emulator(config, clock).app
