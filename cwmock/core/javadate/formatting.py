"""Java SimpleDateFormat (en_US, lenient) for formatting and parsing, plus Open Connectors' `milliseconds`.

Differences from Java, on purpose: an unknown zone id is an error (Java silently uses GMT); parsing never
changes the formatter's zone (Java's parse of a zone name calls setTimeZone as a side effect); dates
before the 1582 Gregorian cutover or after 9999 are refused; `Y` (week-year) formats but does not parse.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from cwmock.core.javadate.calendar import epoch_ms, instant_from_ms
from cwmock.core.javadate.errors import JavaDateParseError, JavaPatternError
from cwmock.core.javadate.fixed_width import fixed_width_format
from cwmock.core.javadate.parsing import MONTHS, WEEKDAYS, century_start, parse_prefix
from cwmock.core.javadate.pattern import CompiledPattern, Field, Literal, compile_pattern
from cwmock.core.javadate.zones import JavaZone, resolve_zone

EPOCH_MILLIS = "milliseconds"
_EPOCH_MILLIS_TEXT = re.compile(r"[+-]?[0-9]+")
_RESOLUTION = {
    "S": timedelta(milliseconds=1),
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "H": timedelta(hours=1),
    "h": timedelta(hours=1),
}


class JavaDateFormat:
    """`new SimpleDateFormat(pattern, Locale.US)` with `setTimeZone(zone)`; or `milliseconds` (epoch ms)."""

    def __init__(self, pattern: str, zone: str | JavaZone = "GMT", *, fast_path: bool = True) -> None:
        """`fast_path`: read and write fixed-width numeric patterns in fixed-offset zones directly (same results;
        False always runs the general emulation, which the fast path's tests compare it with)."""
        self.pattern = pattern
        self.zone = zone if isinstance(zone, JavaZone) else resolve_zone(zone)
        self.is_epoch_millis = pattern == EPOCH_MILLIS
        self._compiled = CompiledPattern(pattern, ()) if self.is_epoch_millis else compile_pattern(pattern)
        fast = fast_path and not self.is_epoch_millis
        self._fixed = fixed_width_format(self._compiled, self.zone) if fast else None

    def __repr__(self) -> str:
        return f"JavaDateFormat({self.pattern!r}, {self.zone.id!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JavaDateFormat):
            return NotImplemented
        return (self.pattern, self.zone.id) == (other.pattern, other.zone.id)

    def __hash__(self) -> int:
        return hash((self.pattern, self.zone.id))

    @property
    def compiled(self) -> CompiledPattern:
        """The pattern's tokens."""
        return self._compiled

    @property
    def needs_now_to_parse(self) -> bool:
        """Whether parsing may meet a two-digit year, whose century depends on the current time."""
        return any(field.letter == "y" and field.count <= 2 for field in self._compiled.fields())

    def check_parseable(self) -> None:
        """Raise JavaPatternError if this pattern cannot be used for parsing in cwmock (week-year `Y`)."""
        if self._compiled.has_letter("Y"):
            raise JavaPatternError(
                f"date pattern {self.pattern!r} uses Y, the week-year (2024-12-31 is week-year 2025); cwmock "
                "formats it like Java but does not parse it. Use y for the calendar year"
            )

    def format(self, instant: datetime) -> str:
        """The text Java's format(Date) gives for `instant` (aware; truncated to the millisecond)."""
        millis = epoch_ms(instant)
        if self.is_epoch_millis:
            return str(millis)
        if self._fixed is not None:
            text = self._fixed.format(millis)
            if text is not None:
                return text
        moment = instant_from_ms(millis)
        local = self.zone.local(moment)
        parts: list[str] = []
        for token in self._compiled.tokens:
            if isinstance(token, Literal):
                parts.append(token.text)
            else:
                parts.append(_format_field(token, local, moment, self.zone))
        return "".join(parts)

    def parse_prefix(self, text: str, *, now: datetime | None = None) -> tuple[datetime, int]:
        """Java's parse(text, ParsePosition(0)): the instant and the index after the consumed text."""
        if self.is_epoch_millis:
            return self._parse_epoch_millis(text), len(text)
        if self._fixed is not None:
            millis = self._fixed.parse(text)
            if millis is not None:
                return instant_from_ms(millis), len(text)
        self.check_parseable()
        if self.needs_now_to_parse and now is None:
            raise ValueError(
                f"date pattern {self.pattern!r} has a two-digit year whose century depends on the current "
                "time; pass now= (from the injected clock)"
            )
        century = century_start(now) if now is not None else None
        result = parse_prefix(self._compiled, text, self.zone, century)
        return instant_from_ms(result.epoch_ms), result.end_index

    def parse(self, text: str, *, now: datetime | None = None) -> datetime:
        """Java's DateFormat.parse(String): trailing text is ignored; nothing consumed is an error."""
        instant, end = self.parse_prefix(text, now=now)
        if end == 0:
            raise JavaDateParseError(f"{text!r} does not match the date pattern {self.pattern!r}", 0)
        return instant

    def resolution(self) -> timedelta:
        """The finest unit the pattern writes; a format → parse round trip is exact at this resolution."""
        if self.is_epoch_millis:
            return timedelta(milliseconds=1)
        units = [_RESOLUTION.get(field.letter, timedelta(days=1)) for field in self._compiled.fields()]
        return min(units, default=timedelta(days=1))

    def _parse_epoch_millis(self, text: str) -> datetime:
        if not _EPOCH_MILLIS_TEXT.fullmatch(text):
            raise JavaDateParseError(f"{text!r} is not a whole number of milliseconds since the epoch", 0)
        return instant_from_ms(int(text))


def _format_field(field: Field, local: datetime, instant: datetime, zone: JavaZone) -> str:
    letter, count = field.letter, field.count
    java_weekday = local.isoweekday() % 7  # 0 = Sunday, as an index into WEEKDAYS
    if letter == "y":
        return _year(local.year, count)
    if letter == "Y":
        days_to_saturday = 6 - java_weekday
        return _year((local + timedelta(days=days_to_saturday)).year, count)
    if letter == "M":
        if count >= 4:
            return MONTHS[local.month - 1]
        if count == 3:
            return MONTHS[local.month - 1][:3]
        return _pad(local.month, count)
    if letter == "E":
        name = WEEKDAYS[java_weekday]
        return name if count >= 4 else name[:3]
    if letter == "a":
        return "PM" if local.hour >= 12 else "AM"
    if letter in "zZX":
        return _format_zone(letter, count, instant, zone)
    values = {
        "d": local.day,
        "D": local.timetuple().tm_yday,
        "H": local.hour,
        "h": local.hour % 12 or 12,
        "m": local.minute,
        "s": local.second,
        "S": local.microsecond // 1000,
    }
    return _pad(values[letter], count)


def _format_zone(letter: str, count: int, instant: datetime, zone: JavaZone) -> str:
    if letter == "z":
        return zone.display_name(instant, long=count >= 4)
    offset_ms = zone.offset_ms(instant)
    if letter == "X" and offset_ms == 0:
        return "Z"
    minutes = abs(offset_ms) // 60_000  # Java divides toward zero, dropping seconds of old local mean times
    sign = "-" if offset_ms < 0 else "+"
    hours_text, minutes_text = f"{minutes // 60:02d}", f"{minutes % 60:02d}"
    if letter == "Z":
        return f"{sign}{hours_text}{minutes_text}"
    if count == 1:
        return f"{sign}{hours_text}"
    return f"{sign}{hours_text}{':' if count == 3 else ''}{minutes_text}"


def _year(year: int, count: int) -> str:
    return f"{year % 100:02d}" if count == 2 else _pad(year, count)


def _pad(value: int, width: int) -> str:
    return f"{value:0{width}d}"
