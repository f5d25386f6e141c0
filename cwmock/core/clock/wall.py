"""The `Clock` every part of cwmock reads time from, and `SystemClock`: the only place cwmock reads the wall clock."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import Protocol

from cwmock.core.clock.errors import require_aware


class Clock(Protocol):
    """Where every timestamp in the emulator and the poller comes from."""

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...

    async def sleep_until(self, deadline: datetime) -> None:
        """Return once `now()` has reached `deadline` (at once if it already has)."""
        ...


class SystemClock:
    """Wall time. The one class allowed to read the system clock (calendar and monotonic)."""

    def now(self) -> datetime:
        """The wall clock's current instant in UTC."""
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for measuring real durations."""
        return time.monotonic()

    async def sleep_until(self, deadline: datetime) -> None:
        """Sleep in real time until the wall clock reaches `deadline`."""
        deadline = require_aware(deadline)
        while (remaining := (deadline - self.now()).total_seconds()) > 0:
            await asyncio.sleep(remaining)
