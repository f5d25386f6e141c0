"""ASGI middleware that shapes emulated-API responses by the faults that fire on each request.

It sits inside the journal middleware, so every faulted response is journalled with `fault` set (the kinds that
fired, comma-separated); admin calls and `/openapi.json` are never faulted. Per request, in order: a status or
rate-limit fault answers without running the handler; malformed JSON runs the handler and cuts its body short;
latency delays the response start (emulated: the clock jumps forward, so `Date` shows the later time; real: the
event loop waits); a queued mutation is applied just before the last body bytes go out, so the next request already
sees it. A request the TCP fault proxy or an in-process transport fault marked (`cwmock-network-fault`) is
journalled with that fault too; one marked `connect_error` is journalled but neither served nor counted.
A request answered without its handler (a status or rate-limit fault, an unserved network fault) is still
attributed to the instance its `Element` token names (or the native-API subject its keys and clientId name), so the
oracle sees that instance's window was faulted.
"""

from __future__ import annotations

import asyncio
import json

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cwmock.core.clock import Clock, ManualClock
from cwmock.emulator.faults.kinds import (
    NETWORK_FAULT_HEADER,
    NETWORK_FAULT_KINDS,
    UNSERVED_NETWORK_FAULTS,
    Fault,
    HttpFaults,
    LatencyFault,
    MalformedJsonFault,
    MutateBetweenPages,
    RateLimitFault,
    StatusFault,
)
from cwmock.emulator.http.draining import Draining, draining_of
from cwmock.emulator.http.paths import is_control_path
from cwmock.emulator.http.responses import error_response, rate_limit_message, rate_limited_response
from cwmock.emulator.hub.auth import HubAuthError, parse_hub_authorization
from cwmock.emulator.hub.errors import hub_error, provider_failure, request_id_of
from cwmock.emulator.hub.routes import HUB_PREFIX
from cwmock.emulator.journal.request_state import annotate
from cwmock.emulator.model.errors import EmulatorError
from cwmock.emulator.model.instances import Instance, InstanceRegistry
from cwmock.emulator.model.store import Store
from cwmock.emulator.native.auth import AuthError, parse_basic, require_client_id

STATUS_MESSAGES = {
    500: "A timeout has occured. Please try again.",
    502: "Bad Gateway: the server received an invalid response from an upstream server.",
    503: "The service is temporarily unavailable. Please try again later.",
    504: "Gateway Timeout: the upstream server did not respond in time. Please try again.",
}
FALLBACK_GARBLE = b'[{"id":'


def fault_response(fault: Fault, path: str = "", request_id: str = "") -> Response:
    """The response a status or rate-limit fault answers with: in ConnectWise's shapes, or on a hub path in the
    platform's (docs/emulator/hub.md#errors)."""
    action = fault.action
    hub = path.startswith(HUB_PREFIX)
    if isinstance(action, RateLimitFault):
        if hub:
            # How the platform passes a provider's 429 on is undocumented (a guess): the status, Retry-After and the
            # provider's message.
            message = f"The provider (ConnectWise) answered 429: retry after {action.retry_after} seconds"
            provider = rate_limit_message(action.retry_after)
            return hub_error(429, message, request_id, provider, headers={"Retry-After": str(action.retry_after)})
        return rate_limited_response(action.retry_after)
    assert isinstance(action, StatusFault), f"{fault.kind} does not replace the response"
    if hub and action.origin == "provider":
        return provider_failure(action.status, STATUS_MESSAGES[action.status], request_id)
    if hub:
        return hub_error(action.status, f"Server Error (injected {action.status})", request_id)
    return error_response(action.status, "ConnectWiseApi", STATUS_MESSAGES[action.status])


def garble(body: bytes) -> bytes:
    """`body` cut in half, which no longer parses as JSON (a fixed broken prefix if half of it still would)."""
    cut = body[: len(body) // 2]
    try:
        json.loads(cut)
    except ValueError:
        return cut
    return FALLBACK_GARBLE


class FaultInjector:
    """Apply the registry's firing faults to each emulated-API request."""

    def __init__(
        self,
        app: ASGIApp,
        faults: HttpFaults,
        store: Store,
        clock: Clock,
        registry: InstanceRegistry | None = None,
    ) -> None:
        self.app = app
        self.faults = faults
        self.store = store
        self.clock = clock
        self.registry = registry

    def _attribute(self, scope: Scope) -> None:
        """Journal a request its handler never saw under the instance its `Element` token names, or the native-API
        subject its API keys and clientId name, if any."""
        if self.registry is None:
            return
        headers = Headers(scope=scope)
        try:
            element = parse_hub_authorization(headers).element
        except HubAuthError:
            element = None
        instance = self.registry.by_token(element) if element else self._native_subject(headers)
        if instance is not None:
            annotate(Request(scope), tenant=instance.tenant, instance=instance.id)

    def _native_subject(self, headers: Headers) -> Instance | None:
        assert self.registry is not None
        try:
            client_id = require_client_id(headers)
            creds = parse_basic(headers)
        except AuthError:
            return None
        tenant = self.store.authenticate(creds.company, creds.public_key, creds.private_key)
        return None if tenant is None else self.registry.by_client(tenant.credentials.company, client_id)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_control_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        network_fault = Headers(scope=scope).get(NETWORK_FAULT_HEADER)
        if network_fault in UNSERVED_NETWORK_FAULTS:
            # The client is told it never connected: journal the attempt as faulted, serve and count nothing.
            annotate(Request(scope), fault=network_fault)
            self._attribute(scope)
            await error_response(503, "ConnectWiseApi", f"{network_fault} injected: never served")(scope, receive, send)
            return
        fired = self.faults.firing(scope["method"], scope["path"], self.clock.now())
        kinds: list[str] = [fault.kind for fault in fired]
        if network_fault in NETWORK_FAULT_KINDS:
            kinds.append(network_fault)  # the proxy or transport will break this response on its way to the client
        if kinds:
            annotate(Request(scope), fault=",".join(kinds))
        if not fired:
            await self.app(scope, receive, send)
            return
        outgoing = send
        mutations = [f for f in fired if isinstance(f.action, MutateBetweenPages)]
        if mutations:
            outgoing = self._mutating(outgoing, mutations)
        latencies = [f.action for f in fired if isinstance(f.action, LatencyFault)]
        if latencies:
            outgoing = self._delaying(scope, outgoing, latencies)
        replacing = next((f for f in fired if isinstance(f.action, (StatusFault, RateLimitFault))), None)
        if replacing is not None:
            self._attribute(scope)
            await fault_response(replacing, scope["path"], request_id_of(Request(scope)))(scope, receive, outgoing)
        elif any(isinstance(f.action, MalformedJsonFault) for f in fired):
            await self._malformed(scope, receive, outgoing)
        else:
            await self.app(scope, receive, outgoing)

    def _mutating(self, send: Send, mutations: list[Fault]) -> Send:
        async def send_then_mutate(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                for fault in mutations:
                    self._apply(fault)
            await send(message)

        return send_then_mutate

    def _apply(self, fault: Fault) -> None:
        assert isinstance(fault.action, MutateBetweenPages)
        try:
            fault.action.mutation.apply(self.store)
        except EmulatorError as exc:
            # The page was answered already; the failure belongs in the fault's listing, not in a response.
            fault.errors.append(str(exc))

    def _delaying(self, scope: Scope, send: Send, latencies: list[LatencyFault]) -> Send:
        draining = draining_of(scope.get("app"))

        async def delay_start(message: Message) -> None:
            if message["type"] == "http.response.start":
                for latency in latencies:
                    await self._wait(latency, draining)
            await send(message)

        return delay_start

    async def _wait(self, latency: LatencyFault, draining: Draining | None) -> None:
        if latency.mode == "real":
            pause = asyncio.sleep(latency.seconds)
            await (draining.unless_stopping(pause) if draining is not None else pause)  # a stop cuts it short
        else:
            assert isinstance(self.clock, ManualClock), "the admin API accepts emulated latency on a ManualClock only"
            self.clock.elapse(latency.seconds)

    async def _malformed(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        assert start is not None, "the handler sent no response"
        body = garble(b"".join(chunks))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"content-type")]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode("latin-1"))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
