"""One poller window: poll every resource, commit cursor + seen versions + notifications in one transaction,
then deliver whatever the outbox has due. The same engine runs in-process, as `cwmock poller once`, and under
`cwmock poller run`."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx

from cwmock.core.clock import Clock
from cwmock.core.instance.config import Instance
from cwmock.core.instance.resources import ResourcePoller
from cwmock.poller.classification import FoundVersion, ParsedDates, SkippedRecord, read_version, record_text
from cwmock.poller.delivery import (
    DEFAULT_MAX_IN_FLIGHT,
    CrashHook,
    Deliverer,
    DeliveryReport,
    RetryPolicy,
    no_crash,
)
from cwmock.poller.hub_client import DEFAULT_PAGE_SIZE, HubClient, HubError, HubResult
from cwmock.poller.keepalive import KeepAliveTransport
from cwmock.poller.notifications import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_COMPANY_ID,
    DEFAULT_USER_ID,
    MAX_EVENTS,
    InstanceIdentity,
    chunks,
    event_id,
    notification_body,
)
from cwmock.poller.signing import SIGNATURE_HEADER, signature_header
from cwmock.poller.state import NewNotification, PollerState, StateTransaction
from cwmock.poller.windowing import DEFAULT_OVERLAP, WindowBounds, window_bounds

LOG = logging.getLogger("cwmock.poller")
WEBHOOK_ID_HEADER = "Elements-Webhook-Id"
DEFAULT_HUB_TIMEOUT = 20.0
CRASH_POINTS = ("after_fetch", "after_commit", "after_send", "after_ack")


RawMode = Literal["page", "chunk"]
RAW_MODES: tuple[RawMode, ...] = ("page", "chunk")
# With no `pageSize` in the instance: under raw `page` every notification repeats the page its events came from, so a
# page of one notification's events (each notification carries its page once); a page of 1,000 sent the same
# 1,000 records (2 MB) in each of its 100 notifications (docs/reference-poller.md#notification-format).
# Under raw `chunk` a notification carries only its events' records, and the hub's largest page saves round trips.
DEFAULT_PAGE_SIZES: dict[RawMode, int] = {"page": MAX_EVENTS, "chunk": DEFAULT_PAGE_SIZE}
# A window's notifications are written this many body bytes at a time as its pages arrive: a statement per
# notification handed the interpreter lock to the emulator's thread at each one when served in-process
# (docs/benchmarks.md#poller-burst-session-6), and the window's memory stays bounded by this, not by the burst.
WRITE_BATCH_BYTES = 4 * 2**20
HttpTransport = Literal["httpx", "keepalive"]
HTTP_TRANSPORTS: tuple[HttpTransport, ...] = ("httpx", "keepalive")


class PollerSetupError(ValueError):
    """The instance or the state directory cannot be polled as given; the message says what to fix."""


@dataclass(frozen=True)
class EngineSettings:
    """How the engine polls and delivers."""

    strict: bool = False
    overlap: timedelta = DEFAULT_OVERLAP
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    http_timeout: float = 2.0
    hub_timeout: float = DEFAULT_HUB_TIMEOUT
    allowed_hosts: tuple[str, ...] = ()
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    raw: RawMode = "page"
    """`page`: raw is the hub page(s) the events came from, repeated in each notification of a split, as the platform
    sends it (Open Connectors, Events Overview); `chunk`: raw is exactly the events' records, in their order."""
    account_id: int = DEFAULT_ACCOUNT_ID
    company_id: int = DEFAULT_COMPANY_ID
    user_id: int = DEFAULT_USER_ID
    http_transport: HttpTransport = "httpx"
    """`httpx`: httpx's own transport (httpcore), which respx can route in-process; `keepalive`: the lean pooled
    HTTP/1.1 transport (`cwmock.poller.keepalive`), what `cwmock poller once/run` use: the same requests and errors,
    a fraction of the Python per request."""


@dataclass
class ResourceReport:
    """What one window did for one resource."""

    resource: str
    bounds: WindowBounds | None = None
    complete: bool = False
    served: int = 0
    new: int = 0
    notifications: int = 0
    skipped: list[SkippedRecord] = field(default_factory=list)
    error: str = ""


@dataclass
class WindowReport:
    """What one window did."""

    poll_date: datetime
    resources: list[ResourceReport] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    next_due: datetime | None = None

    def summary(self) -> str:
        """One line for logs and the harness's detail."""
        parts = [f"poll {self.poll_date.isoformat()}"]
        for r in self.resources:
            state = "complete" if r.complete else f"incomplete ({r.error})"
            parts.append(f"{r.resource}: {state}, {r.served} served, {r.new} new, {r.notifications} notification(s)")
        d = self.delivery
        parts.append(f"delivered {d.delivered}, failed {d.failed}, parked {d.parked}")
        return "; ".join(parts)


@dataclass
class _Fetched:
    """One resource's part of a window: versions as its pages arrive, turned into notifications in the window's
    transaction as soon as the poll date they carry is known, so the window never holds every record it read."""

    resource: ResourcePoller
    report: ResourceReport
    bounds: WindowBounds
    whole_pages: bool
    """Under raw `page`: each notification carries every record of the pages its events came from."""
    seen: set[tuple[str, str]] | None = None
    """The versions remembered before this window and those kept since (de-duplicating bounds only)."""
    served_at: datetime | None = None
    """The server time of this resource's first response."""
    found: list[tuple[FoundVersion, int]] = field(default_factory=list)
    """Read, not yet selected (until the poll date is known), each with the page it came from."""
    kept: list[tuple[FoundVersion, int]] = field(default_factory=list)
    """Selected, not yet in a notification, each with the page it came from."""
    pages: dict[int, list[str]] = field(default_factory=dict)
    """Under raw `page`: every record object of each hub page still needed, as JSON text."""
    page_count: int = 0
    ready: list[NewNotification] = field(default_factory=list)
    """Made, not yet written (written `WRITE_BATCH_BYTES` at a time)."""
    ready_bytes: int = 0
    remembered: list[tuple[str, str, datetime]] = field(default_factory=list)
    """The versions of `ready`, to remember with them (de-duplicating bounds only)."""
    done: bool = False
    """Whether its end was written (its last notification, its cursor)."""

    def raw_of(self, group: Sequence[tuple[FoundVersion, int]]) -> list[str] | None:
        """The raw records of `group`: every record of the pages they came from (None: their own)."""
        if not self.whole_pages:
            return None
        return [text for page in sorted({page for _, page in group}) for text in self.pages[page]]

    def release(self) -> None:
        """Forget the pages no waiting version needs (pages come in order, and versions keep it)."""
        waiting = self.kept[:1] or self.found[:1]
        first = waiting[0][1] if waiting else self.page_count
        for page in [page for page in self.pages if page < first]:
            del self.pages[page]


def not_emulated_lines(instance: Instance) -> list[str]:
    """One line per resource naming the documented keys it was given that the reference poller keeps but does not
    emulate (docs/reference-poller.md#instance-keys)."""
    return [
        f"instance {instance.id}, resource {r.name}: {', '.join(r.not_emulated)} kept but not emulated "
        "(docs/reference-poller.md#instance-keys)"
        for r in instance.configuration.resources
        if r.not_emulated
    ]


def _whole_second(instant: datetime) -> datetime:
    return instant.replace(microsecond=0)


def _poll_date(served_at: datetime | None, now: datetime) -> datetime:
    """The window's time: the server's (the first complete resource's first answer), never after our clock's."""
    return _whole_second(min(served_at, now) if served_at is not None else now)


class PollerEngine:
    """The reference poller for one instance and one state directory."""

    def __init__(
        self,
        instance: Instance,
        *,
        hub_url: str,
        hub_auth: str,
        state: PollerState,
        clock: Clock,
        start: datetime,
        settings: EngineSettings | None = None,
        crash: CrashHook = no_crash,
        transport: httpx.AsyncBaseTransport | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if instance.id is None:
            raise PollerSetupError("the instance JSON has no integer `id`; give the instance as GET /instances/{id}")
        self.instance = instance
        self.instance_id = instance.id
        self.hub_url = hub_url
        self.hub_auth = hub_auth
        self.state = state
        self.clock = clock
        self.start = start
        self.settings = settings or EngineSettings()
        self.crash = crash
        self.transport = transport
        self._ssl_context = ssl_context
        self._keepalive: tuple[httpx.AsyncClient, KeepAliveTransport] | None = None
        # A window's transaction stays open while it awaits pages: no delivery pass of this engine writes meanwhile.
        self._window_lock = asyncio.Lock()
        self._check_state_owner()
        for line in not_emulated_lines(instance):
            LOG.warning("%s", line)

    def _check_state_owner(self) -> None:
        owner = self.state.meta("instance_id")
        if owner is not None and owner != str(self.instance_id):
            raise PollerSetupError(
                f"the state directory belongs to instance {owner}, not {self.instance_id}; use an empty one"
            )

    @property
    def identity(self) -> InstanceIdentity:
        """The instance as notifications name it."""
        settings = self.settings
        return InstanceIdentity(
            self.instance_id,
            self.instance.name,
            self.instance.tags,
            settings.account_id,
            settings.company_id,
            settings.user_id,
        )

    @property
    def ssl_context(self) -> ssl.SSLContext:
        """The context every window's client verifies HTTPS with: httpx's default, built once (loading the CA
        bundle took most of a window's time when each window's client built its own)."""
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context

    def _needs_tls(self) -> bool:
        """Whether this engine was given a TLS context, or its hub or callback address is HTTPS."""
        addresses = (self.hub_url, self.instance.configuration.callback_url or "")
        return self._ssl_context is not None or any(a.lower().startswith("https:") for a in addresses)

    def _client(self) -> httpx.AsyncClient:
        if self.transport is not None:
            return httpx.AsyncClient(timeout=self.settings.hub_timeout, transport=self.transport)
        if self.settings.http_transport == "keepalive":
            # Over plain HTTP no CA bundle is loaded (20 ms of each `poller once`); an HTTPS address met anyway (a
            # notification queued for an earlier callback) gets httpx's default context from the transport.
            transport = KeepAliveTransport(self.ssl_context if self._needs_tls() else None)
            client = httpx.AsyncClient(timeout=self.settings.hub_timeout, transport=transport)
            self._keepalive = (client, transport)
            return client
        return httpx.AsyncClient(timeout=self.settings.hub_timeout, verify=self.ssl_context)

    def _direct(self, client: httpx.AsyncClient) -> KeepAliveTransport | None:
        """The keep-alive transport under `client` when this engine made it so: requests through it skip httpx's
        client layers (the same requests, a fraction of the Python)."""
        return self._keepalive[1] if self._keepalive is not None and self._keepalive[0] is client else None

    async def run_window(self) -> WindowReport:
        """Poll once, then deliver what is due."""
        async with self._client() as client:
            report = await self.poll(client)
            report.delivery = await self.deliver_due(client)
        report.next_due = self.state.next_due()
        LOG.info("%s", report.summary())
        return report

    async def deliver_only(self) -> DeliveryReport:
        """Deliver what is due without polling (between polls, at retry times)."""
        async with self._client() as client:
            return await self.deliver_due(client)

    async def requeue(self, numbers: list[int] | None = None) -> int:
        """Put parked notifications (all, or those numbered) back in the queue once no window of this engine is
        writing; returns how many were queued."""
        async with self._window_lock:
            return self.state.redeliver(numbers)

    async def deliver_due(self, client: httpx.AsyncClient) -> DeliveryReport:
        """Attempt every outbox entry due now."""
        deliverer = Deliverer(
            client,
            self.state,
            self.clock,
            self.settings.retry,
            self.settings.allowed_hosts,
            self.crash,
            timeout=self.settings.http_timeout,
            max_in_flight=self.settings.max_in_flight,
            direct=self._direct(client),
        )
        async with self._window_lock:
            return await deliverer.deliver_due()

    async def poll(self, client: httpx.AsyncClient) -> WindowReport:
        """Fetch every resource and commit what the complete ones found in one transaction: written as the pages
        arrive (each resource in a savepoint, undone alone when its result cannot be read whole), committed at the
        end."""
        configuration = self.instance.configuration
        now = self.clock.now()
        if not configuration.notification_enabled or not configuration.callback_url:
            return WindowReport(_whole_second(now))
        hub = HubClient(client, self.hub_url, self.hub_auth, direct=self._direct(client))
        fetched: list[_Fetched] = []
        served_at: datetime | None = None  # the window's time: the first complete resource's served time
        waiting: list[_Fetched] = []  # complete, written once the window's time is known
        async with self._window_lock:
            with self.state.window() as tx:
                tx.set_meta("instance_id", str(self.instance_id))
                for resource in configuration.resources:
                    item = self._start(resource, now)
                    fetched.append(item)
                    # The time this resource's notifications carry, when known before its pages are read: an
                    # earlier complete resource's, else its own first response's (if it completes, that is the
                    # window's); never before a resource still waiting, which takes its numbers first.
                    try:
                        with tx.savepoint():
                            await self._fetch(hub, tx, item, now, served_at, configuration.callback_url, waiting)
                    except HubError as error:
                        item.report = ResourceReport(resource.name, error=str(error))
                        LOG.warning("%s: %s", resource.name, error)
                        continue
                    served_at = served_at or item.served_at
                    if not item.done:
                        waiting.append(item)
                # The hub's Date is server time; the earlier of it and our clock never runs ahead of the server (a
                # clock ahead of the server, or emulated latency, would otherwise skip what was written in between).
                poll_date = _poll_date(served_at, now)
                for item in waiting:
                    self._select(item, poll_date)
                    self._commit(tx, item, poll_date, now, configuration.callback_url, final=True)
                self.crash("after_fetch")
        self.crash("after_commit")
        return WindowReport(poll_date, [item.report for item in fetched])

    def _start(self, resource: ResourcePoller, now: datetime) -> _Fetched:
        # The lower bound never depends on this window's own time, so the query can be rendered first.
        bounds = window_bounds(
            resource,
            start=self.start,
            last_poll=self.state.last_poll(resource.name),
            poll_date=now,
            strict=self.settings.strict,
            overlap=self.settings.overlap,
        )
        seen = self.state.seen_keys(resource.name) if bounds.deduplicate else None
        return _Fetched(resource, ResourceReport(resource.name), bounds, self.settings.raw == "page", seen)

    async def _fetch(
        self,
        hub: HubClient,
        tx: StateTransaction,
        item: _Fetched,
        now: datetime,
        served_at: datetime | None,
        callback_url: str,
        waiting: list[_Fetched],
    ) -> None:
        """Read every page of the resource; while its poll date is known, write each full notification at once."""
        resource, report = item.resource, item.report
        rendered = resource.url.render(item.bounds.query_from, now)
        result = HubResult()
        skipped: list[SkippedRecord] = []
        parsed: ParsedDates = {}

        def write_if_dated(final: bool) -> None:
            """Write what is kept once the poll date is known and no earlier resource waits for its numbers."""
            known = served_at or result.server_date
            if known is not None and not waiting:
                poll_date = _poll_date(known, now)
                self._select(item, poll_date)
                self._commit(tx, item, poll_date, now, callback_url, final=final)

        def read_page(records: list[Any], served: list[str] | None) -> None:
            page = item.page_count
            item.page_count += 1
            texts: list[str] = []
            for at, record in enumerate(records):
                text = served[at] if served is not None else None
                version = read_version(record, resource, now, text=text, parsed=parsed)
                if isinstance(version, SkippedRecord):
                    skipped.append(version)
                    if item.whole_pages and isinstance(record, Mapping):
                        texts.append(record_text(record, text))
                else:
                    item.found.append((version, page))
                    if item.whole_pages:
                        texts.append(version.record_json)
            if item.whole_pages:
                item.pages[page] = texts
            write_if_dated(final=False)

        page_size = resource.page_size or DEFAULT_PAGE_SIZES[self.settings.raw]
        await hub.fetch_all(rendered, page_size, read_page, into=result)
        item.served_at = result.server_date
        report.complete = True
        report.served = result.served
        report.skipped = skipped
        for version in skipped:
            LOG.warning("%s: skipped record %s: %s", resource.name, version.object_id, version.reason)
        write_if_dated(final=True)

    def _select(self, item: _Fetched, poll_date: datetime) -> None:
        """Keep the versions found so far that the window's bounds keep and no earlier window delivered."""
        bounds = item.bounds.ending_at(poll_date)
        item.report.bounds = bounds
        seen = item.seen if bounds.deduplicate else None
        for version, page in item.found:
            if not bounds.keeps(version) or (seen is not None and version.key in seen):
                continue
            if seen is not None:
                seen.add(version.key)
            item.kept.append((version, page))
            item.report.new += 1
        item.found = []

    def _commit(
        self, tx: StateTransaction, item: _Fetched, poll_date: datetime, now: datetime, callback_url: str, final: bool
    ) -> None:
        """Write the kept versions' notifications, full ones only until the result's end (`final`), which also
        moves the resource's cursor."""
        resource, bounds = item.resource, item.report.bounds
        assert bounds is not None, "selection sets the bounds of every resource it writes"
        whole = len(item.kept) if final else len(item.kept) - len(item.kept) % MAX_EVENTS
        for group in chunks(item.kept[:whole]):
            versions = [version for version, _ in group]
            (number,) = tx.next_numbers(1)
            notification = self._notification(
                number, resource.name, poll_date, versions, callback_url, item.raw_of(group)
            )
            item.ready.append(notification)
            item.ready_bytes += len(notification.body)
            item.report.notifications += 1
            if bounds.deduplicate:
                item.remembered += [(v.object_id, v.stamp_text, v.stamp) for v in versions]
        del item.kept[:whole]
        item.release()
        if final or item.ready_bytes >= WRITE_BATCH_BYTES:
            tx.enqueue_many(item.ready, now)
            tx.remember(resource.name, item.remembered)
            item.ready, item.ready_bytes, item.remembered = [], 0, []
        if final:
            if bounds.deduplicate:  # what it just remembered is stamped after the lower bound: kept
                tx.forget_through(resource.name, bounds.lower)
            tx.set_last_poll(resource.name, poll_date)
            item.done = True

    def _notification(
        self,
        number: int,
        object_type: str,
        poll_date: datetime,
        group: Sequence[FoundVersion],
        url: str,
        raw: Sequence[str] | None = None,
    ) -> NewNotification:
        body = notification_body(number, self.identity, object_type, poll_date, group, raw)
        webhook_id = event_id(self.instance_id, number, poll_date)
        headers = [("Content-Type", "application/json"), (WEBHOOK_ID_HEADER, webhook_id)]
        key = self.instance.configuration.signature_key
        if key:
            headers.append((SIGNATURE_HEADER, signature_header(key, body)))
        return NewNotification(number, webhook_id, object_type, url, tuple(headers), body, len(group))
