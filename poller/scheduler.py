"""`cwmock poller run`: windows on the refresh interval and deliveries at retry times, on wall time or on the
emulator's clock (followed over HTTP with `/__admin/clock/wait` long-polls)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

import httpx

from cwmock.core.timestamps import iso_z, parse_iso
from cwmock.poller.engine import PollerEngine, WindowReport

LONG_POLL_SECONDS = 30.0


class FollowableClock(Protocol):
    """A clock the scheduler can read and wait on."""

    def now(self) -> datetime:
        """The current instant."""
        ...

    async def sleep_until(self, deadline: datetime) -> None:
        """Return once the clock has reached `deadline`."""
        ...


class EmulatorClock:
    """The emulator's clock over HTTP, as a named external follower: `advance` waits for this poller to wait
    again before it moves on, so every window the emulated time passes runs at its exact instant."""

    def __init__(self, emulator_url: str, follower: str, client: httpx.AsyncClient) -> None:
        self.admin_url = emulator_url.rstrip("/") + "/__admin"
        self.follower = follower
        self._client = client
        self._now: datetime | None = None

    def now(self) -> datetime:
        """The emulator's instant as last reported (call `refresh` first)."""
        if self._now is None:
            raise RuntimeError("EmulatorClock.now() before refresh(); the emulator's time is not known yet")
        return self._now

    async def refresh(self) -> datetime:
        """Read the emulator's clock."""
        response = await self._client.get(f"{self.admin_url}/clock")
        response.raise_for_status()
        self._now = parse_iso(response.json()["now"])
        return self._now

    async def sleep_until(self, deadline: datetime) -> None:
        """Long-poll until the emulator's clock reaches `deadline`."""
        while True:
            params = {"until": iso_z(deadline), "timeout": f"{LONG_POLL_SECONDS:g}", "follower": self.follower}
            response = await self._client.get(
                f"{self.admin_url}/clock/wait", params=params, timeout=LONG_POLL_SECONDS + 10
            )
            response.raise_for_status()
            body = response.json()
            self._now = parse_iso(body["now"])
            if body["reached"]:
                return

    async def detach(self) -> None:
        """Stop being waited for (`DELETE /__admin/clock/followers/NAME`)."""
        await self._client.delete(f"{self.admin_url}/clock/followers/{self.follower}")


async def run_schedule(
    engine: PollerEngine,
    clock: FollowableClock,
    interval: timedelta,
    *,
    max_windows: int | None = None,
    on_window: Callable[[WindowReport], None] = lambda report: None,
    first_window_at: datetime | None = None,
) -> int:
    """Poll every `interval` (the first window at `first_window_at`, default at once) and deliver at each retry
    time in between; returns the number of windows run (forever unless `max_windows`)."""
    if interval <= timedelta(0):
        raise ValueError(f"the refresh interval must be positive, got {interval}")
    windows = 0
    next_poll = clock.now()
    if first_window_at is not None and first_window_at > next_poll:
        await clock.sleep_until(first_window_at)
        next_poll = first_window_at
    while max_windows is None or windows < max_windows:
        on_window(await engine.run_window())
        windows += 1
        # On wall time a long stall skips the windows it missed rather than running them back to back.
        next_poll = max(next_poll + interval, clock.now())
        if max_windows is not None and windows >= max_windows:
            break
        while True:
            due = engine.state.next_due()
            wake = next_poll if due is None else min(due, next_poll)
            await clock.sleep_until(wake)
            if clock.now() >= next_poll:
                break
            await engine.deliver_only()
    return windows
