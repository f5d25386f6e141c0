"""Who waits for which emulated instant: deadlines in order, followers, and waiting for quiet after a wake.

Knows nothing of clock modes: `ManualClock` decides *when* instants are reached and calls `wake_due`;
this module keeps the queue, wakes entries in (instant, registration) order and tracks followers.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from cwmock.core.clock.errors import ClockArgumentError, QuiesceTimeoutError, require_aware

FollowerState = Literal["waiting", "running", "detached"]
OnReached = Callable[[datetime], None]


class Follower:
    """A task or external process that `advance` waits for after waking it, until it waits again or detaches.

    States: ``waiting`` (has a clock wait registered: quiet), ``running`` (woken or new, not waiting yet:
    `advance` waits for it) and ``detached`` (gone: ignored). An in-process follower comes from
    `ManualClock.follower(name)`; an external one is created by its first `wait_until(..., follower=name)`
    long-poll and stays attached until `ManualClock.detach(name)`.
    """

    def __init__(self, name: str, scheduler: DeadlineScheduler, *, external: bool) -> None:
        self.name = name
        self.external = external
        self._scheduler = scheduler
        self._waits = 0
        self._detached = False

    @property
    def state(self) -> FollowerState:
        """`waiting`, `running` or `detached`."""
        if self._detached:
            return "detached"
        return "waiting" if self._waits > 0 else "running"

    @property
    def quiesced(self) -> bool:
        """Whether `advance` may move on without this follower (it waits on the clock, or is detached)."""
        return self.state != "running"

    def now(self) -> datetime:
        """The clock's current instant (at a wake: exactly the deadline that woke this follower)."""
        return self._scheduler.now()

    async def sleep_until(self, deadline: datetime) -> None:
        """Wait until the clock reaches `deadline`; registering it tells `advance` this follower is done."""
        if self._detached:
            raise ClockArgumentError(f"follower {self.name!r} is detached; open a new clock.follower(...)")
        if self._waits and not self.external:
            raise ClockArgumentError(f"follower {self.name!r} is already waiting; one wait at a time")
        await self._scheduler.wait(require_aware(deadline), follower=self)

    def _detach(self) -> None:
        self._detached = True


class _Entry:
    """One registered instant: a sleeper's future, or a bare deadline marker with an optional callback."""

    __slots__ = ("cancelled", "follower", "future", "instant", "on_reached", "resumed", "woken")

    def __init__(
        self,
        instant: datetime,
        future: asyncio.Future[None] | None,
        follower: Follower | None,
        on_reached: OnReached | None,
    ) -> None:
        self.instant = instant
        self.future = future
        self.follower = follower
        self.on_reached = on_reached
        self.cancelled = False
        self.woken = False
        self.resumed = False


class DeadlineHandle:
    """A deadline registered with `ManualClock.register_deadline`; `advance` stops at it until cancelled."""

    def __init__(self, entry: _Entry) -> None:
        self._entry = entry

    @property
    def instant(self) -> datetime:
        """The registered instant."""
        return self._entry.instant

    @property
    def reached(self) -> bool:
        """Whether the clock has reached the instant (the callback, if any, has run)."""
        return self._entry.woken

    def cancel(self) -> None:
        """Withdraw the deadline; harmless once reached."""
        self._entry.cancelled = True


class DeadlineScheduler:
    """The queue of registered instants of one clock, its followers, and the quiesce wait."""

    def __init__(self, now: Callable[[], datetime], on_registered: Callable[[datetime], None]) -> None:
        self.now = now
        self._on_registered = on_registered
        self._heap: list[tuple[datetime, int, _Entry]] = []
        self._sequence = itertools.count()
        self._followers: dict[str, Follower] = {}
        self._watchers: list[asyncio.Future[None]] = []

    def earliest(self) -> datetime | None:
        """The earliest instant still registered, or None."""
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def add_marker(self, instant: datetime, on_reached: OnReached | None) -> DeadlineHandle:
        """Register a bare deadline; one already reached is reached at once (its callback runs now)."""
        entry = _Entry(instant, None, None, on_reached)
        if instant <= self.now():
            entry.woken = True
            if on_reached is not None:
                on_reached(instant)
        else:
            self._push(entry)
        return DeadlineHandle(entry)

    async def wait(self, instant: datetime, *, follower: Follower | None, timeout: float | None = None) -> bool:
        """Sleep until `instant` is reached (True) or `timeout` real seconds pass (False)."""
        if instant <= self.now():
            await asyncio.sleep(0)
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = _Entry(instant, future, follower, None)
        if follower is not None:
            follower._waits += 1
        self._push(entry)
        self._notify()
        try:
            if timeout is None:
                await future
            else:
                await asyncio.wait({future}, timeout=timeout)
            return entry.woken
        finally:
            if not entry.woken:
                entry.cancelled = True
                if follower is not None:
                    follower._waits -= 1
            entry.resumed = True
            self._notify()

    def wake_due(self, upto: datetime) -> list[_Entry]:
        """Wake every entry at or before `upto`, in (instant, registration) order; return them."""
        woken: list[_Entry] = []
        failures: list[BaseException] = []
        while self._heap and self._heap[0][0] <= upto:
            _, _, entry = heapq.heappop(self._heap)
            if entry.cancelled:
                continue
            entry.woken = True
            woken.append(entry)
            if entry.follower is not None:
                entry.follower._waits -= 1
            if entry.future is not None and not entry.future.done():
                entry.future.set_result(None)
            if entry.on_reached is not None:
                try:
                    entry.on_reached(entry.instant)
                except Exception as error:  # every due entry must still be woken before we report it
                    failures.append(error)
        if failures:
            raise failures[0]
        return woken

    async def quiesce(self, woken: list[_Entry], at: datetime, timeout: float) -> None:
        """Wait until woken plain sleepers have resumed and every attached follower waits again or detached.

        A woken plain sleeper (no follower) counts as done once its task has resumed from `sleep_until` and
        run up to its next suspension point (or finished); whatever it awaits next is not waited for.
        `timeout` is in real seconds, measured on the event loop's clock; on expiry this raises
        `QuiesceTimeoutError`.
        """
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            sleepers = sum(1 for e in woken if e.future is not None and e.follower is None and not e.resumed)
            busy = [f.name for f in self._followers.values() if not f.quiesced]
            if not sleepers and not busy:
                return
            remaining = end - loop.time()
            if remaining <= 0:
                raise QuiesceTimeoutError(at, busy, sleepers, timeout)
            watcher: asyncio.Future[None] = loop.create_future()
            self._watchers.append(watcher)
            try:
                await asyncio.wait({watcher}, timeout=remaining)
            finally:
                if watcher in self._watchers:
                    self._watchers.remove(watcher)

    def attach(self, name: str, *, external: bool) -> Follower:
        """A new follower named `name`; names are unique among attached followers."""
        if not name:
            raise ClockArgumentError("a follower needs a non-empty name, so a quiesce failure can say who hung")
        if name in self._followers:
            raise ClockArgumentError(f"a follower named {name!r} is already attached; detach it or pick another")
        follower = Follower(name, self, external=external)
        self._followers[name] = follower
        self._notify()
        return follower

    def external(self, name: str) -> Follower:
        """The external follower named `name`, attaching it on first use."""
        follower = self._followers.get(name)
        if follower is None:
            return self.attach(name, external=True)
        if not follower.external:
            raise ClockArgumentError(f"{name!r} is an in-process follower; an external long-poll needs another name")
        return follower

    def detach(self, name: str, *, only: Follower | None = None) -> bool:
        """Forget the follower named `name` (True if it was attached); its pending waits end normally.

        With `only`, forget it only if `name` still belongs to that follower object.
        """
        follower = self._followers.get(name)
        if follower is None or (only is not None and follower is not only):
            return False
        del self._followers[name]
        follower._detach()
        self._notify()
        return True

    def followers(self) -> dict[str, FollowerState]:
        """Every attached follower's state, by name."""
        return {name: f.state for name, f in self._followers.items()}

    def _push(self, entry: _Entry) -> None:
        heapq.heappush(self._heap, (entry.instant, next(self._sequence), entry))
        self._on_registered(entry.instant)

    def _notify(self) -> None:
        for watcher in self._watchers:
            if not watcher.done():
                watcher.set_result(None)
        self._watchers.clear()
