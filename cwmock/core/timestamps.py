"""ConnectWise and HTTP renderings of instants."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_utc_second(instant: datetime) -> datetime:
    """`instant` in UTC, truncated to the whole second (ConnectWise stamps have no fraction)."""
    return instant.astimezone(UTC).replace(microsecond=0)


def format_cw(instant: datetime) -> str:
    """ConnectWise's `_info.lastUpdated` form: `2024-05-31T18:18:16Z`."""
    return to_utc_second(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_z(instant: datetime) -> str:
    """ISO-8601 in UTC with `Z` (`2026-01-01T00:00:00Z`, fractions kept): how cwmock's JSON writes instants."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """An ISO-8601 instant with `Z` or an offset; a naive one is refused rather than guessed."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO-8601 instant such as 2026-01-01T00:15:00Z") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no timezone; add 'Z' or an offset such as +00:00")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first representable instant in UTC
        raise ValueError(f"{text!r} is outside the years 0001-9999 once in UTC") from None


def http_date(instant: datetime) -> str:
    """RFC 9110 IMF-fixdate, as in the `Date` header."""
    return format_datetime(to_utc_second(instant), usegmt=True)
