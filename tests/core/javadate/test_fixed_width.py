"""The fixed-width fast path reads and writes exactly what the general SimpleDateFormat emulation does."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.core.javadate.errors import JavaDateError
from cwmock.core.javadate.fixed_width import fixed_width_format
from cwmock.core.javadate.formatting import JavaDateFormat
from cwmock.core.javadate.pattern import compile_pattern
from cwmock.core.javadate.zones import resolve_zone

PATTERNS = [
    "yyyy-MM-dd'T'HH:mm:ss'Z'",
    "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
    "yyyy-MM-dd HH:mm:ss",
    "dd/MM/yyyy",
    "yyyyMMddHHmmss",
    "'%'yyyy'%'MM'%'dd",
]
ZONES = ["GMT", "UTC", "GMT+05:45", "-8:00", "Etc/UTC"]


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("zone", ZONES)
def test_the_fast_path_covers_fixed_width_patterns_in_fixed_offset_zones(pattern: str, zone: str) -> None:
    assert fixed_width_format(compile_pattern(pattern), resolve_zone(zone)) is not None


@pytest.mark.parametrize(
    ("pattern", "zone"),
    [("yyyy-MM-dd", "America/New_York"), ("yy-MM-dd", "GMT"), ("yyyy-MMM-dd", "GMT"), ("yyyy-M-d", "GMT"),
     ("yyyy-MM-dd'T'HH:mm:ssXXX", "GMT"), ("HH:mm", "GMT"), ("yyyy'1'MM'1'dd", "GMT")],
)  # fmt: skip
def test_other_patterns_and_zones_take_the_general_path(pattern: str, zone: str) -> None:
    assert fixed_width_format(compile_pattern(pattern), resolve_zone(zone)) is None


INSTANTS = st.datetimes(min_value=datetime(1500, 1, 1), max_value=datetime(9999, 12, 30)).map(
    lambda naive: naive.replace(tzinfo=timezone.utc)
)


@settings(max_examples=400, deadline=None)
@given(pattern=st.sampled_from(PATTERNS), zone=st.sampled_from(ZONES), instant=INSTANTS)
def test_formatting_and_reading_back_agree_with_the_general_path(pattern: str, zone: str, instant: datetime) -> None:
    fast, general = JavaDateFormat(pattern, zone), JavaDateFormat(pattern, zone, fast_path=False)
    text = general.format(instant)
    assert fast.format(instant) == text
    assert _parsed(fast, text) == _parsed(general, text)


def _digits_like(pattern: str) -> st.SearchStrategy[str]:
    """Text of the pattern's shape with any digits: months 13 and 00, February 30th, hour 24, years before 1600."""
    shape = pattern.replace("'", "")
    return st.tuples(*[st.sampled_from("0123456789") if c in "yMdHmsS" else st.just(c) for c in shape]).map("".join)


@settings(max_examples=400, deadline=None)
@given(data=st.data(), pattern=st.sampled_from(PATTERNS), zone=st.sampled_from(ZONES))
def test_any_text_of_the_shape_parses_as_the_general_path_parses_it(
    data: st.DataObject, pattern: str, zone: str
) -> None:
    text = data.draw(st.one_of(_digits_like(pattern), _digits_like(pattern).map(lambda t: t + " trailing")))
    fast, general = JavaDateFormat(pattern, zone), JavaDateFormat(pattern, zone, fast_path=False)
    assert _parsed(fast, text) == _parsed(general, text)


def _parsed(formatter: JavaDateFormat, text: str) -> tuple[datetime, int] | str:
    try:
        return formatter.parse_prefix(text)
    except JavaDateError as error:
        return type(error).__name__


def test_the_common_stamp_reads_as_its_instant() -> None:
    formatter = JavaDateFormat("yyyy-MM-dd'T'HH:mm:ss'Z'", "GMT")
    assert formatter.parse("2026-01-01T00:00:07Z") == datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=7)
    assert formatter.format(datetime(2026, 1, 1, tzinfo=timezone.utc)) == "2026-01-01T00:00:00Z"
