"""An emulator with every API the stack serves (native, hub, platform, admin), and a client that sees 500s as
responses, in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx
from starlette.routing import BaseRoute

from cwmock.core.clock import Clock, ManualClock
from cwmock.emulator.app import DEFAULT_START, Emulator, create_emulator
from cwmock.emulator.config import EmulatorConfig
from cwmock.emulator.model.instances import InstanceRegistry
from cwmock.emulator.model.store import Store
from cwmock.emulator.platform.routes import PlatformApi
from cwmock.testing.plugin import native_headers

NATIVE = native_headers("cwmock", "cwmock-public", "cwmock-private")
PLATFORM_AUTH = "User cwmock-user-secret, Organization cwmock-organization-secret"
CONTACTS = "/v4_6_release/apis/3.0/company/contacts"
HUB_CONTACTS = "/elements/api-v2/hubs/crm/contacts"
INSTANCES = "/elements/api-v2/instances"


def whole_emulator(config: EmulatorConfig | None = None) -> Emulator:
    """A fresh emulator on a frozen clock, serving the platform API too (without a poller behind it)."""

    def platform(store: Store, registry: InstanceRegistry, clock: Clock, cfg: EmulatorConfig) -> Sequence[BaseRoute]:
        return PlatformApi(store, registry, clock, cfg).routes()

    return create_emulator(config, ManualClock(DEFAULT_START, quiesce_timeout=0.5), extra_routes=platform)


@asynccontextmanager
async def client_of(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client; an unhandled exception comes back as the 500 a real client would get."""
    transport = httpx.ASGITransport(app=emulator.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://cw.test") as client:
        yield client


def hub_auth(token: str) -> str:
    """The hub's Authorization header for an instance token."""
    return f"{PLATFORM_AUTH}, Element {token}"
