"""Delivering outbox entries: one attempt per due entry, exact retry times, parking instead of dropping.

- 2xx: delivered. Anything else, a timeout or a connection error: the attempt failed.
- After attempt k fails, the next is due `base^k` seconds later (8 s, 64 s, 512 s, 4096 s, 32768 s: Open
  Connectors' schedule); a 429 or 503 with `Retry-After` is due when the receiver says instead.
- After the last retry fails the entry is parked: listed and redeliverable, never dropped.
- 410 Gone parks at once: the receiver says the endpoint is gone for good, so retrying is pointless
  (Standard Webhooks: "410 disables"); parking keeps the notification for redelivery when it is back.
- A callback host that is not loopback and not explicitly allowed is parked without any connection or DNS lookup.
- Up to `max_in_flight` attempts run at once (started oldest first, over the client's pooled keep-alive
  connections); each entry keeps its webhook id, bytes and retry schedule, and its outcome is recorded the moment
  its own attempt ends, except that acknowledgements are stored in batches (`ACK_BATCH`, and whatever is left when
  the pass ends, however it ends): a kill mid-pass resends the acknowledged notifications not yet stored, each with
  its webhook id and bytes, which receivers deduplicate as one delivery. Open Connectors promises no order between
  notifications, and neither does this poller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from cwmock.core.clock import Clock
from cwmock.core.validation import MAX_DURATION_SECONDS, shift
from cwmock.poller.egress import egress_refusal
from cwmock.poller.keepalive import KeepAliveTransport
from cwmock.poller.state import OutboxEntry, PollerState

CrashHook = Callable[[str], None]
RETRY_AFTER_STATUSES = (429, 503)
DEFAULT_MAX_IN_FLIGHT = 8
MAX_IN_FLIGHT_LIMIT = 64  # the command line's bound: more would only open more connections to one receiver
# Acknowledgements stored per transaction: one each was a tenth of a burst's delivery time.
ACK_BATCH = 100


def no_crash(point: str) -> None:
    """The crash hook of a normal run: does nothing."""


@dataclass(frozen=True)
class RetryPolicy:
    """Retry k is due `base_seconds ** k` seconds after attempt k failed; `retries` retries, then park."""

    base_seconds: float = 8.0
    retries: int = 5

    def delay_after(self, failed_attempt: int) -> timedelta:
        """How long after attempt `failed_attempt` (1-based) failed the next attempt is due (36,500 days at most)."""
        try:
            seconds = self.base_seconds**failed_attempt
        except OverflowError:
            seconds = MAX_DURATION_SECONDS
        return timedelta(seconds=min(seconds, MAX_DURATION_SECONDS))

    def exhausted(self, attempts: int) -> bool:
        """Whether `attempts` attempts used up the first one and every retry."""
        return attempts > self.retries


@dataclass(frozen=True)
class AttemptResult:
    """How one attempt went."""

    delivered: bool
    status: int | None = None
    error: str = ""
    retry_after: timedelta | None = None
    park_now: bool = False


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    delivered: int = 0
    failed: int = 0
    parked: int = 0


def retry_after_value(text: str, now: datetime) -> timedelta | None:
    """A `Retry-After` value as a delay (seconds or an HTTP date), or None if empty or unreadable."""
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        # A receiver may ask for any delay; more than 36,500 days is held at that (docs/limits.md#time). Leading
        # zeros are allowed (RFC 9110 delay-seconds = 1*DIGIT), so the length that decides is of the digits after them.
        digits = text.lstrip("0") or "0"
        seconds = int(digits) if len(digits) <= 12 else MAX_DURATION_SECONDS
        return timedelta(seconds=min(seconds, MAX_DURATION_SECONDS))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return min(max(when - now, timedelta(0)), timedelta(seconds=MAX_DURATION_SECONDS)) if when.tzinfo else None


@dataclass
class Deliverer:
    """Sends due outbox entries with the exact stored headers and bytes, and records each outcome."""

    client: httpx.AsyncClient
    state: PollerState
    clock: Clock
    policy: RetryPolicy = RetryPolicy()
    allowed_hosts: tuple[str, ...] = ()
    crash: CrashHook = no_crash
    timeout: float = 2.0
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    direct: KeepAliveTransport | None = None
    """When set, attempts go straight through this transport (the client's own, `keepalive`), not httpx's client:
    the same request (the client's default headers, the entry's headers and bytes) and the same exceptions; the
    answer is read whole before `after_send` is reached (an answer that breaks off is a failed attempt either way)."""
    _acks: list[int] = field(default_factory=list, init=False, repr=False)
    _targets: dict[str, str | httpx.URL] = field(default_factory=dict, init=False, repr=False)
    """Per callback URL of this pass: the egress guard's refusal, else the URL parsed once (a burst's thousands of
    notifications share one callback)."""

    async def deliver_due(self) -> DeliveryReport:
        """Attempt every entry due now, started oldest first, at most `max_in_flight` at a time.

        Should one attempt raise (a crash hook, a bug), the others are cancelled and the error propagates: what was
        not recorded stays due, as after a crash (the acknowledgements received are stored first).
        """
        report = DeliveryReport()
        entries = self.state.iter_due(self.clock.now())
        workers = [asyncio.ensure_future(self._work(entries, report)) for _ in range(max(1, self.max_in_flight))]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            self.store_acks()
        return report

    async def _work(self, entries: Iterator[OutboxEntry], report: DeliveryReport) -> None:
        """Take the next entry until none is left (the shared iterator hands each entry to one worker)."""
        for entry in entries:
            result = await self.attempt(entry)
            self.record(entry, result, report)

    def record(self, entry: OutboxEntry, result: AttemptResult, report: DeliveryReport) -> None:
        """Store how `entry`'s attempt went: delivered, due again later, or parked."""
        if result.delivered:
            self.crash("after_ack")
            self._acks.append(entry.number)
            if len(self._acks) >= ACK_BATCH:
                self.store_acks()
            report.delivered += 1
            return
        next_attempt = self.next_attempt(entry.attempts + 1, result)
        self.state.mark_failed(entry.number, entry.attempts + 1, next_attempt, result.error)
        if next_attempt is None:
            report.parked += 1
        else:
            report.failed += 1

    def store_acks(self) -> None:
        """Store the acknowledgements received and not yet stored, in one transaction."""
        acks, self._acks = self._acks, []
        self.state.mark_delivered_many(acks)

    def next_attempt(self, attempts: int, result: AttemptResult) -> datetime | None:
        """When to try again after `attempts` attempts, or None to park."""
        if result.park_now or self.policy.exhausted(attempts):
            return None
        delay = result.retry_after if result.retry_after is not None else self.policy.delay_after(attempts)
        return shift(self.clock.now(), delay.total_seconds())

    def _target(self, url: str) -> str | httpx.URL:
        """The egress guard's refusal of `url`, else `url` parsed (an unparsable URL is refused)."""
        target = self._targets.get(url)
        if target is None:
            refusal = egress_refusal(url, self.allowed_hosts)
            if refusal is None:
                try:
                    target = httpx.URL(url)
                except httpx.InvalidURL as error:
                    target = f"callback URL {url!r} cannot be parsed: {error}"
            else:
                target = refusal
            self._targets[url] = target
        return target

    async def attempt(self, entry: OutboxEntry) -> AttemptResult:
        """POST the entry once."""
        target = self._target(entry.url)
        if isinstance(target, str):
            return AttemptResult(False, error=target, park_now=True)
        if self.direct is not None:
            return await self._attempt_direct(self.direct, target, entry)
        request = self.client.build_request(
            "POST", target, headers=list(entry.headers), content=entry.body, timeout=self.timeout
        )
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as error:
            return _unanswered(error)
        try:
            self.crash("after_send")
            await response.aread()
        except httpx.HTTPError as error:
            return AttemptResult(False, status=response.status_code, error=f"{type(error).__name__}: {error}")
        finally:
            await response.aclose()
        return self._outcome(response.status_code, response.headers.get("retry-after", ""), response.text)

    async def _attempt_direct(self, direct: KeepAliveTransport, url: httpx.URL, entry: OutboxEntry) -> AttemptResult:
        """The attempt straight through the keep-alive transport: the client's default headers, then the entry's."""
        own = {name.lower().encode("latin-1") for name, _ in entry.headers}
        headers = [(name, value) for name, value in self.client.headers.raw if name.lower() not in own]
        headers += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in entry.headers]
        try:
            answer = await direct.exchange("POST", url, headers, entry.body, self.timeout)
        except httpx.HTTPError as error:
            return _unanswered(error)
        self.crash("after_send")
        return self._outcome(answer.status, answer.header("retry-after") or "", answer.text)

    def _outcome(self, status: int, retry_after_text: str, text: str) -> AttemptResult:
        if 200 <= status < 300:
            return AttemptResult(True, status=status)
        wait = retry_after_value(retry_after_text, self.clock.now()) if status in RETRY_AFTER_STATUSES else None
        return AttemptResult(
            False,
            status=status,
            error=f"HTTP {status}: {text[:200]}",
            retry_after=wait,
            park_now=status == 410,
        )


def _unanswered(error: httpx.HTTPError) -> AttemptResult:
    """A failed attempt that got no answer: a timeout, named, or the error as raised."""
    if isinstance(error, httpx.TimeoutException):
        return AttemptResult(False, error=f"timed out: {type(error).__name__}")
    return AttemptResult(False, error=f"{type(error).__name__}: {error}")
