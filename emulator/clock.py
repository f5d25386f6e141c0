"""Clocks: the only place cwmock reads the wall clock is `SystemClock`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """Where every timestamp in the emulator and the poller comes from."""

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    """Wall time. The one class allowed to read the system clock."""

    def now(self) -> datetime:
        """The wall clock's current instant in UTC."""
        return datetime.now(timezone.utc)


def _require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(
            f"instant {instant.isoformat()} has no timezone; pass an aware datetime (e.g. with tz=UTC)"
        )
    return instant.astimezone(timezone.utc)


class ManualClock:
    """Frozen time that moves only when told to: `set` and `advance`."""

    def __init__(self, start: datetime) -> None:
        self._now = _require_aware(start)

    def now(self) -> datetime:
        """The clock's current instant."""
        return self._now

    def set(self, instant: datetime, *, allow_backwards: bool = False) -> None:
        """Jump to `instant`; going back in time must be asked for explicitly."""
        target = _require_aware(instant)
        if target < self._now and not allow_backwards:
            raise ValueError(
                f"refusing to move the clock back from {self._now.isoformat()} to {target.isoformat()}; "
                "pass allow_backwards=True if that is really meant"
            )
        self._now = target

    def advance(self, seconds: float) -> None:
        """Move forward by `seconds` (zero allowed, negative refused)."""
        if seconds < 0:
            raise ValueError(f"cannot advance by {seconds} s; use set(..., allow_backwards=True) to go back")
        self._now = self._now + timedelta(seconds=seconds)
