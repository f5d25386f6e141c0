"""In-process transport faults: httpx calls to a fake host go into an ASGI app, some failing like a network would.

A respx route catches every call whose URL starts with `base_url` and forwards it to the app through
`httpx.ASGITransport`; the faults (scoped like the emulator's HTTP faults: path glob or regex, method, times/after,
probability with a seed) turn chosen calls into `httpx.ConnectError`, `httpx.ReadTimeout` or
`httpx.RemoteProtocolError`. Calls to other hosts pass through to the real network. Faulted calls are still
forwarded with a `cwmock-network-fault` header, so the emulator journals them as faulted; a `connect_error` is
journalled there but not served (the request never arrived). Async clients only: the forwarding is async.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import httpx
import respx
from starlette.types import ASGIApp

from cwmock.emulator.faults.kinds import NETWORK_FAULT_HEADER
from cwmock.emulator.faults.registry import FaultRegistry
from cwmock.emulator.faults.scope import FaultScope, PathPattern

TransportFaultKind = Literal["connect_error", "read_timeout", "remote_protocol_error"]
TRANSPORT_ERRORS: dict[TransportFaultKind, type[httpx.TransportError]] = {
    "connect_error": httpx.ConnectError,
    "read_timeout": httpx.ReadTimeout,
    "remote_protocol_error": httpx.RemoteProtocolError,
}
DEFAULT_BASE_URL = "http://cwmock.test"


@dataclass
class TransportFault:
    """One injected transport fault: id, kind and scope (with its `matched` and `fired` counters)."""

    id: int
    kind: TransportFaultKind
    scope: FaultScope

    def error(self, request: httpx.Request) -> httpx.TransportError:
        """The exception this fault raises for `request`."""
        message = f"{self.kind} injected by cwmock transport fault {self.id} on {request.method} {request.url.path}"
        return TRANSPORT_ERRORS[self.kind](message, request=request)


class TransportFaults:
    """Route httpx calls for `base_url` into `app` (through respx), failing those the faults pick."""

    def __init__(self, app: ASGIApp, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")
        self._transport = httpx.ASGITransport(app=app)
        self._faults: FaultRegistry[TransportFault] = FaultRegistry()

    def add(
        self,
        kind: TransportFaultKind,
        *,
        path: str = "*",
        path_regex: str | None = None,
        method: str | None = None,
        times: int | None = None,
        after: int = 0,
        probability: float | None = None,
        seed: int = 0,
    ) -> TransportFault:
        """Add a fault; by default it hits every call (scope it like an emulator HTTP fault)."""
        if kind not in TRANSPORT_ERRORS:
            raise ValueError(f"kind must be one of {', '.join(TRANSPORT_ERRORS)}, got {kind!r}")
        scope = FaultScope(PathPattern.of(path, path_regex), method, times, after, probability, seed)
        return self._faults.add(lambda fault_id: TransportFault(fault_id, kind, scope))

    def faults(self) -> list[TransportFault]:
        """Every fault, oldest first."""
        return self._faults.all()

    def remove(self, fault_id: int) -> None:
        """Remove one fault (KeyError if there is no such id)."""
        self._faults.remove(fault_id)

    def clear(self) -> None:
        """Remove every fault: calls reach the app untouched."""
        self._faults.clear()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """The respx side effect: forward `request` to the app, then raise the firing fault's error, if any."""
        await request.aread()
        fault = self._faults.first_firing(request.method, request.url.path)
        if fault is not None:
            request.headers[NETWORK_FAULT_HEADER] = fault.kind
        response = await self._transport.handle_async_request(request)
        content = await response.aread()
        if fault is not None:
            raise fault.error(request)
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)

    def install(self, router: respx.MockRouter) -> respx.Route:
        """Add the forwarding route for `base_url` to `router`."""
        return router.route(url__startswith=self.base_url).mock(side_effect=self.handle)

    @contextmanager
    def mocking(self) -> Iterator[respx.MockRouter]:
        """Within the block, calls for `base_url` go to the app (others pass through to the network)."""
        with respx.mock(assert_all_called=False) as router:
            self.install(router)
            router.route().pass_through()
            yield router
