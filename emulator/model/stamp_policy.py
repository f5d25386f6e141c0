"""How the emulated server stamps writes: its clock skew and the precision of the stamps it stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from cwmock.core.timestamps import UTC, to_utc_second
from cwmock.core.validation import shift

Precision = Literal["seconds", "minutes"]


@dataclass
class StampPolicy:
    """Server time = clock time + `skew`; a stamp is stored truncated to `precision`.

    Both apply when a stamp is written, never to stamps already stored. Skew shifts only times read from the clock
    (an explicit stamp is used as given); precision truncates every written stamp. With `subsecond` (a setting, not
    a fault: `reset` keeps it) a stamp keeps its fraction where it is compared, while `_info.lastUpdated` still
    shows whole seconds (docs/fidelity.md#stamp-precision).
    """

    skew: timedelta = timedelta(0)
    precision: Precision = "seconds"
    subsecond: bool = False

    def server_time(self, clock_time: datetime) -> datetime:
        """The server's time when the emulator's clock reads `clock_time` (held within the years 0001-9999)."""
        return shift(clock_time, self.skew.total_seconds()) if self.skew else clock_time

    def stored(self, instant: datetime) -> datetime:
        """`instant` as the server stores it: in UTC, truncated to the policy's precision."""
        if self.precision == "minutes":
            return to_utc_second(instant).replace(second=0)
        return instant.astimezone(UTC) if self.subsecond else to_utc_second(instant)

    def reset(self) -> None:
        """No skew, whole-second stamps."""
        self.skew = timedelta(0)
        self.precision = "seconds"
