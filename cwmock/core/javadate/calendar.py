"""Java's lenient GregorianCalendar field resolution: parsed fields in, an instant (epoch ms) out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import Enum

from cwmock.core.javadate.errors import JavaDateRangeError
from cwmock.core.javadate.zones import JavaZone
from cwmock.core.timestamps import EPOCH

MS_PER_DAY = 86_400_000
# Java's GregorianCalendar is Julian before 1582-10-15; cwmock models only the Gregorian side.
GREGORIAN_CUTOVER = date(1582, 10, 15)


class CalendarField(Enum):
    """The java.util.Calendar fields a SimpleDateFormat parse can set."""

    YEAR = "YEAR"
    MONTH = "MONTH"
    DAY_OF_MONTH = "DAY_OF_MONTH"
    DAY_OF_YEAR = "DAY_OF_YEAR"
    DAY_OF_WEEK = "DAY_OF_WEEK"
    AM_PM = "AM_PM"
    HOUR = "HOUR"
    HOUR_OF_DAY = "HOUR_OF_DAY"
    MINUTE = "MINUTE"
    SECOND = "SECOND"
    MILLISECOND = "MILLISECOND"
    ZONE_OFFSET = "ZONE_OFFSET"
    DST_OFFSET = "DST_OFFSET"


F = CalendarField


class CalendarBuilder:
    """Field values with the order they were set in (Java's CalendarBuilder): later settings win conflicts."""

    def __init__(self) -> None:
        self._stamps: dict[CalendarField, int] = {}
        self._values: dict[CalendarField, int] = {}
        self._next_stamp = 1

    def set(self, field: CalendarField, value: int) -> None:
        """Set `field`, making it the most recently set."""
        self._stamps[field] = self._next_stamp
        self._values[field] = value
        self._next_stamp += 1

    def clear(self, field: CalendarField) -> None:
        """Forget `field`."""
        self._stamps.pop(field, None)
        self._values.pop(field, None)

    def stamp(self, field: CalendarField) -> int:
        """When `field` was set (0 if unset)."""
        return self._stamps.get(field, 0)

    def is_set(self, field: CalendarField) -> bool:
        """Whether `field` has a value."""
        return field in self._values

    def value(self, field: CalendarField, default: int) -> int:
        """The value of `field`, or `default` (Calendar.clear()'s value) when unset."""
        return self._values.get(field, default)

    def add_years(self, years: int) -> None:
        """Move a set YEAR by `years` (SimpleDateFormat's second try for an ambiguous two-digit year)."""
        if F.YEAR in self._values:
            self._values[F.YEAR] += years


def resolve_instant(fields: CalendarBuilder, zone: JavaZone) -> int:
    """Epoch milliseconds for `fields` read as wall time in `zone`, with Java's lenient rules."""
    year = fields.value(F.YEAR, 1970)
    day_number = _day_number(fields, year)
    day_number += _time_of_day_days(fields)
    time_of_day = _time_of_day_ms(fields) % MS_PER_DAY
    if year <= GREGORIAN_CUTOVER.year or day_number < GREGORIAN_CUTOVER.toordinal():
        raise JavaDateRangeError(
            f"the parsed date (year {year}) is before the Gregorian cutover of 1582-10-15, where Java "
            "switches to the Julian calendar; cwmock does not model dates that old"
        )
    if day_number > date.max.toordinal():
        raise JavaDateRangeError("the parsed date is after year 9999; cwmock does not model dates that late")
    wall = datetime.combine(date.fromordinal(day_number), datetime.min.time()) + timedelta(milliseconds=time_of_day)
    wall_ms = (day_number - date(1970, 1, 1).toordinal()) * MS_PER_DAY + time_of_day
    if fields.is_set(F.ZONE_OFFSET) and fields.is_set(F.DST_OFFSET):
        raw, dst = fields.value(F.ZONE_OFFSET, 0), fields.value(F.DST_OFFSET, 0)
    else:
        raw, dst = zone.offsets_by_wall(wall)
        raw = fields.value(F.ZONE_OFFSET, raw)
        dst = fields.value(F.DST_OFFSET, dst)
    return wall_ms - raw - dst


def _time_of_day_ms(fields: CalendarBuilder) -> int:
    hour_of_day_stamp = fields.stamp(F.HOUR_OF_DAY)
    hour_stamp = _aggregate(fields.stamp(F.HOUR), fields.stamp(F.AM_PM))
    best = max(hour_stamp, hour_of_day_stamp)
    if best == 0:
        best = max(fields.stamp(F.HOUR), fields.stamp(F.AM_PM))
    if best != 0 and best == hour_of_day_stamp:
        hours = fields.value(F.HOUR_OF_DAY, 0)
    else:
        hours = fields.value(F.HOUR, 0)
        if best != 0 and fields.is_set(F.AM_PM):
            hours += 12 * fields.value(F.AM_PM, 0)
    minutes = hours * 60 + fields.value(F.MINUTE, 0)
    seconds = minutes * 60 + fields.value(F.SECOND, 0)
    return seconds * 1000 + fields.value(F.MILLISECOND, 0)


def _time_of_day_days(fields: CalendarBuilder) -> int:
    return _time_of_day_ms(fields) // MS_PER_DAY


def _aggregate(first: int, second: int) -> int:
    return 0 if first == 0 or second == 0 else max(first, second)


def _day_number(fields: CalendarBuilder, year: int) -> int:
    """Proleptic Gregorian ordinal (date.toordinal) of the date the fields name, before the time of day."""
    dom_stamp = fields.stamp(F.DAY_OF_MONTH)
    doy_stamp = fields.stamp(F.DAY_OF_YEAR)
    dow_stamp = fields.stamp(F.DAY_OF_WEEK)
    if doy_stamp > dom_stamp:
        return _ordinal_of_year_start(year) + fields.value(F.DAY_OF_YEAR, 1) - 1
    month_start = _ordinal_of_month_start(year, fields.value(F.MONTH, 0))
    if dom_stamp == 0 and dow_stamp != 0:
        # A weekday without a day of month means the first such weekday of the month (DAY_OF_WEEK_IN_MONTH 1).
        java_weekday = fields.value(F.DAY_OF_WEEK, 1)  # 1 = Sunday ... 7 = Saturday
        first_weekday = (date.fromordinal(month_start).isoweekday() % 7) + 1
        return month_start + (java_weekday - first_weekday) % 7
    return month_start + fields.value(F.DAY_OF_MONTH, 1) - 1


def _ordinal_of_year_start(year: int) -> int:
    if not 1 <= year <= 9999:
        raise JavaDateRangeError(f"the parsed year {year} is outside 1583..9999, the range cwmock models")
    return date(year, 1, 1).toordinal()


def _ordinal_of_month_start(year: int, month: int) -> int:
    year += month // 12
    return _ordinal_of_year_start(year) + (date(year, month % 12 + 1, 1) - date(year, 1, 1)).days


def instant_from_ms(epoch_ms: int) -> datetime:
    """The UTC instant `epoch_ms` milliseconds after the epoch."""
    try:
        return EPOCH + timedelta(milliseconds=epoch_ms)
    except OverflowError as error:
        raise JavaDateRangeError(f"{epoch_ms} ms since the epoch is outside years 1..9999") from error


def epoch_ms(instant: datetime) -> int:
    """Milliseconds since the epoch, rounded down (Java's Date has millisecond resolution)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant {instant.isoformat()} has no timezone; pass an aware datetime")
    delta = instant - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
