"""SimpleDateFormat.parse(text, ParsePosition), emulated token by token over a CalendarBuilder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from cwmock.core.javadate.calendar import CalendarBuilder, CalendarField, epoch_ms, resolve_instant
from cwmock.core.javadate.errors import JavaDateParseError
from cwmock.core.javadate.pattern import CompiledPattern, Field, Literal
from cwmock.core.javadate.zones import JVM_DEFAULT_ZONE_ID, JavaZone, java_zone_strings, resolve_zone

F = CalendarField
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
AM_PM = ("AM", "PM")
_SIMPLE_NUMERIC = {"d": F.DAY_OF_MONTH, "D": F.DAY_OF_YEAR, "H": F.HOUR_OF_DAY, "m": F.MINUTE, "s": F.SECOND}
_INT_MIN, _INT_MAX, _LONG_LIMIT = -(2**31), 2**31 - 1, 2**63


@dataclass(frozen=True)
class CenturyStart:
    """Where two-digit years begin: SimpleDateFormat's defaultCenturyStart (now − 80 years) and its year."""

    instant_ms: int
    year: int


@dataclass(frozen=True)
class ParseResult:
    """A successful parse: the instant in epoch ms and the index just after the text consumed."""

    epoch_ms: int
    end_index: int


class _Failure(Exception):
    def __init__(self, error_index: int) -> None:
        super().__init__(error_index)
        self.error_index = error_index


class _OutOfText(Exception):
    pass


class _Parser:
    def __init__(self, compiled: CompiledPattern, text: str, zone: JavaZone, century: CenturyStart | None) -> None:
        self.compiled = compiled
        self.text = text
        self.zone = zone
        self.century = century
        self.fields = CalendarBuilder()
        self.ambiguous_year = False

    def run(self) -> int:
        position = 0
        for index, token in enumerate(self.compiled.tokens):
            if isinstance(token, Literal):
                for char in token.text:
                    if position >= len(self.text) or self.text[position] != char:
                        raise _Failure(position)
                    position += 1
            else:
                position = self.sub_parse(token, position, self.compiled.obeys_count(index))
        return position

    def sub_parse(self, field: Field, start: int, obey_count: bool) -> int:
        text = self.text
        position = start
        while True:
            if position >= len(text):
                raise _Failure(start)
            if text[position] not in " \t":
                break
            position += 1
        actual_start = position
        limit = start + field.count if obey_count else len(text)
        if obey_count and limit > len(text) and field.is_numeric:
            raise _Failure(position)
        letter = field.letter
        if field.is_numeric:
            value, position = self.number(actual_start, limit)
            if letter == "y":
                return self.set_year(field, value, actual_start, position)
            if letter == "M":
                self.fields.set(F.MONTH, value - 1)
            elif letter == "h":
                self.fields.set(F.HOUR, 0 if value == 12 else value)
            elif letter == "S":
                self.fields.set(F.MILLISECOND, value)
            else:
                self.fields.set(_SIMPLE_NUMERIC[letter], value)
            return position
        if letter == "M":
            return self.match_names(start, actual_start, F.MONTH, (MONTHS, tuple(m[:3] for m in MONTHS)), 0)
        if letter == "E":
            return self.match_names(start, actual_start, F.DAY_OF_WEEK, (WEEKDAYS, tuple(d[:3] for d in WEEKDAYS)), 1)
        if letter == "a":
            return self.match_names(start, actual_start, F.AM_PM, (AM_PM,), 0)
        if letter == "X":
            return self.iso_zone(field.count, actual_start)
        return self.general_zone(start, actual_start)

    def number(self, position: int, limit: int) -> tuple[int, int]:
        """DecimalFormat.parse with integer-only, no grouping, en_US: '-'? digits, as a Java int."""
        text = self.text[:limit]
        index = position
        negative = index < len(text) and text[index] == "-"
        if negative:
            index += 1
        digits_start = index
        while index < len(text) and text[index].isdecimal():
            index += 1
        if index == digits_start:
            raise _Failure(position)
        mantissa = int(text[digits_start:index])
        exponent, index = self.exponent(text, index)
        # a negative exponent makes a fractional Double, whose intValue drops the fraction
        value = mantissa * 10**exponent if exponent >= 0 else mantissa // 10**-exponent
        value = -value if negative else value
        if -_LONG_LIMIT <= value < _LONG_LIMIT:
            value = (value - _INT_MIN) % 2**32 + _INT_MIN  # Long.intValue wraps
        else:
            value = max(_INT_MIN, min(_INT_MAX, value))  # a Double's intValue saturates
        return value, index

    @staticmethod
    def exponent(text: str, index: int) -> tuple[int, int]:
        """DecimalFormat also reads a scientific exponent, even in integer-only mode: `1E1` is 10."""
        if index >= len(text) or text[index] != "E":
            return 0, index
        cursor = index + 1
        negative = cursor < len(text) and text[cursor] == "-"
        cursor += negative
        digits_start = cursor
        while cursor < len(text) and text[cursor].isdecimal():
            cursor += 1
        if cursor == digits_start:
            return 0, index
        exponent = int(text[digits_start:cursor])
        return (-exponent if negative else exponent), cursor

    def set_year(self, field: Field, value: int, actual_start: int, end: int) -> int:
        text = self.text
        two_digits = end - actual_start == 2 and text[actual_start : actual_start + 2].isascii()
        if field.count <= 2 and two_digits and text[actual_start : actual_start + 2].isdigit():
            if self.century is None:
                raise ValueError("a two-digit year needs the reference time: pass now= to parse")
            pivot = self.century.year % 100
            self.ambiguous_year = value == pivot
            value += (self.century.year // 100) * 100 + (100 if value < pivot else 0)
        self.fields.set(F.YEAR, value)
        return end

    def match_names(
        self,
        start: int,
        actual_start: int,
        target: CalendarField,
        tables: tuple[tuple[str, ...], ...],
        base: int,
    ) -> int:
        # Java matches at the field's start, not after skipped whitespace; longest name wins within a table.
        for names in tables:
            best, best_length = -1, 0
            for index, name in enumerate(names):
                if len(name) > best_length and _region_matches(self.text, start, name):
                    best, best_length = index, len(name)
            if best >= 0:
                self.fields.set(target, best + base)
                return start + best_length
        raise _Failure(actual_start)

    def iso_zone(self, count: int, position: int) -> int:
        char = self.text[position]
        if char == "Z":
            self.fields.set(F.ZONE_OFFSET, 0)
            self.fields.set(F.DST_OFFSET, 0)
            return position + 1
        if char not in "+-":
            raise _Failure(position + 1)
        return self.numeric_zone(position + 1, -1 if char == "-" else 1, count, colon=count == 3)

    def general_zone(self, start: int, position: int) -> int:
        text = self.text
        char = text[position]
        if char in "+-":
            return self.numeric_zone(position + 1, -1 if char == "-" else 1, 0, colon=False)
        if char in "Gg" and len(text) - start >= 3 and text[start : start + 3].upper() == "GMT":
            position = start + 3
            if position < len(text) and text[position] in "+-":
                return self.numeric_zone(position + 1, -1 if text[position] == "-" else 1, 0, colon=True)
            self.fields.set(F.ZONE_OFFSET, 0)
            self.fields.set(F.DST_OFFSET, 0)
            return position
        return self.zone_name(position)

    def numeric_zone(self, start: int, sign: int, count: int, *, colon: bool) -> int:
        """SimpleDateFormat.subParseNumericZone: hh[[:]mm] after a sign; fails at the first bad character."""
        text = self.text
        index = start

        def next_char() -> str:
            nonlocal index
            index += 1
            if index - 1 >= len(text):
                raise _OutOfText
            return text[index - 1]

        try:
            char = next_char()
            if not _ascii_digit(char):
                raise _Failure(index - 1)
            hours = int(char)
            char = next_char()
            if _ascii_digit(char):
                hours = hours * 10 + int(char)
            else:
                if count > 0 or not colon:
                    raise _Failure(index - 1)
                index -= 1
            if hours > 23:
                raise _Failure(index - 1)
            minutes = 0
            if count != 1:
                char = next_char()
                if colon:
                    if char != ":":
                        raise _Failure(index - 1)
                    char = next_char()
                if not _ascii_digit(char):
                    raise _Failure(index - 1)
                minutes = int(char)
                char = next_char()
                if not _ascii_digit(char):
                    raise _Failure(index - 1)
                minutes = minutes * 10 + int(char)
                if minutes > 59:
                    raise _Failure(index - 1)
        except _OutOfText:
            raise _Failure(index - 1) from None
        self.fields.set(F.ZONE_OFFSET, sign * (hours * 60 + minutes) * 60_000)
        self.fields.set(F.DST_OFFSET, 0)
        return index

    def zone_name(self, position: int) -> int:
        """SimpleDateFormat.subParseZoneString over Java's en_US zone strings (current, default, all)."""
        rows = java_zone_strings()
        preferred = [_row_for(rows, self.zone.id), _row_for(rows, JVM_DEFAULT_ZONE_ID)]
        for row in (*(row for row in preferred if row is not None), *rows):
            name_index = next((i for i in range(1, 5) if _region_matches(self.text, position, row[i])), 0)
            if not name_index:
                continue
            zone = resolve_zone(row[0])
            same_name = name_index <= 2 and row[name_index].lower() == row[name_index + 2].lower()
            dst_amount = zone.names.dst_savings_ms if name_index >= 3 else 0
            self.zone = zone  # Java calls setTimeZone: the wall time is read in the named zone
            if not (same_name or (name_index >= 3 and dst_amount == 0)):
                self.fields.clear(F.ZONE_OFFSET)
                self.fields.set(F.DST_OFFSET, dst_amount)
            return position + len(row[name_index])
        raise _Failure(position)


def _row_for(rows: tuple[tuple[str, ...], ...], zone_id: str) -> tuple[str, ...] | None:
    return next((row for row in rows if row[0] == zone_id), None)


def _ascii_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _region_matches(text: str, start: int, name: str) -> bool:
    return start + len(name) <= len(text) and text[start : start + len(name)].lower() == name.lower()


def parse_prefix(compiled: CompiledPattern, text: str, zone: JavaZone, century: CenturyStart | None) -> ParseResult:
    """Parse the start of `text`; trailing text is ignored, as Java does. Raises JavaDateParseError."""
    parser = _Parser(compiled, text, zone, century)
    try:
        end = parser.run()
    except _Failure as failure:
        raise JavaDateParseError(
            f"{text!r} does not match the date pattern {compiled.pattern!r} (at index {failure.error_index})",
            failure.error_index,
        ) from None
    instant = resolve_instant(parser.fields, parser.zone)
    if parser.ambiguous_year and century is not None and instant < century.instant_ms:
        parser.fields.add_years(100)
        instant = resolve_instant(parser.fields, parser.zone)
    return ParseResult(instant, end)


def century_start(now: datetime) -> CenturyStart:
    """SimpleDateFormat's default two-digit-year start: 80 years before `now` (Feb 29 → Feb 28)."""
    utc_now = now.astimezone(timezone.utc)
    year = utc_now.year - 80
    try:
        start = utc_now.replace(year=year)
    except ValueError:  # Feb 29 in a year that has none: Calendar.add pins it to the month's last day
        start = utc_now.replace(year=year, day=28)
    return CenturyStart(epoch_ms(start), year)
