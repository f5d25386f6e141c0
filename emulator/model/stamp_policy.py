"""How the emulated server stamps writes: its clock skew and the precision of the stamps it stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from cwmock.core.timestamps import to_utc_second

Precision = Literal["seconds", "minutes"]


@dataclass
class StampPolicy:
    """Server time = clock time + `skew`; a stamp is stored truncated to `precision`.

    Both apply when a stamp is written, never to stamps already stored. Skew shifts only times read from the clock
    (an explicit stamp is used as given); precision truncates every written stamp.
    """

    skew: timedelta = timedelta(0)
    precision: Precision = "seconds"

    def server_time(self, clock_time: datetime) -> datetime:
        """The server's time when the emulator's clock reads `clock_time`."""
        return clock_time + self.skew

    def stored(self, instant: datetime) -> datetime:
        """`instant` as the server stores it: in UTC, truncated to the policy's precision."""
        stamp = to_utc_second(instant)
        return stamp.replace(second=0) if self.precision == "minutes" else stamp

    def reset(self) -> None:
        """No skew, whole-second stamps."""
        self.skew = timedelta(0)
        self.precision = "seconds"
