"""What the emulated clock refuses or fails at, as exceptions the admin HTTP layer can map to statuses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone


class ClockError(Exception):
    """Base of every error the emulated clock raises."""


class ClockArgumentError(ClockError, ValueError):
    """A clock verb called with a value it cannot use (HTTP 400)."""


class ClockBusyError(ClockError):
    """A verb refused because an `advance` is still running (HTTP 409)."""


class QuiesceTimeoutError(ClockError):
    """Woken followers did not wait again (or detach) within the quiesce timeout, so `advance` stopped."""

    def __init__(self, at: datetime, followers: Sequence[str], plain_waiters: int, timeout: float) -> None:
        self.at = at
        self.followers = tuple(followers)
        self.plain_waiters = plain_waiters
        self.timeout = timeout
        who = []
        if self.followers:
            who.append("follower(s) " + ", ".join(repr(name) for name in self.followers))
        if plain_waiters:
            who.append(f"{plain_waiters} woken sleeper(s) that never resumed")
        super().__init__(
            f"advance stopped at {at.isoformat()}: {' and '.join(who)} did not quiesce within {timeout:g} s "
            "(a follower must call sleep_until / issue its next long-poll, or detach, after every wake); "
            "fix the follower, detach it, or raise quiesce_timeout"
        )


def require_aware(instant: datetime) -> datetime:
    """`instant` in UTC; a naive datetime is refused because its zone would be a guess."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ClockArgumentError(
            f"instant {instant.isoformat()} has no timezone; pass an aware datetime (e.g. with tz=UTC)"
        )
    return instant.astimezone(timezone.utc)
