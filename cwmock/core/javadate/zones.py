"""Time zones as java.util.TimeZone understands them, with Java's display names and DST rules."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cwmock.core.javadate.errors import UnknownZoneError
from cwmock.core.timestamps import UTC

# The JVM default zone SimpleDateFormat consults when parsing zone names; Open Connectors runs in GMT/UTC.
JVM_DEFAULT_ZONE_ID = "UTC"

# java.util.TimeZone's three-letter ids (the same as java.time.ZoneId.SHORT_IDS on Java 17). EST, MST and HST
# are fixed offsets; the others follow the named region's rules, daylight saving included.
FIXED_SHORT_IDS: Mapping[str, int] = MappingProxyType({"EST": -5 * 3600, "MST": -7 * 3600, "HST": -10 * 3600})
REGION_SHORT_IDS: Mapping[str, str] = MappingProxyType(
    {
        "ACT": "Australia/Darwin",
        "AET": "Australia/Sydney",
        "AGT": "America/Argentina/Buenos_Aires",
        "ART": "Africa/Cairo",
        "AST": "America/Anchorage",
        "BET": "America/Sao_Paulo",
        "BST": "Asia/Dhaka",
        "CAT": "Africa/Harare",
        "CNT": "America/St_Johns",
        "CST": "America/Chicago",
        "CTT": "Asia/Shanghai",
        "EAT": "Africa/Addis_Ababa",
        "ECT": "Europe/Paris",
        "IET": "America/Indiana/Indianapolis",
        "IST": "Asia/Kolkata",
        "JST": "Asia/Tokyo",
        "MIT": "Pacific/Apia",
        "NET": "Asia/Yerevan",
        "NST": "Pacific/Auckland",
        "PLT": "Asia/Karachi",
        "PNT": "America/Phoenix",
        "PRT": "America/Puerto_Rico",
        "PST": "America/Los_Angeles",
        "SST": "Pacific/Guadalcanal",
        "VST": "Asia/Ho_Chi_Minh",
    }
)

_BARE_OFFSET = re.compile(r"[+-]\d")
# Zones whose tzdata rules (the "main" format Python reads) use negative daylight saving today: Java reads the
# rearguard format, where the same clock times are Java's raw offset plus positive daylight saving. (Windhoek
# 1994-2017 and Prague 1946-47 had negative DST too; cwmock follows Python's reading for those years.)
NEGATIVE_DST_REGIONS = frozenset({"Europe/Dublin", "Eire", "Africa/Casablanca", "Africa/El_Aaiun"})


@dataclass(frozen=True)
class ZoneNames:
    """Java's en_US display names of a zone, and its DST savings (TimeZone.getDSTSavings)."""

    short_standard: str
    short_daylight: str
    long_standard: str
    long_daylight: str
    dst_savings_ms: int
    raw_offset_ms: int


@dataclass(frozen=True)
class JavaZone:
    """A resolved zone: Java's id for it, Python rules that match Java's, and Java's names."""

    id: str
    tz: tzinfo
    names: ZoneNames

    def local(self, instant: datetime) -> datetime:
        """`instant` as wall time in this zone (aware)."""
        return instant.astimezone(self.tz)

    def offset_ms(self, instant: datetime) -> int:
        """Total offset from UTC (raw + daylight) at `instant`, in milliseconds."""
        offset = self.local(instant).utcoffset()
        assert offset is not None, "zone rules always give an offset"
        return _ms(offset)

    def is_daylight(self, instant: datetime) -> bool:
        """Whether Java would call `instant` daylight time here (Calendar.DST_OFFSET != 0)."""
        return bool(self._java_dst(self.local(instant)))

    def _java_dst(self, local: datetime) -> timedelta:
        if getattr(self.tz, "key", None) in NEGATIVE_DST_REGIONS:
            total = local.utcoffset() or timedelta(0)
            return max(total - timedelta(milliseconds=self.names.raw_offset_ms), timedelta(0))
        return local.dst() or timedelta(0)

    def display_name(self, instant: datetime, *, long: bool) -> str:
        """What pattern letter z (short) or zzzz (long) prints for `instant`."""
        daylight = self.is_daylight(instant)
        if long:
            return self.names.long_daylight if daylight else self.names.long_standard
        return self.names.short_daylight if daylight else self.names.short_standard

    def offsets_by_wall(self, wall: datetime) -> tuple[int, int]:
        """(raw, dst) offsets in ms Java's ZoneInfo.getOffsetsByWall gives for the naive wall time `wall`.

        Java uses the offset in force *after* a transition for wall times in an overlap (so a repeated hour
        reads as standard time in the US) and the offset *before* it for wall times in a gap: zoneinfo's
        fold=1 and fold=0.
        """
        early = wall.replace(tzinfo=self.tz, fold=0)
        late = wall.replace(tzinfo=self.tz, fold=1)
        chosen = early
        if early.utcoffset() != late.utcoffset():
            round_trip = early.astimezone(UTC).astimezone(self.tz).replace(tzinfo=None)
            in_gap = round_trip != wall
            chosen = early if in_gap else late
        total = chosen.utcoffset()
        dst = self._java_dst(chosen)
        assert total is not None, "zone rules always give an offset"
        return _ms(total - dst), _ms(dst)


def _ms(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


# The names of GMT and UTC, the zones nearly every instance uses, as the table has them: resolving them then reads
# no table (a 120 KB file of 631 zones, 6 ms to parse in every poller window's process). A test compares them.
UNIVERSAL_ZONE_NAMES: Mapping[str, ZoneNames] = MappingProxyType(
    {
        "GMT": ZoneNames("GMT", "GMT", "Greenwich Mean Time", "Greenwich Mean Time", 0, 0),
        "UTC": ZoneNames("UTC", "UTC", "Coordinated Universal Time", "Coordinated Universal Time", 0, 0),
    }
)


@lru_cache(maxsize=1)
def _java_tables() -> tuple[Mapping[str, ZoneNames], tuple[tuple[str, ...], ...]]:
    # Imported here: GMT and UTC (nearly every instance's dates) never need the table, and a poller window, a
    # process of its own, pays its imports every window.
    from cwmock.fixtures import read_fixture

    data = json.loads(read_fixture("java_dates/zone_names.json"))
    names = {
        zone_id: ZoneNames(row[0], row[1], row[2], row[3], int(row[4]), int(row[5]))
        for zone_id, row in data["display_names"].items()
    }
    strings = tuple(tuple(row) for row in data["zone_strings"])
    return MappingProxyType(names), strings


def java_zone_ids() -> frozenset[str]:
    """Every id java.util.TimeZone.getAvailableIDs() lists on the JDK the tables came from."""
    return frozenset(_java_tables()[0])


def java_zone_strings() -> tuple[tuple[str, ...], ...]:
    """DateFormatSymbols(en_US).getZoneStrings(): (id, long std, short std, long daylight, short daylight)."""
    return _java_tables()[1]


def custom_offset_seconds(zone_id: str) -> int | None:
    """The offset in seconds of a Java custom id (`GMT+h`, `GMT+hhmm`, `GMT+hh:mm`...); None if not one."""
    if not zone_id.startswith("GMT") or len(zone_id) < 5 or zone_id[3] not in "+-":
        return None
    body = zone_id[4:]
    if not re.fullmatch(r"\d{1,2}:\d{2}|\d+", body):
        return None
    if ":" in body:
        hours_text, minutes_text = body.split(":")
        hours, minutes = int(hours_text), int(minutes_text)
    elif len(body) <= 2:
        hours, minutes = int(body), 0
    else:
        number = int(body)
        hours, minutes = number // 100, number % 100
    if hours > 23 or minutes > 59:
        return None
    sign = -1 if zone_id[3] == "-" else 1
    return sign * (hours * 3600 + minutes * 60)


def custom_id(offset_seconds: int, *, negative_zero: bool = False) -> str:
    """Java's normalised custom id for an offset: GMT-08:00, GMT+05:45, GMT+00:00."""
    sign = "-" if offset_seconds < 0 or (offset_seconds == 0 and negative_zero) else "+"
    minutes = abs(offset_seconds) // 60
    return f"GMT{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _fixed(zone_id: str, offset_seconds: int) -> JavaZone:
    names = ZoneNames(zone_id, zone_id, zone_id, zone_id, 0, offset_seconds * 1000)
    return JavaZone(zone_id, timezone(timedelta(seconds=offset_seconds)), names)


@lru_cache(maxsize=512)
def resolve_zone(zone_id: str) -> JavaZone:
    """The zone Java's TimeZone.getTimeZone(zone_id) gives; UnknownZoneError where Java would use GMT.

    Besides Java's ids this accepts bare offsets such as `-8:00` and `+05:45` (Open Connectors' documented
    spelling), read as `GMT-8:00` / `GMT+05:45`.
    """
    text = zone_id.strip()
    if text in UNIVERSAL_ZONE_NAMES:
        return _known(text, UNIVERSAL_ZONE_NAMES[text])
    names, _ = _java_tables()
    if text in names:
        return _known(text, names[text])
    offset = custom_offset_seconds(text)
    if offset is None and _BARE_OFFSET.match(text):
        offset = custom_offset_seconds("GMT" + text)
    if offset is not None:
        return _fixed(custom_id(offset, negative_zero="-" in text), offset)
    raise UnknownZoneError(_unknown_message(zone_id))


def _known(zone_id: str, names: ZoneNames) -> JavaZone:
    if zone_id in FIXED_SHORT_IDS:
        return JavaZone(zone_id, timezone(timedelta(seconds=FIXED_SHORT_IDS[zone_id])), names)
    region = REGION_SHORT_IDS.get(zone_id, zone_id)
    try:
        return JavaZone(zone_id, ZoneInfo(region), names)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownZoneError(
            f"time zone {zone_id!r} is known to Java but has no rules in Python's tzdata; "
            "use a region id such as America/Denver or an offset such as GMT-07:00"
        ) from error


def _unknown_message(zone_id: str) -> str:
    hint = ""
    upper = zone_id.strip().upper()
    if upper in ("GMT", "UTC", "Z", "ZULU"):
        hint = " (ids are case-sensitive: write GMT or UTC)"
    elif upper.endswith("DT") and len(upper) == 3:
        hint = " (daylight abbreviations are not zone ids: use the region, e.g. America/Los_Angeles)"
    return (
        f"unknown time zone {zone_id!r}{hint}; Java would silently use GMT, cwmock refuses. "
        "Use GMT, UTC, a region id such as America/Denver, an offset such as -8:00 or GMT-08:00, "
        "or one of Java's three-letter ids such as PST"
    )
