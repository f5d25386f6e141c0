"""Instants: within the years 0001-9999 that stamps (`yyyy-MM-ddTHH:mm:ssZ`) and Python's datetime can hold.

The emulated clock and the stamps a user gives are kept inside `CLOCK_EARLIEST` .. `CLOCK_LATEST`, 200 years in
from either end, so a clock reading plus a skew plus a visibility delay (each at most `numbers.MAX_DURATION_SECONDS`)
still fits; `shift` saturates at the ends anyway, so arithmetic on a stored instant can never fail.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cwmock.core.timestamps import iso_z, parse_iso
from cwmock.core.validation.errors import InputError

EARLIEST = datetime(1, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
CLOCK_EARLIEST = datetime(201, 1, 1, tzinfo=timezone.utc)
CLOCK_LATEST = datetime(9799, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
MAX_INSTANT_TEXT = 64


def instant_from_text(key: str, text: object, *, earliest: datetime = EARLIEST, latest: datetime = LATEST) -> datetime:
    """An ISO-8601 instant with a zone (`2026-01-01T00:00:00Z`) within [`earliest`, `latest`]."""
    if not isinstance(text, str):
        raise InputError(key, f"{key} must be an ISO-8601 string such as 2026-01-01T00:00:00Z")
    if len(text) > MAX_INSTANT_TEXT:
        raise InputError(key, f"{key} is {len(text)} characters long; an ISO-8601 instant has at most 64")
    try:
        instant = parse_iso(text)
    except ValueError as exc:
        raise InputError(key, f"{key}: {exc}") from None
    return _within(key, instant, earliest, latest)


def check_clock_instant(key: str, instant: datetime) -> datetime:
    """`instant` when the emulated clock (or a stamp) may be there: from CLOCK_EARLIEST to CLOCK_LATEST."""
    return _within(key, instant, CLOCK_EARLIEST, CLOCK_LATEST)


def _within(key: str, instant: datetime, earliest: datetime, latest: datetime) -> datetime:
    if not earliest <= instant <= latest:
        raise InputError(key, f"{key} must be from {iso_z(earliest)} to {iso_z(latest)}, got {iso_z(instant)}")
    return instant


def shift(instant: datetime, seconds: float) -> datetime:
    """`instant` moved by `seconds`, held at EARLIEST or LATEST rather than overflowing past them."""
    if seconds >= (LATEST - instant).total_seconds():
        return LATEST
    if seconds <= (EARLIEST - instant).total_seconds():
        return EARLIEST
    return instant + timedelta(seconds=seconds)
