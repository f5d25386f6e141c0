"""An optional per-member budget of requests per minute of emulated time (the PSA Developer Guide, "Rate Limiting").

The guide: integrations sending "over 1,000 requests per minute" will likely be limited, answered 429 with a
`Retry-After` header "specifying the number of seconds to wait". The window slides over the last 60 s of server
time, so advancing the emulated clock by `Retry-After` seconds frees the budget again.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)


class RateBudget:
    """At most `per_minute` accepted requests per member in any minute; refused requests do not count."""

    def __init__(self, per_minute: int, now: Callable[[], datetime]) -> None:
        if per_minute < 1:
            raise ValueError(f"a rate budget needs at least 1 request a minute, got {per_minute}")
        self.per_minute = per_minute
        self.now = now
        self._accepted: dict[Hashable, deque[datetime]] = {}

    def take(self, member: Hashable) -> int | None:
        """Count a request of `member`: None when it fits the budget, else the seconds until one would."""
        now = self.now()
        accepted = self._accepted.setdefault(member, deque())
        while accepted and accepted[0] <= now - WINDOW:
            accepted.popleft()
        if len(accepted) < self.per_minute:
            accepted.append(now)
            return None
        return max(1, math.ceil((accepted[0] + WINDOW - now).total_seconds()))
