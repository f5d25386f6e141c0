"""Route a user's httpx calls aimed at real ConnectWise / Open Connectors hosts into an in-process ASGI app.

A poller under test often has its hosts hard-coded (`https://api-na.myconnectwise.net/v4_6_release/apis/3.0/...`,
`https://api.openconnectors.ext.hana.ondemand.com/elements/api-v2/...`). Inside `HostRouter.mocking()` respx
catches every httpx call: one whose host matches a routed pattern is forwarded, method, path, query, headers and
body unchanged, to the app through `httpx.ASGITransport`; loopback calls (a served receiver or emulator) pass
through; any other host fails with respx's `AllMockedAssertionError` instead of reaching the network.

Async clients are forwarded on the caller's event loop. Sync clients (`httpx.Client`) work too: `ASGITransport`
is async-only, so a sync call runs the routing on a private event-loop thread (an anyio blocking portal, as
Starlette's `TestClient` does), started at the first sync call and stopped when the block ends.
"""

from __future__ import annotations

import fnmatch
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import httpx
import respx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp

CONNECTWISE_HOSTS = ("*.myconnectwise.net", "*.connectwisedev.com")
OPEN_CONNECTORS_HOSTS = (
    "api.openconnectors.ext.hana.ondemand.com",
    "api.openconnectors.*.ext.hana.ondemand.com",
    "api.cloud-elements.com",
    "*.cloud-elements.com",
)
DEFAULT_HOSTS = CONNECTWISE_HOSTS + OPEN_CONNECTORS_HOSTS
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# `/{codebase}/apis/3.0...`: the native API's root under any one-segment codebase.
NATIVE_ROOT = re.compile(rb"^/(?P<codebase>[^/?]+)/apis/3\.0(?=[/?]|$)")


def host_regex(patterns: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of the host globs (`*` matches any characters, dots included; case-insensitive)."""
    globs = [p.strip().lower() for p in patterns]
    if not globs or any(not g for g in globs):
        raise ValueError(f"give at least one non-empty host pattern such as '*.myconnectwise.net', got {globs!r}")
    return re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs), re.IGNORECASE)


@dataclass(frozen=True)
class RoutedHosts:
    """Hosts routed into one app; `codebase` (e.g. `v4_6_release/`) serves native paths under any codebase."""

    patterns: tuple[str, ...]
    transport: httpx.ASGITransport
    codebase: str | None = None

    def path_for(self, raw_path: bytes) -> bytes:
        """The raw path (with query) the app is asked for: the codebase segment mapped when one is set."""
        if self.codebase is None:
            return raw_path
        wanted = self.codebase.strip("/").encode()
        return NATIVE_ROOT.sub(b"/" + wanted + b"/apis/3.0", raw_path, count=1)


class _PortalRouter(respx.MockRouter):
    """A respx router whose sync path runs the (async) routing on a private event-loop thread."""

    def __init__(self, stack: ExitStack) -> None:
        super().__init__(assert_all_called=False, assert_all_mocked=True)
        self._stack = stack
        self._portal: BlockingPortal | None = None
        self._lock = threading.Lock()

    def handler(self, request: httpx.Request) -> httpx.Response:
        """Resolve a sync client's call by running the async resolution on the portal's loop."""
        with self._lock:
            if self._portal is None:
                self._portal = self._stack.enter_context(start_blocking_portal())
            portal = self._portal
        return portal.call(self.async_handler, request)


class HostRouter:
    """httpx calls to the routed hosts go into ASGI apps (through respx); loopback passes; the rest fail."""

    def __init__(
        self,
        app: ASGIApp,
        hosts: Iterable[str] = DEFAULT_HOSTS,
        *,
        codebase: str | None = None,
        pass_loopback: bool = True,
    ) -> None:
        self._routes: list[RoutedHosts] = []
        self.pass_loopback = pass_loopback
        self.router: respx.MockRouter | None = None
        self._active = False
        self.add(app, hosts, codebase=codebase)

    def add(self, app: ASGIApp, hosts: Iterable[str], *, codebase: str | None = None) -> RoutedHosts:
        """Route more hosts, into `app` (another app, e.g. a receiver, or the same one); before `mocking()`."""
        if self._active:
            raise RuntimeError("add hosts before entering mocking(), or add a respx route to .router")
        patterns = tuple(hosts)
        host_regex(patterns)  # refuse bad patterns now rather than at the first call
        routed = RoutedHosts(patterns, httpx.ASGITransport(app=app), codebase)
        self._routes.append(routed)
        return routed

    @property
    def hosts(self) -> tuple[str, ...]:
        """Every routed host pattern."""
        return tuple(p for routed in self._routes for p in routed.patterns)

    @property
    def calls(self) -> respx.models.CallList:
        """The calls routed (forwarded or passed through) in the current `mocking()` block."""
        if self.router is None:
            raise RuntimeError("no calls yet: enter mocking() first")
        return self.router.calls

    @staticmethod
    async def forward(routed: RoutedHosts, request: httpx.Request) -> httpx.Response:
        """Send `request` to the routed app and return its complete response (read, so it can leave the loop)."""
        try:
            content = request.content
        except httpx.RequestNotRead:
            content = await request.aread()
        url = request.url.copy_with(raw_path=routed.path_for(request.url.raw_path))
        forwarded = httpx.Request(request.method, url, headers=request.headers, content=content)
        response = await routed.transport.handle_async_request(forwarded)
        body = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)

    def install(self, router: respx.MockRouter) -> None:
        """Add the forwarding routes (and the loopback pass-through) to `router`."""
        for routed in self._routes:

            async def side_effect(request: httpx.Request, routed: RoutedHosts = routed) -> httpx.Response:
                return await self.forward(routed, request)

            router.route(host__regex=host_regex(routed.patterns)).mock(side_effect=side_effect)
        if self.pass_loopback:
            router.route(host__in=LOOPBACK_HOSTS).pass_through()

    @contextmanager
    def mocking(self) -> Iterator[respx.MockRouter]:
        """Within the block every httpx call (async or sync client) is routed; yields the respx router."""
        with ExitStack() as stack:
            router = _PortalRouter(stack)
            self.install(router)
            self.router = router
            self._active = True
            try:
                with router:
                    yield router
            finally:
                self._active = False
            # leaving the stack stops the portal (if a sync call started one), after respx stopped mocking
