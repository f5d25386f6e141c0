"""The webhook receiver's model: arrivals, scripted responses, waits, recorded errors. Knows nothing of HTTP.

Thread-safe: the HTTP side may run in a server thread while a test reads and waits in its own thread/loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cwmock.core.clock import Clock
from cwmock.receiver.records import (
    DEFAULT_RESPONSE,
    Arrival,
    Delivery,
    Headers,
    ScriptedResponse,
    ScriptEntry,
    group_deliveries,
    header_values,
    scripted_response,
)
from cwmock.receiver.signatures import SIGNATURE_HEADER, SignatureStatus, SignatureVerdict, verify

Predicate = Callable[[Sequence[Arrival]], bool]
# A notification carries at most 10 events (Events Overview); 10 MiB holds one many times over (our choice).
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class RecordedError:
    """An exception raised inside the receiver while handling a request."""

    where: str
    error: BaseException

    def __str__(self) -> str:
        return f"{self.where}: {type(self.error).__name__}: {self.error}"


class ReceiverError(RuntimeError):
    """Raised in the test when something failed inside the receiver; `errors` lists every failure."""

    def __init__(self, errors: Sequence[RecordedError]) -> None:
        lines = "\n".join(f"  - {error}" for error in errors)
        super().__init__(f"{len(errors)} error(s) inside the webhook receiver:\n{lines}")
        self.errors = tuple(errors)


class ReceiverTimeout(AssertionError):
    """A wait on the receiver ran out of time; the message summarises what did arrive."""


def _summary(arrivals: Sequence[Arrival]) -> str:
    if not arrivals:
        return "nothing arrived"
    shown = ", ".join(f"#{a.seq} {a.method} {a.path} id={a.webhook_id} -> {a.status}" for a in arrivals[-5:])
    more = f" (last 5 of {len(arrivals)})" if len(arrivals) > 5 else ""
    return f"{len(arrivals)} arrival(s){more}: {shown}"


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Receiver:
    """Records every notification, answers as scripted, and lets tests query and wait."""

    def __init__(
        self,
        clock: Clock,
        signature_keys: Sequence[str] = (),
        *,
        allow_legacy_sha1: bool = False,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int) or max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be a whole number of bytes, 1 or more; got {max_body_bytes!r}")
        self.max_body_bytes = max_body_bytes
        self._clock = clock
        self._keys = tuple(signature_keys)
        self.allow_legacy_sha1 = allow_legacy_sha1
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._async_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._arrivals: list[Arrival] = []
        self._scripts: list[ScriptEntry] = []
        self._errors: list[RecordedError] = []
        # Never reused within a receiver's life, across resets too, so a late resend is never mistaken.
        self._last_seq = 0

    # -- configuration ---------------------------------------------------------------------------------------

    @property
    def signature_keys(self) -> tuple[str, ...]:
        """The keys a signature is checked against (empty: notifications are expected unsigned)."""
        with self._lock:
            return self._keys

    def set_signature_keys(self, keys: Sequence[str]) -> None:
        """Check later arrivals against `keys`; verdicts already given stay as they were."""
        if isinstance(keys, str):
            raise TypeError("signature keys must be a sequence of strings, e.g. ['key'], not one string")
        with self._lock:
            self._keys = tuple(keys)

    # -- the HTTP side calls these --------------------------------------------------------------------------

    def accept(
        self, method: str, path: str, query: str, headers: Headers, body: bytes
    ) -> tuple[Arrival, ScriptedResponse]:
        """Record one arrival, judge its signature, and take the scripted response to answer it with."""
        with self._lock:
            arrived_at = self._clock.now()
            response = self._take_response()
            verdict = self._verdict(headers, body)
            return self._record(arrived_at, method, path, query, headers, body, response.status, verdict), response

    def accept_too_large(self, method: str, path: str, query: str, headers: Headers) -> Arrival:
        """Record a notification whose body was over `max_body_bytes`: answered 413, its body not kept, no script
        used, its signature not judged (there is no body to judge it by)."""
        verdict = SignatureVerdict(SignatureStatus.INVALID, "the body was too large to keep, so not checked")
        with self._lock:
            return self._record(self._clock.now(), method, path, query, headers, b"", 413, verdict, too_large=True)

    def _record(
        self,
        arrived_at: datetime,
        method: str,
        path: str,
        query: str,
        headers: Headers,
        body: bytes,
        status: int,
        signature: SignatureVerdict,
        *,
        too_large: bool = False,
    ) -> Arrival:
        """Number and keep an arrival, and wake whoever waits (the caller holds the lock)."""
        self._last_seq += 1
        arrival = Arrival(self._last_seq, arrived_at, method, path, query, headers, body, status, signature, too_large)
        self._arrivals.append(arrival)
        self._notify()
        return arrival

    def record_error(self, where: str, error: BaseException) -> None:
        """Keep an exception raised inside the receiver so the test's next check or wait raises it."""
        with self._lock:
            self._errors.append(RecordedError(where, error))
            self._notify()

    def _verdict(self, headers: Headers, body: bytes) -> SignatureVerdict:
        values = header_values(headers, SIGNATURE_HEADER)
        if len(values) > 1:
            return SignatureVerdict(
                SignatureStatus.INVALID, f"{len(values)} {SIGNATURE_HEADER} headers; send exactly one"
            )
        header = values[0] if values else None
        return verify(header, body, self._keys, allow_legacy_sha1=self.allow_legacy_sha1)

    def _take_response(self) -> ScriptedResponse:
        if not self._scripts:
            return DEFAULT_RESPONSE
        entry = self._scripts[0]
        entry.used += 1
        if entry.remaining == 0:
            self._scripts.pop(0)
        return entry.response

    def _notify(self) -> None:
        self._changed.notify_all()
        for loop, future in self._async_waiters:
            # The loop may already be closed when its test ended early; nothing is waiting there then.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_wake, future)
        self._async_waiters.clear()

    # -- scripts ---------------------------------------------------------------------------------------------

    def script(
        self,
        status: int = 200,
        *,
        times: int = 1,
        delay: float = 0.0,
        retry_after: int | str | None = None,
        body: bytes | str | None = None,
        headers: Sequence[tuple[str, str]] = (),
    ) -> ScriptedResponse:
        """Answer the next `times` notifications (after earlier scripts) with `status`.

        `delay` is real time: the handler awaits `asyncio.sleep(delay)` before answering, to make a sender's
        HTTP timeout fire. `retry_after` adds a `Retry-After` header (seconds or an HTTP date), e.g. with 429.
        Once every script is used up, notifications are answered 200 `{}`.
        """
        if times < 1:
            raise ValueError(f"times={times}: a script must answer at least one notification")
        response = scripted_response(status, delay=delay, retry_after=retry_after, body=body, headers=headers)
        with self._lock:
            self._scripts.append(ScriptEntry(response, times))
        return response

    def scripts(self) -> list[ScriptEntry]:
        """Copies of the scripts not yet used up, in the order they will answer."""
        with self._lock:
            return [ScriptEntry(entry.response, entry.times, entry.used) for entry in self._scripts]

    def clear_scripts(self) -> None:
        """Drop every pending script: from now on notifications are answered 200 `{}`."""
        with self._lock:
            self._scripts.clear()

    # -- queries ---------------------------------------------------------------------------------------------

    def arrivals(
        self, *, webhook_id: str | None = None, since_seq: int | None = None, path: str | None = None
    ) -> list[Arrival]:
        """Arrivals in order, optionally only those with this id, with seq > `since_seq`, or on this path."""
        with self._lock:
            found = list(self._arrivals)
        if webhook_id is not None:
            found = [a for a in found if a.webhook_id == webhook_id]
        if since_seq is not None:
            found = [a for a in found if a.seq > since_seq]
        if path is not None:
            found = [a for a in found if a.path == path]
        return found

    def deliveries(self) -> list[Delivery]:
        """Arrivals grouped by `Elements-Webhook-Id`; see `Delivery.conflicting` for same id, other body."""
        return group_deliveries(self.arrivals())

    def errors(self) -> list[RecordedError]:
        """Errors recorded inside the receiver and not yet raised."""
        with self._lock:
            return list(self._errors)

    # -- lifecycle -------------------------------------------------------------------------------------------

    def take_errors(self) -> list[RecordedError]:
        """Remove and return the recorded errors (the HTTP reset reports them this way)."""
        with self._lock:
            taken, self._errors = self._errors, []
            return taken

    def check(self) -> None:
        """Raise `ReceiverError` if anything failed inside the receiver since the last check."""
        errors = self.take_errors()
        if errors:
            raise ReceiverError(errors) from errors[0].error

    def clear(self) -> None:
        """Forget arrivals and scripts (keys and recorded errors stay)."""
        with self._lock:
            self._arrivals.clear()
            self._scripts.clear()
            self._notify()

    def reset(self) -> None:
        """Forget arrivals and scripts (keys stay); then raise any error recorded before the reset."""
        self.clear()
        self.check()

    # -- waits -----------------------------------------------------------------------------------------------

    async def wait_for(self, predicate: Predicate, timeout: float) -> list[Arrival]:
        """Wait (without blocking the loop) until `predicate(arrivals)` holds; return those arrivals.

        Raises `ReceiverError` as soon as an error is recorded inside the receiver, `ReceiverTimeout` after
        `timeout` seconds.
        """
        loop = asyncio.get_running_loop()

        async def satisfied() -> list[Arrival]:
            while True:
                with self._lock:
                    self.check()
                    arrivals = list(self._arrivals)
                    if predicate(arrivals):
                        return arrivals
                    future: asyncio.Future[None] = loop.create_future()
                    self._async_waiters.append((loop, future))
                try:
                    await future
                finally:
                    with self._lock, contextlib.suppress(ValueError):
                        self._async_waiters.remove((loop, future))

        try:
            return await asyncio.wait_for(satisfied(), timeout)
        except asyncio.TimeoutError:
            raise ReceiverTimeout(self._timeout_message(timeout)) from None

    def wait_for_sync(self, predicate: Predicate, timeout: float) -> list[Arrival]:
        """Block this thread until `predicate(arrivals)` holds; for a receiver served from another thread.

        Refuses to run inside an event loop (it would stall the loop): use `await wait_for(...)` there.
        """
        self._refuse_inside_event_loop("wait_for_sync")
        satisfied: list[Arrival] = []

        def ready() -> bool:
            self.check()
            arrivals = list(self._arrivals)
            if predicate(arrivals):
                satisfied[:] = arrivals
                return True
            return False

        with self._changed:
            if not self._changed.wait_for(ready, timeout):
                raise ReceiverTimeout(self._timeout_message(timeout))
        return satisfied

    async def expect_exactly(self, count: int, timeout: float, *, quiet: float = 0.0) -> list[Arrival]:
        """Wait for `count` arrivals, then fail if more are there, or arrive within `quiet` seconds."""
        arrivals = await self.wait_for(lambda found: len(found) >= count, timeout)
        if quiet > 0:
            with contextlib.suppress(ReceiverTimeout):
                arrivals = await self.wait_for(lambda found: len(found) > count, quiet)
        return self._exactly(count, arrivals)

    def expect_exactly_sync(self, count: int, timeout: float, *, quiet: float = 0.0) -> list[Arrival]:
        """The blocking form of `expect_exactly`, for a receiver served from another thread."""
        arrivals = self.wait_for_sync(lambda found: len(found) >= count, timeout)
        if quiet > 0:
            with contextlib.suppress(ReceiverTimeout):
                arrivals = self.wait_for_sync(lambda found: len(found) > count, quiet)
        return self._exactly(count, arrivals)

    def _exactly(self, count: int, arrivals: list[Arrival]) -> list[Arrival]:
        if len(arrivals) != count:
            raise AssertionError(f"expected exactly {count} arrival(s), got {_summary(arrivals)}")
        return arrivals

    def _timeout_message(self, timeout: float) -> str:
        return f"the condition did not hold within {timeout} s; {_summary(self.arrivals())}"

    @staticmethod
    def _refuse_inside_event_loop(name: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        raise RuntimeError(f"{name} would block the running event loop; in async code use the awaitable form")
