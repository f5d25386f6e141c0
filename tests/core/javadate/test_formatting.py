"""Java SimpleDateFormat emulation: zones, pattern errors, two-digit years, `milliseconds`, round trips."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.javadate.errors import (
    JavaDateParseError,
    JavaDateRangeError,
    JavaPatternError,
    UnknownZoneError,
)
from cwmock.core.javadate.formatting import JavaDateFormat
from cwmock.core.javadate.zones import resolve_zone

UTC = timezone.utc
SUMMER = datetime(2024, 7, 4, 18, 18, 16, 123_000, tzinfo=UTC)
WINTER = datetime(2024, 1, 15, 18, 18, 16, tzinfo=UTC)
NOW = datetime(2024, 6, 15, 12, 0, tzinfo=UTC)
OC_DEFAULT = "yyyy-MM-dd'T'HH:mm:ss'Z'"


@pytest.mark.parametrize(
    ("zone", "winter", "summer"),
    [
        ("PST", "-0800", "-0700"),  # PST follows daylight saving, as America/Los_Angeles
        ("EST", "-0500", "-0500"),  # EST, MST and HST are fixed offsets in Java
        ("MST", "-0700", "-0700"),
        ("HST", "-1000", "-1000"),
        ("CST", "-0600", "-0500"),
        ("America/Denver", "-0700", "-0600"),
        ("GMT", "+0000", "+0000"),
        ("UTC", "+0000", "+0000"),
        ("-8:00", "-0800", "-0800"),
        ("GMT-08:00", "-0800", "-0800"),
        ("+05:45", "+0545", "+0545"),
    ],
)
def test_zones_have_javas_meaning(zone: str, winter: str, summer: str) -> None:
    formatter = JavaDateFormat("Z", zone)
    assert (formatter.format(WINTER), formatter.format(SUMMER)) == (winter, summer)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "PDT", "gmt", "Z", "GMT+24:00", "8:00", "", "SystemV/EST5"])
def test_unknown_zones_are_refused_not_silently_gmt(zone: str) -> None:
    with pytest.raises(UnknownZoneError, match="zone"):
        resolve_zone(zone)


def test_unknown_zone_message_explains_the_difference_from_java() -> None:
    with pytest.raises(UnknownZoneError, match="Java would silently use GMT"):
        resolve_zone("Mars/Olympus")
    with pytest.raises(UnknownZoneError, match="case-sensitive"):
        resolve_zone("gmt")
    with pytest.raises(UnknownZoneError, match="America/Los_Angeles"):
        resolve_zone("PDT")


@pytest.mark.parametrize(
    ("zone_id", "java_id"),
    [("-8:00", "GMT-08:00"), ("GMT+5", "GMT+05:00"), ("GMT-0800", "GMT-08:00"), ("GMT-0", "GMT-00:00")],
)
def test_custom_zone_ids_are_normalised_like_java(zone_id: str, java_id: str) -> None:
    assert resolve_zone(zone_id).id == java_id
    assert JavaDateFormat("z", zone_id).format(SUMMER) == java_id


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("yyyy-MM-dd'T", "unterminated quote"),
        ("yyyy-MM-ddTHH", "Illegal pattern character 'T'"),
        ("XXXX", "invalid ISO 8601"),
        ("G yyyy", "does not emulate"),
        ("yyyy-ww", "does not emulate"),
    ],
)
def test_bad_patterns_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(JavaPatternError, match=message):
        JavaDateFormat(pattern)


def test_quotes_make_literals_and_doubled_quotes_make_a_quote() -> None:
    formatter = JavaDateFormat("hh 'o''clock' a, ''yy", "GMT")
    assert formatter.format(SUMMER) == "06 o'clock PM, '24"


def test_week_year_formats_like_java_but_is_refused_for_parsing() -> None:
    last_day = datetime(2024, 12, 31, 12, tzinfo=UTC)
    assert JavaDateFormat("YYYY-MM-dd").format(last_day) == "2025-12-31"
    assert JavaDateFormat("yyyy-MM-dd").format(last_day) == "2024-12-31"
    with pytest.raises(JavaPatternError, match="week-year"):
        JavaDateFormat("YYYY-MM-dd").parse("2024-12-31")


def test_quoted_z_is_a_letter_so_the_text_is_read_in_the_configured_zone() -> None:
    assert JavaDateFormat(OC_DEFAULT, "GMT").parse("2024-05-31T18:18:16Z") == datetime(
        2024, 5, 31, 18, 18, 16, tzinfo=UTC
    )
    denver = JavaDateFormat(OC_DEFAULT, "America/Denver").parse("2024-05-31T18:18:16Z")
    assert denver == datetime(2024, 6, 1, 0, 18, 16, tzinfo=UTC)


def test_seconds_pattern_fails_on_fractional_seconds_but_ignores_other_trailing_text() -> None:
    formatter = JavaDateFormat(OC_DEFAULT, "GMT")
    with pytest.raises(JavaDateParseError) as failure:
        formatter.parse("2024-05-31T18:18:16.123Z")
    assert failure.value.error_index == 19
    assert formatter.parse_prefix("2024-05-31T18:18:16Z and more")[1] == 20


def test_unquoted_z_cannot_read_a_literal_z_but_xxx_can() -> None:
    with pytest.raises(JavaDateParseError):
        JavaDateFormat("yyyy-MM-dd'T'HH:mm:ssZ").parse("2024-05-31T18:18:16Z")
    parsed = JavaDateFormat("yyyy-MM-dd'T'HH:mm:ssXXX", "America/Denver").parse("2024-05-31T18:18:16Z")
    assert parsed == datetime(2024, 5, 31, 18, 18, 16, tzinfo=UTC)


def test_capital_s_counts_milliseconds_not_a_fraction() -> None:
    formatter = JavaDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
    assert formatter.parse("2024-05-31T18:18:16.5Z").microsecond == 5_000


def test_lenient_parsing_rolls_month_13_into_the_next_year() -> None:
    assert JavaDateFormat("yyyy-MM-dd").parse("2024-13-01") == datetime(2025, 1, 1, tzinfo=UTC)


def test_repeated_hour_reads_as_standard_time_like_java() -> None:
    formatter = JavaDateFormat("yyyy-MM-dd HH:mm", "America/Los_Angeles")
    daylight = datetime(2024, 11, 3, 8, 30, tzinfo=UTC)
    standard = datetime(2024, 11, 3, 9, 30, tzinfo=UTC)
    assert formatter.format(daylight) == formatter.format(standard) == "2024-11-03 01:30"
    assert formatter.parse("2024-11-03 01:30") == standard


def test_two_digit_years_pivot_on_the_injected_now_not_the_wall_clock() -> None:
    formatter = JavaDateFormat("yy-MM-dd")
    assert formatter.needs_now_to_parse
    assert formatter.parse("50-01-01", now=NOW).year == 1950
    assert formatter.parse("50-01-01", now=datetime(2040, 1, 1, tzinfo=UTC)).year == 2050
    assert formatter.parse("44-06-14", now=NOW).year == 2044  # the pivot year: before the start → next century
    assert formatter.parse("44-06-16", now=NOW).year == 1944
    with pytest.raises(ValueError, match="pass now="):
        formatter.parse("50-01-01")


def test_four_digit_year_patterns_do_not_need_now() -> None:
    assert not JavaDateFormat("yyyy-MM-dd").needs_now_to_parse
    assert JavaDateFormat("yyyy-MM-dd").parse("1950-01-01").year == 1950


def test_milliseconds_means_epoch_milliseconds() -> None:
    formatter = JavaDateFormat("milliseconds")
    assert formatter.format(SUMMER) == "1720117096123"
    assert formatter.parse("1720117096123") == SUMMER
    assert formatter.parse("-1") == datetime(1969, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)
    with pytest.raises(JavaDateParseError):
        formatter.parse("1720117096123Z")


def test_nothing_consumed_is_a_parse_error() -> None:
    with pytest.raises(JavaDateParseError):
        JavaDateFormat("").parse("anything")


def test_dates_java_reads_in_the_julian_calendar_are_refused() -> None:
    with pytest.raises(JavaDateRangeError, match="Gregorian cutover"):
        JavaDateFormat("yyyy-MM-dd").parse("1500-01-01")
    with pytest.raises(JavaDateRangeError):
        JavaDateFormat("yyyy-MM-dd").parse("12024-01-01")


def test_format_needs_an_aware_instant() -> None:
    with pytest.raises(ValueError, match="timezone"):
        JavaDateFormat(OC_DEFAULT).format(datetime(2024, 1, 1))


# Round trips: patterns that fix an instant give it back at the pattern's resolution.
ANY_ZONE = [
    "GMT",
    "America/Los_Angeles",
    "America/Denver",
    "Europe/London",
    "Asia/Kathmandu",
    "PST",
    "EST",
    "+05:45",
]
NAMED_ZONES = ["GMT", "UTC", "America/Los_Angeles", "America/Denver", "America/New_York", "PST", "EST", "MST"]
FIXED_ZONES = ["GMT", "EST", "HST", "-8:00", "+05:45"]
ROUND_TRIPS = [
    ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", ANY_ZONE),
    ("yyyy-MM-dd'T'HH:mm:ssZ", ANY_ZONE),
    ("EEE, dd MMM yyyy HH:mm:ss.SSS z", NAMED_ZONES),
    ("EEEE, MMMM d, yyyy h:mm:ss a zzzz", NAMED_ZONES),
    (OC_DEFAULT, FIXED_ZONES),
    ("yyyyMMddHHmmssSSS", FIXED_ZONES),
    ("yyyy-DDD HH:mm", FIXED_ZONES),
    ("dd/MM/yy HH:mm:ss XX", ANY_ZONE),
    ("milliseconds", ["GMT"]),
]
instants = st.datetimes(min_value=datetime(1972, 1, 1), max_value=datetime(2042, 12, 31), timezones=st.just(UTC)).map(
    lambda instant: instant.replace(microsecond=instant.microsecond // 1000 * 1000)
)


def _truncate(instant: datetime, resolution: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + (instant - epoch) // resolution * resolution


@settings(max_examples=150, deadline=None)
@given(data=st.data(), instant=instants, case=st.sampled_from(ROUND_TRIPS))
def test_format_then_parse_round_trips_at_the_patterns_resolution(
    data: st.DataObject, instant: datetime, case: tuple[str, list[str]]
) -> None:
    pattern, zones = case
    formatter = JavaDateFormat(pattern, data.draw(st.sampled_from(zones)))
    text = formatter.format(instant)
    assert formatter.parse(text, now=NOW) == _truncate(instant, formatter.resolution()), text
