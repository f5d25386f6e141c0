"""Instants as query literals: `[2016-08-20T18:04:26Z]` (conditions), `'2019-01-01T00:00:00.000Z'` (CEQL)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from cwmock.core.timestamps import UTC

# The sign may be a space: a raw `+` in a query string arrives URL-decoded as a space.
_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(?:([Zz])|([+\- ])(\d{2})(?::?(\d{2}))?)?",
    re.ASCII,
)


def parse_query_instant(text: str) -> datetime | None:
    """The UTC instant `text` names, or None when it is not one.

    Accepts `Z`, `+hh:mm`/`-hh:mm` (also `+hhmm`, `+hh`, and a space for `+`), any number of
    fraction digits (kept to microseconds), a missing time (midnight) and a missing zone (UTC).
    """
    match = _INSTANT.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, _, sign, off_h, off_m = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        offset = timedelta(0)
        if sign is not None:
            offset = timedelta(hours=int(off_h), minutes=int(off_m or 0)) * (-1 if sign == "-" else 1)
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micros,
            tzinfo=timezone(offset),
        )
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
