"""Fixed-width numeric patterns in fixed-offset zones, such as `yyyy-MM-dd'T'HH:mm:ss'Z'` in GMT, read and written
directly instead of by the general SimpleDateFormat emulation, with the same results.

It covers text of exactly the pattern's shape whose values are in their usual ranges (a real date in 1600..9999,
hours below 24, ...). Anything else (a shorter number, a 13th month Java's lenient calendar rolls over, trailing
text) is left to the general parser, so the fast path never has to copy Java's lenient rules.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from cwmock.core.javadate.pattern import CompiledPattern, Literal
from cwmock.core.javadate.zones import JavaZone

# Each letter the fast path knows and the only count it takes: the width the general code pads it to.
_WIDTHS = {"y": 4, "M": 2, "d": 2, "H": 2, "m": 2, "s": 2, "S": 3}
_ZERO_OFFSET_ZONES = frozenset({"GMT", "UTC", "Etc/GMT", "Etc/UTC"})
FIRST_YEAR = 1600  # well after the Gregorian cutover (1582), where Java's calendar is the proleptic one
LAST_YEAR = 9999
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_LOCAL_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class FixedWidthFormat:
    """A pattern of fixed-width numbers and digit-free literals, in a zone whose offset never changes."""

    shape: re.Pattern[str]
    letters: tuple[str, ...]
    template: str
    offset_ms: int

    def parse(self, text: str) -> int | None:
        """Epoch milliseconds of `text`, or None when it is not exactly this shape with ordinary values."""
        match = self.shape.fullmatch(text)
        if match is None:
            return None
        values = dict(zip(self.letters, map(int, match.groups()), strict=True))
        year, month, day = values["y"], values["M"], values["d"]
        hour, minute, second = values.get("H", 0), values.get("m", 0), values.get("s", 0)
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12 and hour < 24 and minute < 60 and second < 60):
            return None
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        days = date(year, month, day).toordinal() - _EPOCH_ORDINAL
        return (days * 86_400 + hour * 3_600 + minute * 60 + second) * 1000 + values.get("S", 0) - self.offset_ms

    def format(self, epoch_ms: int) -> str | None:
        """The text for `epoch_ms`, or None when its local year is outside 1600..9999."""
        try:
            local = _LOCAL_EPOCH + timedelta(milliseconds=epoch_ms + self.offset_ms)
        except OverflowError:
            return None
        if not FIRST_YEAR <= local.year <= LAST_YEAR:
            return None
        values = {"y": local.year, "M": local.month, "d": local.day, "H": local.hour, "m": local.minute,
                  "s": local.second, "S": local.microsecond // 1000}  # fmt: skip
        return self.template % tuple(values[letter] for letter in self.letters)


def fixed_width_format(compiled: CompiledPattern, zone: JavaZone) -> FixedWidthFormat | None:
    """The fast path for `compiled` in `zone`, or None when the pattern or zone is not one it covers."""
    offset_ms = _fixed_offset_ms(zone)
    if offset_ms is None:
        return None
    shape: list[str] = []
    template: list[str] = []
    letters: list[str] = []
    for token in compiled.tokens:
        if isinstance(token, Literal):
            if any(char.isdigit() for char in token.text):
                return None  # a digit beside a number would make the shape ambiguous
            shape.append(re.escape(token.text))
            template.append(token.text.replace("%", "%%"))
            continue
        width = _WIDTHS.get(token.letter)
        if width is None or token.count != width or token.letter in letters:
            return None
        shape.append(f"([0-9]{{{width}}})")
        template.append(f"%0{width}d")
        letters.append(token.letter)
    if not {"y", "M", "d"} <= set(letters):
        return None
    return FixedWidthFormat(re.compile("".join(shape), re.ASCII), tuple(letters), "".join(template), offset_ms)


def _fixed_offset_ms(zone: JavaZone) -> int | None:
    if isinstance(zone.tz, timezone):
        offset = zone.tz.utcoffset(None)
        return (offset.days * 86_400 + offset.seconds) * 1000 + offset.microseconds // 1000
    return 0 if zone.id in _ZERO_OFFSET_ZONES and getattr(zone.tz, "key", None) in _ZERO_OFFSET_ZONES else None
